// A dataset at a glance: size, lines, vocabulary and a few examples, for the start page.
import { detectFormat } from './dataset';

export interface DatasetSummary {
	file: string;
	bytes: number;
	lines: number;
	/** The distinct characters, sorted (newline shown as '\n'). */
	vocab: string[];
	examples: string[];
}

/** Summarise a dataset's text for the start page. */
export function summarize(file: string, text: string, bytes: number): DatasetSummary {
	const lines = text.split('\n').filter((l) => l.length > 0);
	const vocab = [...new Set(text)].sort();
	// the same guess the trainer makes: names-style files show their first lines, free text an excerpt
	const examples = detectFormat(text) === 'names' ? lines.slice(0, 8) : [text.slice(0, 240).trimEnd()];
	return { file, bytes, lines: lines.length, vocab, examples };
}
