// A debugging session: build a model for a preset, take one small seeded batch, record one training step as a trace.
import { Generator, prepareRecording, record, sameBits, Tensor, type Trace } from '../engine/index';
import { BOUNDARY, buildExamples, examplesBatch, loadStateDict, parseLines, showChar, Vocab, type Batch } from '../data/index';
import { createModel, getPreset, type LanguageModel, type Preset as ModelPreset } from '../models/index';
import { buildRestored, readCheckpoint, type Restored } from './checkpoint';
import type { DataText } from './plain';
import { batchNormEvals, evalLoss, moduleClasses, snapshotBatchNorms, type BatchNormEval } from './modules';
import { makeOptimizer, trainStep } from './trainer';

/** The debugger's presets; `nanogpt` comes only with a loaded file (no weights ship; fresh ones would be seed-gpt's size). */
export type Preset = 'mlp' | 'mlp-bn' | 'mlp-deep' | 'mlp-deep-nobn' | 'wavenet' | 'gpt-small' | 'seed-mlp' | 'seed-wavenet' | 'seed-gpt' | 'nanogpt';
/** The presets the picker offers. */
export const PRESETS: Preset[] = ['mlp', 'mlp-bn', 'mlp-deep', 'mlp-deep-nobn', 'wavenet', 'gpt-small', 'seed-mlp', 'seed-wavenet', 'seed-gpt'];

/**
 * What the debugger changes in a preset to record it: seed-gpt's block of 256 becomes 32 (a step shows at most a
 * 64-character block anyway; its 6 × 384-wide layers, about 10.7M parameters, stay as trained).
 */
const DEBUG_OVERRIDES: Partial<Record<Preset, Partial<ModelPreset>>> = { 'seed-gpt': { blockSize: 32 } };

/**
 * The presets with a trained checkpoint shipped in static/checkpoints/: all but seed-gpt, which this machine cannot
 * train (a step at its batch of 64 × 256 characters needs more than 16 GB here), and mlp-deep-nobn, lecture 3's
 * network before BatchNorm, which is there for its initialisation (a learner trains one in /train to compare).
 */
export const TRAINED_PRESETS: Preset[] = PRESETS.filter((p) => p !== 'seed-gpt' && p !== 'nanogpt' && p !== 'mlp-deep-nobn');

/** The preset as the debugger builds it with fresh weights. */
export function debugPreset(preset: Preset): ModelPreset {
	return getPreset(preset, DEBUG_OVERRIDES[preset]);
}

/** The data files a session can read: names.txt (one name a line) or tinyshakespeare.txt (free text). */
export type DatasetName = 'names' | 'shakespeare';
export const DATASETS: DatasetName[] = ['names', 'shakespeare'];

export interface SessionConfig {
	preset: Preset;
	seed: number;
	/** Names in the batch (names presets), or the length of the one text block (the GPT presets). */
	batch: number;
	/** The file the batch is drawn from; omitted: the preset's own (see defaultDataset). */
	dataset?: DatasetName;
	/** Fresh weights drawn from the seed (omitted), or the shipped checkpoint trained on the preset's schedule. */
	weights?: WeightsChoice;
	/** gpt-small: debug this text instead of a seeded block (x = all but its last character, y = all but its first). */
	text?: string;
}

/** Where a session's weights come from: drawn fresh from the seed, or the shipped trained checkpoint. */
export type WeightsChoice = 'fresh' | 'trained';

/** The app's trained checkpoint of a preset (`npm run checkpoints` makes them; static/checkpoints/ ships them). */
export function checkpointPath(preset: Preset): string {
	return `/checkpoints/${preset}.safetensors`;
}

/** One example as characters: the context the model sees and the character it should predict. */
export interface Example {
	context: string;
	target: string;
}

/** Labels for a tensor axis of a given size (the vocabulary, the examples, the context positions). */
export interface Axis {
	size: number;
	labels: string[];
}

/** What the debugger needs from a recorded step. Plain data: it survives structuredClone. */
export interface DebugSession {
	config: SessionConfig;
	trace: Trace;
	/** Index → character. */
	chars: string[];
	examples: Example[];
	/** Axis labels, most specific first. */
	axes: Axis[];
	/** The learning rate of the recorded update. */
	lr: number;
	loss: number;
	/** Where the weights came from: `fresh (seed 42)` or the checkpoint and how long it was trained. */
	weights: string;
	/** Module path → class (`'2'` → `Linear`, `'blocks.0'` → `Block`; `''` is the model): trace scopes are these paths. */
	modules: Record<string, string>;
	/** Each BatchNorm layer in eval mode on the same batch, with its running statistics (empty without BatchNorm). */
	batchNorm: BatchNormEval[];
	/** The batch's loss with the model in eval mode, before the step (null for models without BatchNorm). */
	evalLoss: number | null;
}

/** A trained model to debug instead of fresh weights: the bytes of a .safetensors checkpoint and its file name. */
export interface CheckpointFile {
	name: string;
	bytes: Uint8Array;
	/** How the weights are described (default: the file name and its steps), e.g. a browser run's name and step. */
	label?: string;
}

/** A batch to record instead of a seeded one (a training run's next batch): int32 inputs and targets, row-major. */
export interface GivenBatch {
	x: { data: Int32Array; shape: number[] };
	y: { data: Int32Array; shape: number[] };
}

/** Whether a preset trains on names (context windows) or free text (blocks). */
export function isTextPreset(preset: Preset): boolean {
	return getPreset(preset).format === 'text';
}

/** The dataset a preset was made for: Shakespeare for the GPTs, names for the others. */
export function defaultDataset(preset: Preset): DatasetName {
	return isTextPreset(preset) ? 'shakespeare' : 'names';
}

/** The file a dataset lives in, under static/. */
export function datasetPath(dataset: DatasetName): string {
	return dataset === 'shakespeare' ? '/data/tinyshakespeare.txt' : '/data/names.txt';
}

/**
 * Lecture 5's FlattenConsecutive(2) halves the time axis stage by stage: (B, 8, C) → (B, 4, 2C) → (B, 2, 4C). Each
 * shorter axis gets the positions it fused as labels: t0–1, t2–3, … then t0–3, t4–7.
 */
export function fusedAxes(blockSize: number): Axis[] {
	const axes: Axis[] = [];
	for (let size = blockSize / 2, k = 2; size > 1 && Number.isInteger(size); size /= 2, k *= 2) {
		axes.push({ size, labels: Array.from({ length: size }, (_, i) => `t${i * k}–${(i + 1) * k - 1}`) });
	}
	return axes;
}

/** The largest batch a session takes: a text model's block size (its position table has that many rows), or 64 names. */
export function batchLimit(preset: ModelPreset): number {
	return preset.format === 'text' ? preset.blockSize : MAX_NAMES;
}

/** 64 names: each adds its length + 1 rows to every recorded activation, and the trace must stay small enough to step. */
const MAX_NAMES = 64;

/** Why a batch cannot be recorded for a model (beyond its limit, or not a whole number ≥ 1), or null when it can. */
export function batchProblem(name: Preset, batch: number, preset: ModelPreset = debugPreset(name)): string | null {
	const limit = batchLimit(preset);
	const what = preset.format === 'text' ? 'a block length' : 'a batch';
	if (!Number.isInteger(batch) || batch < 1) return `${what} must be a whole number from 1 to ${limit}, not ${batch}`;
	if (batch <= limit) return null;
	return preset.format === 'text'
		? `a block length of ${batch} is longer than ${name}'s block size of ${limit} (its position embedding has ${limit} rows): choose 1 to ${limit}`
		: `a batch of ${batch} names is more than the debugger records (${limit}): choose 1 to ${limit}`;
}

/**
 * The default batch: 4 names, or one block of 16 characters; nanoGPT (only ever a loaded file) a block of 64, a
 * text long enough for its attention maps to show something (recorded at once, not at 16 and again at 64).
 */
export function defaultBatch(preset: Preset): number {
	return preset === 'nanogpt' ? 64 : isTextPreset(preset) ? 16 : 4;
}

/** The dataset a config reads (its own choice, or the preset's default). */
export function dataset(config: SessionConfig): DatasetName {
	return config.dataset ?? defaultDataset(config.preset);
}

/** Show a character readably in a label (newline and space made visible). */
export function displayChar(ch: string): string {
	return ch === '\n' ? '⏎' : ch === ' ' ? '␣' : ch;
}

interface Prepared {
	vocab: Vocab;
	batch: Batch;
	examples: Example[];
	axes: Axis[];
}

/**
 * makemore's vocabulary ('.' → 0, then the sorted characters). Free text read as names (Shakespeare's lines) may
 * hold '.' itself: there it is the same token as the boundary, so a full stop reads as the end of a line.
 */
function namesVocab(lines: readonly string[]): Vocab {
	const chars = new Set<string>();
	for (const l of lines) for (const ch of l) if (ch !== BOUNDARY) chars.add(ch);
	return new Vocab([BOUNDARY, ...[...chars].sort((a, b) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0))]);
}

/** A checkpoint's vocabulary must hold every character of the chosen file (newlines only for free text). */
function checkVocab(text: string, vocab: Vocab, textFormat: boolean, config: SessionConfig, file: string): void {
	const unknown = vocab.findUnknown(text, textFormat);
	if (!unknown) return;
	throw new Error(
		`the ${dataset(config)} data has character ${showChar(unknown.ch)} (line ${unknown.line}) that is not in the vocabulary of ` +
			`the checkpoint ${file} (${vocab.size} characters: ${JSON.stringify(vocab.toString())}): pick the dataset it was trained on, or use fresh weights`
	);
}

/** `count` seeded random names → every (context, next char) window of them, like the lecture's build_dataset. */
function namesData(text: string, count: number, blockSize: number, g: Generator, given?: Vocab): Prepared {
	const lines = parseLines(text, 'the data file');
	const vocab = given ?? namesVocab(lines);
	const chosen = Array.from({ length: count }, () => lines[g.randint(0, lines.length)]);
	const ex = buildExamples(chosen, vocab, blockSize);
	const batch = examplesBatch(ex);
	const examples: Example[] = [];
	for (let i = 0; i < ex.count; i++) {
		const ctx = Array.from(batch.x.data.subarray(i * blockSize, (i + 1) * blockSize), (c) => displayChar(vocab.chars[c])).join('');
		examples.push({ context: ctx, target: displayChar(vocab.chars[ex.y[i]]) });
	}
	const axes: Axis[] = [
		{ size: vocab.size, labels: vocab.chars.map(displayChar) },
		{ size: ex.count, labels: examples.map((e) => `${e.context}→${e.target}`) },
		{ size: blockSize, labels: Array.from({ length: blockSize }, (_, t) => `t${t}`) }
	];
	return { vocab, batch, examples, axes };
}

/**
 * One block of `length` characters at a seeded offset: x = text[i … i+T), y shifted by one (gpt.py's get_batch).
 * With `block`, that text is the block instead (x = all but its last character: the attention explorer's text).
 * The length is checked against the model's block size before (batchProblem): never clamped here.
 */
function textData(text: string, length: number, blockSize: number, g: Generator, given?: Vocab, block?: string): Prepared {
	const T = block !== undefined ? block.length - 1 : length;
	const vocab = given ?? Vocab.forText(text);
	if (block !== undefined && (T < 1 || T > blockSize)) throw new Error(`a text to debug needs 2 to ${blockSize + 1} characters, not ${block.length}`);
	if (block === undefined && text.length <= T + 1) throw new Error(`the text has ${text.length} characters, too few for a block of ${T}`);
	const i = block !== undefined ? 0 : g.randint(0, text.length - T - 1);
	const ids = vocab.encode((block ?? text).slice(i, i + T + 1));
	const x = ids.slice(0, T);
	const y = ids.slice(1, T + 1);
	const examples = Array.from({ length: T }, (_, t) => ({
		context: Array.from(x.subarray(Math.max(0, t - 7), t + 1), (c) => displayChar(vocab.chars[c])).join(''),
		target: displayChar(vocab.chars[y[t]])
	}));
	const axes: Axis[] = [
		{ size: vocab.size, labels: vocab.chars.map(displayChar) },
		{ size: T, labels: Array.from(x, (c, t) => `${t}:${displayChar(vocab.chars[c])}`) }
	];
	return { vocab, batch: { x: new Tensor(x, [1, T]), y: new Tensor(y, [1, T]) }, examples, axes };
}

/**
 * A given batch as a session's data: names rows (B, blockSize) → B examples; text: its first row only (one block, as
 * the debugger shows text), so a gpt-small training batch of 16 blocks is recorded as one block of 32.
 */
function givenData(given: GivenBatch, vocab: Vocab, text: boolean): Prepared {
	const [B, T] = given.x.shape;
	const rows = text ? 1 : B;
	const x = given.x.data.slice(0, rows * T);
	const y = text ? given.y.data.slice(0, T) : given.y.data.slice(0, rows);
	const batch: Batch = { x: new Tensor(x, [rows, T]), y: new Tensor(y, text ? [1, T] : [rows]) };
	const chars = (ids: ArrayLike<number>) => Array.from(ids, (c) => displayChar(vocab.chars[c])).join('');
	const examples: Example[] = text
		? Array.from({ length: T }, (_, t) => ({ context: chars(x.subarray(Math.max(0, t - 7), t + 1)), target: displayChar(vocab.chars[y[t]]) }))
		: Array.from({ length: rows }, (_, i) => ({ context: chars(x.subarray(i * T, (i + 1) * T)), target: displayChar(vocab.chars[y[i]]) }));
	const axes: Axis[] = text
		? [{ size: vocab.size, labels: vocab.chars.map(displayChar) }, { size: T, labels: Array.from(x, (c, t) => `${t}:${displayChar(vocab.chars[c])}`) }]
		: [{ size: vocab.size, labels: vocab.chars.map(displayChar) }, { size: rows, labels: examples.map((e) => `${e.context}→${e.target}`) }, { size: T, labels: Array.from({ length: T }, (_, t) => `t${t}`) }];
	return { vocab, batch, examples, axes };
}


type Built = ReturnType<typeof buildRestored>;
/**
 * The last checkpoint file a session was recorded from, read and built. Recording the same file again (another seed,
 * block or dataset's text is another file) puts the model back as it was restored instead: the weights as loaded, its
 * generator at the seed, eval mode (the recorded step changed them). Only one: a 10M-parameter model is 42 MB.
 */
let kept: { bytes: Uint8Array; data: DataText; built: Built } | null = null;

/** Restore a checkpoint file (a plain one with the vocabulary of `data`), or put the kept one back when it is the same file. */
function restoreKept(bytes: Uint8Array, data: DataText): Restored {
	const k = kept;
	kept = null;
	if (k && k.data.text === data.text && k.data.label === data.label && (k.bytes === bytes || sameBits(k.bytes, bytes))) {
		const { built } = k;
		// a plain file's seed is the session's (its model's generator, which dropout draws from); ours keep their own
		const config = built.inferred ? { ...built.config, seed: data.seed ?? built.config.seed } : built.config;
		loadStateDict(built.model.namedTensors(), built.loaded);
		built.generator.manualSeed(config.seed);
		built.model.eval();
		kept = { bytes, data, built: { ...built, config } };
		return kept.built;
	}
	const built = buildRestored(readCheckpoint(bytes, data));
	kept = { bytes, data, built };
	return built;
}

/** Let go of the kept checkpoint (a session recorded without one: the page let the file go). */
function forgetKept(): void {
	kept = null;
}

/**
 * The model, preset and vocabulary of a checkpoint, checked against the preset the learner picked. A plain PyTorch
 * file (no metadata) is read with the vocabulary of the chosen dataset's `text`, and its own preset replaces the pick.
 */
function restored(file: CheckpointFile, config: SessionConfig, text: string) {
	const r = restoreKept(file.bytes, { text, label: dataset(config), seed: config.seed });
	if (!r.inferred && r.config.preset !== config.preset) {
		throw new Error(`the checkpoint ${file.name} holds a '${r.config.preset}' model, not '${config.preset}': pick that model, or use fresh weights`);
	}
	const what = r.inferred ? `${file.name}: no metadata, read as ${r.inferred}` : `checkpoint ${file.name} (${r.config.steps} steps)`;
	return { ...r, weights: file.label ?? what };
}

/** A plain file's own preset (the one its sizes were inferred into), with a batch it takes if the pick's does not fit. */
function adopted(config: SessionConfig, r: Restored): SessionConfig {
	const preset = r.config.preset as Preset;
	if (!r.inferred || preset === config.preset) return config;
	return { ...config, preset, batch: Math.min(defaultBatch(preset), batchLimit(r.preset)) };
}

/** A trace larger than this (seed-gpt's 260 MB) gets no memory prepared ahead: holding it idle would cost too much. */
const PREPARE_MAX_BYTES = 128 * 2 ** 20;

/**
 * Touch memory for the next session's trace now (a recording worker calls it while it waits): a trace's snapshots
 * then go to pages already in memory, which on this kind of machine costs a fraction of new ones. Returns the bytes.
 */
export function prepareNextSession(): number {
	return prepareRecording(PREPARE_MAX_BYTES);
}

/**
 * Build the session: the preset's model (fresh weights drawn from a generator seeded with `seed`, or a
 * checkpoint's), one batch drawn with that generator, and one recorded training step: forward, backward, update.
 */
export function createSession(config: SessionConfig, text: string, checkpoint?: CheckpointFile, given?: GivenBatch): DebugSession {
	if (config.weights === 'trained' && !checkpoint) throw new Error(`trained weights need the bytes of ${checkpointPath(config.preset)}: pass them as the checkpoint`);
	if (!checkpoint) forgetKept();
	const ckpt = checkpoint ? restored(checkpoint, config, text) : null;
	if (ckpt) config = adopted(config, ckpt);
	const preset = ckpt?.preset ?? debugPreset(config.preset);
	if (ckpt && checkpoint) checkVocab(text, ckpt.vocab, preset.format === 'text', config, checkpoint.name);
	// a seeded batch beyond the model's limit is refused (a given batch or text is checked where it is made)
	const problem = given || config.text !== undefined ? null : batchProblem(config.preset, config.batch, preset);
	if (problem) throw new Error(problem);
	const g = new Generator(config.seed);
	const isText = preset.format === 'text';
	const data =
		given && ckpt ? givenData(given, ckpt.vocab, isText) : isText ? textData(text, config.batch, preset.blockSize, g, ckpt?.vocab, config.text) : namesData(text, config.batch, preset.blockSize, g, ckpt?.vocab);
	const model: LanguageModel = ckpt?.model ?? createModel(config.preset, data.vocab.size, g, DEBUG_OVERRIDES[config.preset]);
	const optimizer = makeOptimizer(model, preset);
	const lr = optimizer.lr;
	data.batch.x.name = 'idx';
	data.batch.y.name = 'targets';
	// BatchNorm's other mode, on the same weights and batch: copies of its layers, and the loss in eval mode
	const snaps = snapshotBatchNorms(model);
	const lossEval = snaps.length ? evalLoss(model, data.batch) : null;
	// the same step as training: forward, zero the grads, backward, update — recorded
	const { result, trace } = record(() => trainStep(model, optimizer, data.batch));
	const weights = ckpt?.weights ?? `fresh (seed ${config.seed})`;
	const batchNorm = batchNormEvals(snaps, (scope) => batchNormInput(trace, scope));
	const modules = moduleClasses(model);
	const axes = Object.values(modules).includes('FlattenConsecutive') ? [...data.axes, ...fusedAxes(preset.blockSize)] : data.axes;
	const base = { config: { ...config, dataset: dataset(config) }, trace, chars: [...data.vocab.chars], examples: data.examples, axes, lr, loss: result, weights };
	return { ...base, modules, batchNorm, evalLoss: lossEval };
}

/** The training-mode input of the BatchNorm layer at `scope`: the first input of its recorded batchNorm op. */
function batchNormInput(trace: Trace, scope: string): Tensor | null {
	const node = trace.nodes.find((n) => n.phase === 'forward' && n.op === 'batchNorm' && n.scope === scope);
	const t = node ? trace.tensors.get(node.inputs[0])! : undefined;
	return t ? new Tensor(Float32Array.from(t.values), t.shape) : null;
}
