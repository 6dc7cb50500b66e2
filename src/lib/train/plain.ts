// A plain PyTorch checkpoint (`safetensors.torch.save_file(model.state_dict(), …)`, no __metadata__): the model from
// its tensors (infer.ts), the vocabulary from the data it was trained on, built the way the lectures build it.
import { DataError, Vocab, type SafeTensor } from '../data/index';
import { getPreset, type Preset } from '../models/index';
import { inferArchitecture } from './infer';
import { MODEL_FORMAT } from './limits';

/** The text a plain checkpoint was trained on, and its name for messages and the saved config (`names`, a file name). */
export interface DataText {
	text: string;
	label: string;
	/** The seed a fine-tuning run's split and batches take (default 42). */
	seed?: number;
}

/** A plain checkpoint has no vocabulary: without its data there is nothing to decode it with. */
export class NeedsData extends Error {
	constructor(
		message: string,
		/** How the model reads its data: the dataset to offer (names for the makemore models, text for a GPT). */
		readonly format: 'names' | 'text'
	) {
		super(message);
	}
}

/**
 * The vocabulary as the lectures build it: makemore's `'.'` then the sorted characters of the names (newlines
 * separate them), or gpt.py's `sorted(set(text))`, newline included.
 */
function lectureVocab(format: 'names' | 'text', data: DataText): { vocab: Vocab; how: string } {
	if (format === 'text') return { vocab: Vocab.forText(data.text), how: `the sorted characters of ${data.label} (gpt.py's sorted(set(text)))` };
	try {
		return { vocab: Vocab.forNamesText(data.text), how: `'.' then the sorted characters of ${data.label} (makemore's stoi)` };
	} catch (e) {
		if (e instanceof DataError) throw new Error(`${data.label} cannot be a names model's data: ${e.message}`);
		throw e;
	}
}

/** The preset (sizes inferred) and vocabulary of a plain state dict, a line saying what was inferred, and the buffers it may lack. */
export function plainConfig(tensors: ReadonlyMap<string, SafeTensor>, data: DataText | undefined, metadata: Readonly<Record<string, string>> = {}) {
	const shapes = new Map([...tensors].map(([k, t]) => [k, t.shape] as const));
	let arch;
	try {
		arch = inferArchitecture(shapes, metadata);
	} catch (e) {
		throw new Error(`the file has no __metadata__ (a plain PyTorch state dict) and its tensors fit none of the models this version reads: ${(e as Error).message}`);
	}
	const format = MODEL_FORMAT[arch.model];
	if (!data) {
		throw new NeedsData(`the file has no __metadata__ (a plain PyTorch state dict): it holds ${arch.layout}, and its vocabulary must be built from the data it was trained on`, format);
	}
	const { layout, optional, vocabRows, tied, ...sizes } = arch;
	const { vocab, how } = lectureVocab(format, data);
	if (vocab.size !== vocabRows) {
		throw new Error(
			`the model's embedding has ${vocabRows} rows (a vocabulary of ${vocabRows}), but ${how} give${vocab.size === 1 ? 's' : ''} ${vocab.size}: ` +
				'use the data the model was trained on'
		);
	}
	const preset = { ...getPreset(arch.preset), ...sizes, format } as Preset;
	return { presetName: arch.preset, preset, vocab, inferred: `${layout}, vocabulary of ${vocab.size} from ${how}`, optional, tied };
}
