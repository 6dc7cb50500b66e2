// Model sizes and the memory of a training step, computed from a config before anything is allocated, and the
// checks that refuse a config over the documented limits (data/limits.ts) in milliseconds.
import { formatBytes, formatCount, MAX_BATCH, MAX_MODEL_NUMBERS } from '../data/index';
import { PRESETS, type ModelKind, type Preset } from '../models/index';

/** How each architecture reads its data: gpt free text, the makemore models one name a line. */
export const MODEL_FORMAT: Record<ModelKind, 'names' | 'text'> = { mlp: 'names', 'mlp-bn': 'names', 'mlp-deep': 'names', 'mlp-deep-nobn': 'names', 'seed-mlp': 'names', wavenet: 'names', gpt: 'text', nanogpt: 'text' };

export const MODEL_KINDS = Object.keys(MODEL_FORMAT) as ModelKind[];

/** "a gpt", "an mlp-bn": the article as the name is read aloud (em-el-pee). */
const a = (model: string): string => `${/^(mlp|[aeiou])/.test(model) ? 'an' : 'a'} ${model}`;

/** BatchNorm1d(F): weight, bias, running mean and variance, and the batch counter. */
const batchNorm = (f: number): number => 4 * f + 1;

/** The layer widths of the makemore models: (fan-in, fan-out) of each hidden Linear. */
function hiddenLayers(p: Preset): [number, number][] {
	if (p.model === 'gpt' || p.model === 'nanogpt') return [];
	const { blockSize: T, nEmbd: C, nHidden: H } = p;
	if (p.model === 'wavenet') return Array.from({ length: Math.log2(T) }, (_, s) => [2 * (s === 0 ? C : H), H]);
	const n = p.model === 'mlp-deep' || p.model === 'mlp-deep-nobn' ? (p.nLayer ?? 5) : 1;
	return Array.from({ length: n }, (_, i) => [i === 0 ? T * C : H, H]);
}

/** The numbers (parameters and buffers) of a model, from its config: what the checkpoint and the weights hold. */
export function modelNumbers(p: Preset, vocabSize: number): number {
	const V = vocabSize;
	if (p.model === 'gpt') {
		const { blockSize: T, nEmbd: C, nHead, nLayer: L } = p;
		const hs = Math.floor(C / nHead);
		const head = 3 * C * hs + T * T; // key, query, value, and the causal mask
		const block = nHead * head + (hs * nHead * C + C) + (4 * C * C + 4 * C) + (4 * C * C + C) + 4 * C; // + proj, ffwd, two LayerNorms
		return V * C + T * C + L * block + 2 * C + (C * V + V);
	}
	if (p.model === 'nanogpt') {
		const { blockSize: T, nEmbd: C, nLayer: L, bias } = p;
		const b = bias ? 1 : 0;
		// ln_1, c_attn, c_proj, the mask, ln_2, c_fc, c_proj; lm_head shares wte's weight
		const block = (C + b * C) * 2 + (3 * C * C + b * 3 * C) + (C * C + b * C) + T * T + (4 * C * C + b * 4 * C) + (4 * C * C + b * C);
		return V * C + T * C + L * block + C + b * C;
	}
	const H = p.nHidden;
	const layers = hiddenLayers(p);
	const bn = p.model !== 'mlp' && p.model !== 'mlp-deep-nobn';
	// a hidden Linear has a bias without BatchNorm after it, and in the seed's models (seed-mlp, wavenet with `bias`)
	const bias = !bn || p.model === 'seed-mlp' || (p.model === 'wavenet' && p.bias === true);
	let n = V * p.nEmbd;
	for (const [fanIn, fanOut] of layers) n += fanIn * fanOut + (bias ? fanOut : 0) + (bn ? batchNorm(fanOut) : 0);
	return n + (p.model === 'mlp-deep' ? H * V + batchNorm(V) : H * V + V);
}

/**
 * An upper estimate of the bytes one training step allocates per batch row: the float32 values and gradients of
 * every activation and the backward pass's temporaries, fitted to the engine's measured allocations (T² attention
 * matrices per head, about eight H-wide tensors per hidden layer and position) with a 25% margin; tested against them.
 */
export function stepBytesPerRow(p: Preset, vocabSize: number): number {
	const V = vocabSize;
	const T = p.blockSize;
	let floats: number;
	if (p.model === 'gpt' || p.model === 'nanogpt') {
		const { nEmbd: C, nHead, nLayer: L } = p;
		const hs = Math.floor(C / nHead);
		floats = L * (nHead * (8 * T * hs + 20 * T * T) + 40 * T * C) + 6 * T * V + 6 * T * C;
	} else {
		// each hidden layer sees one position, or a wavenet stage T/2, T/4, … of them
		const positions = hiddenLayers(p).map((_, s) => (p.model === 'wavenet' ? T / 2 ** (s + 1) : 1));
		floats = 2 * T * p.nEmbd + positions.reduce((n, k) => n + 8 * k * p.nHidden, 0) + 6 * V + (p.model === 'mlp-deep' ? 8 * V : 0);
	}
	return Math.ceil(4 * 1.25 * floats);
}

/** The largest batch whose training step fits in `budget` bytes (0 if not even one row does). */
export function largestBatch(p: Preset, vocabSize: number, budget: number): number {
	return Math.min(MAX_BATCH, Math.floor(budget / stepBytesPerRow(p, vocabSize)));
}

/** Refuse a model over the size limit, before it is built. */
export function checkModelSize(p: Preset, vocabSize: number): void {
	const n = modelNumbers(p, vocabSize);
	if (n > MAX_MODEL_NUMBERS) {
		const dims = (['blockSize', 'nEmbd', 'nHidden', 'nHead', 'nLayer'] as const).filter((k) => k in p).map((k) => `${k} ${(p as unknown as Record<string, number>)[k]}`);
		throw new Error(`${a(p.model)} model with ${dims.join(', ')} and a vocabulary of ${vocabSize} would hold ${formatCount(n)} numbers: over the limit of ${formatCount(MAX_MODEL_NUMBERS)}`);
	}
}

/** Refuse a batch whose training step would need more than `budget` bytes (`why`: where that figure comes from), naming the largest that fits. */
export function checkBatchMemory(p: Preset, vocabSize: number, batchSize: number, budget: number, why = ''): void {
	const need = stepBytesPerRow(p, vocabSize) * batchSize;
	if (need <= budget) return;
	const most = largestBatch(p, vocabSize, budget);
	throw new Error(
		`a batch of ${formatCount(batchSize)} would need about ${formatBytes(need)} for one training step of ${a(p.model)}, over the ${formatBytes(budget)} allowed${why}: ` +
			(most > 0 ? `the largest batch that fits is ${formatCount(most)}` : 'not even one row fits; use a smaller model')
	);
}

/**
 * The architecture-level checks of a config whose fields are already type- and range-checked (parseConfig): a known
 * model, a format and preset that agree with it, the shapes it needs (heads dividing channels, WaveNet's powers of
 * two), and the size limit. Throws one message naming the fields.
 */
export function checkArchitecture(p: Preset, vocabSize: number, presetName?: string): void {
	if (!(MODEL_KINDS as string[]).includes(p.model)) throw new Error(`'model' is '${p.model}', not one this version knows (${MODEL_KINDS.join(', ')})`);
	const base = presetName !== undefined && Object.hasOwn(PRESETS, presetName) ? PRESETS[presetName as keyof typeof PRESETS] : null;
	if (base && base.model !== p.model) throw new Error(`'preset' is '${presetName}', ${a(base.model)} model, but 'model' is '${p.model}'`);
	if (p.format !== MODEL_FORMAT[p.model]) {
		throw new Error(`'format' is '${p.format}' but ${a(p.model)} model reads ${MODEL_FORMAT[p.model] === 'text' ? "free text ('text')" : "one name a line ('names')"}`);
	}
	if ((p.model === 'gpt' || p.model === 'nanogpt') && p.nEmbd % p.nHead !== 0) throw new Error(`'nEmbd' ${p.nEmbd} is not divisible by 'nHead' ${p.nHead}: each head takes nEmbd / nHead channels`);
	if (p.model === 'wavenet' && !(p.blockSize >= 2 && Number.isInteger(Math.log2(p.blockSize)))) {
		throw new Error(`'blockSize' is ${p.blockSize}: a wavenet merges pairs, so it must be a power of 2 (2, 4, 8, …)`);
	}
	checkModelSize(p, vocabSize);
}
