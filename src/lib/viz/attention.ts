// Every head's attention, read from the engine's own trace of a GPT run on one text: q, k, v, scores, weights, and
// ∂L/∂weights from a backward pass of the next-character loss. Plain typed arrays, so they cross to the page.
import { backward, causalMask, crossEntropy, matmul, mul, noGrad, record, recycle, slice, softmax, Tensor, transpose, view, where, type Trace, type TraceNode } from '../engine/index';
import type { LanguageModel } from '../models/index';
import { headScope } from './attention-links';

/** How the scores are scaled before the softmax: the model's 1/√head_size, gpt.py's slip 1/√n_embd, or not at all. */
export type ScaleChoice = 'headSize' | 'nEmbd' | 'none';
export const SCALE_CHOICES: ScaleChoice[] = ['headSize', 'nEmbd', 'none'];

/** A (T, T) map under another scaling of the same q·kᵀ (a what-if: not what the model computes). */
export interface Rescaled {
	scaled: Float32Array;
	weights: Float32Array;
}

/** One head on one text, row-major, from the trace (T = text length, hs = head size). */
export interface HeadMaps {
	layer: number;
	head: number;
	/** (T, hs) each: the query, key and value projections of the block's normalised input. */
	q: Float32Array;
	k: Float32Array;
	v: Float32Array;
	/** (T, T): q·kᵀ, then times `scale`, then the future set to −∞, then softmax over each row (the weights). */
	scores: Float32Array;
	scaled: Float32Array;
	masked: Float32Array;
	weights: Float32Array;
	/** (T, hs): weights · v, the head's output. */
	out: Float32Array;
	/** The factor the model multiplied q·kᵀ by (1/√head_size in gpt.py's Head). */
	scale: number;
	/** (T, T): ∂L/∂weights and ∂L/∂(scaled scores), from backward; null without a loss (a text of 1 character). */
	gradWeights: Float32Array | null;
	gradScores: Float32Array | null;
	/** The same q·kᵀ under the scalings the model does not use, computed with the engine's ops. */
	whatIf: Partial<Record<ScaleChoice, Rescaled>>;
}

/** All heads of a GPT on a text: layer-major (`heads[layer · nHead + head]`). */
export interface AttentionMaps {
	text: string;
	T: number;
	nLayer: number;
	nHead: number;
	headSize: number;
	nEmbd: number;
	heads: HeadMaps[];
	/** The mean next-character loss over positions 0 … T−2 (null for one character). */
	loss: number | null;
}

/** What the explorer needs of a GPT: its sizes (the model's config). */
export interface GptShape {
	nLayer: number;
	nHead: number;
	nEmbd: number;
	blockSize: number;
	/** nanoGPT's layout: one CausalSelfAttention a layer computing all heads as one (1, nHead, T, ·) tensor. */
	fused?: boolean;
}

/** The factor of a scaling choice for a head of `headSize` in a model of `nEmbd` channels. */
export function scaleFactor(choice: ScaleChoice, headSize: number, nEmbd: number): number {
	return choice === 'headSize' ? headSize ** -0.5 : choice === 'nEmbd' ? nEmbd ** -0.5 : 1;
}

/**
 * Run `model` on the token ids (eval mode) under `record()`: the forward pass, then for two or more tokens the mean
 * cross-entropy of predicting ids[1 …] from positions 0 … T−2 and its backward pass. The last position has nothing
 * to predict, so its query row gets no gradient.
 */
export function recordRun(model: LanguageModel, ids: Int32Array): { trace: Trace; loss: number | null } {
	const T = ids.length;
	const idx = new Tensor(ids, [1, T]);
	idx.name = 'idx';
	const { result, trace } = record(() => {
		const { logits } = model.forward(idx); // (1, T, V)
		if (T < 2) return null;
		const V = logits.shape[2];
		const targets = new Tensor(ids.slice(1), [T - 1]);
		targets.name = 'targets';
		const loss = crossEntropy(view(slice(logits, 1, 0, T - 1), T - 1, V), targets); // (T−1, V) against (T−1)
		backward(loss);
		return loss.values()[0];
	});
	model.zeroGrad();
	return { trace, loss: result };
}

/** A trace node's output values as float32 (a copy of the engine's). */
function values(trace: Trace, id: number): Float32Array {
	return Float32Array.from(trace.tensors.get(id)!.values);
}

/** The forward nodes of each module scope, in order. */
function byScope(trace: Trace): Map<string, TraceNode[]> {
	const m = new Map<string, TraceNode[]>();
	for (const n of trace.nodes) {
		if (n.phase !== 'forward') continue;
		const list = m.get(n.scope);
		if (list) list.push(n);
		else m.set(n.scope, [n]);
	}
	return m;
}

/** The backward node of each forward node. */
function gradNodes(trace: Trace): Map<number, TraceNode> {
	const m = new Map<number, TraceNode>();
	for (const n of trace.nodes) if (n.phase === 'backward' && n.of !== undefined) m.set(n.of, n);
	return m;
}

/**
 * Pick one head out of a trace by its scope: key/query/value are the last matmul of their Linear's scope; in the head's
 * own scope, q·kᵀ is the first matmul, the scaled scores are what `where` masks, and weights·v is the last matmul.
 */
function pickHead(trace: Trace, scopes: Map<string, TraceNode[]>, grads: Map<number, TraceNode>, layer: number, head: number): Omit<HeadMaps, 'whatIf'> {
	const scope = headScope(layer, head);
	const own = scopes.get(scope) ?? [];
	const linear = (name: string) => (scopes.get(`${scope}.${name}`) ?? []).filter((n) => n.op === 'matmul').at(-1);
	const matmuls = own.filter((n) => n.op === 'matmul');
	const masking = own.find((n) => n.op === 'where');
	const soft = own.find((n) => n.op === 'softmax');
	const scaling = own.find((n) => n.op === 'mul');
	const [q, k, v] = [linear('query'), linear('key'), linear('value')];
	if (!q || !k || !v || matmuls.length < 2 || !masking || !soft || !scaling) throw new Error(`the trace has no attention head at ${scope}: is this a GPT?`);
	const factor = scaling.inputs.map((id) => trace.tensors.get(id)!).find((t) => t.values.length === 1);
	const gradSoft = grads.get(soft.id);
	const gradWhere = grads.get(masking.id);
	return {
		layer,
		head,
		q: values(trace, q.output),
		k: values(trace, k.output),
		v: values(trace, v.output),
		scores: values(trace, matmuls[0].output),
		scaled: values(trace, masking.inputs[1]),
		masked: values(trace, masking.output),
		weights: values(trace, soft.output),
		out: values(trace, matmuls[matmuls.length - 1].output),
		scale: factor ? factor.values[0] : NaN,
		// backward of softmax receives ∂L/∂weights; backward of where sends ∂L/∂(scaled scores) to its input 1
		gradWeights: gradSoft ? values(trace, gradSoft.inputs[0]) : null,
		gradScores: gradWhere?.grads && gradWhere.grads[1] >= 0 ? values(trace, gradWhere.grads[1]) : null
	};
}

/** Head `h` of a (…, nh, rows, cols) tensor's values, as (rows, cols); with `transposed`, its (cols, rows) transpose. */
function headPart(trace: Trace, id: number, h: number, rows: number, cols: number, transposed = false): Float32Array {
	const all = trace.tensors.get(id)!.values;
	const part = Float32Array.from(all.subarray(h * rows * cols, (h + 1) * rows * cols));
	if (!transposed) return part;
	const out = new Float32Array(part.length);
	for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = part[i * cols + j];
	return out;
}

/**
 * nanoGPT's head `head` of layer `layer`: in `transformer.h.{layer}.attn`, q·kᵀ is the first matmul (its inputs q and
 * kᵀ, (1, nh, T, hs) and (1, nh, hs, T)), weights·v the last (v its second input); each map is head `head`'s slice.
 */
function pickFusedHead(trace: Trace, scopes: Map<string, TraceNode[]>, grads: Map<number, TraceNode>, layer: number, head: number, T: number, hs: number): Omit<HeadMaps, 'whatIf'> {
	const scope = `transformer.h.${layer}.attn`;
	const own = scopes.get(scope) ?? [];
	const matmuls = own.filter((n) => n.op === 'matmul');
	const masking = own.find((n) => n.op === 'where');
	const soft = own.find((n) => n.op === 'softmax');
	const scaling = own.find((n) => n.op === 'mul');
	if (matmuls.length < 2 || !masking || !soft || !scaling) throw new Error(`the trace has no attention at ${scope}: is this a nanoGPT?`);
	const [qk, wv] = [matmuls[0], matmuls[matmuls.length - 1]];
	const factor = scaling.inputs.map((id) => trace.tensors.get(id)!).find((t) => t.values.length === 1);
	const gradSoft = grads.get(soft.id);
	const gradWhere = grads.get(masking.id);
	const tt = (id: number) => headPart(trace, id, head, T, T);
	return {
		layer, head,
		q: headPart(trace, qk.inputs[0], head, T, hs),
		k: headPart(trace, qk.inputs[1], head, hs, T, true),
		v: headPart(trace, wv.inputs[1], head, T, hs),
		scores: tt(qk.output), scaled: tt(masking.inputs[1]), masked: tt(masking.output), weights: tt(soft.output),
		out: headPart(trace, wv.output, head, T, hs),
		scale: factor ? factor.values[0] : NaN,
		gradWeights: gradSoft ? tt(gradSoft.inputs[0]) : null,
		gradScores: gradWhere?.grads && gradWhere.grads[1] >= 0 ? tt(gradWhere.grads[1]) : null
	};
}

/** softmax(where(future, −∞, q·kᵀ · factor)) with the engine's ops, for q and k of shape (T, hs). */
export function attentionWeights(q: Float32Array, k: Float32Array, T: number, headSize: number, factor: number): Rescaled {
	return noGrad(() => {
		const qt = new Tensor(Float32Array.from(q), [T, headSize]);
		const kt = new Tensor(Float32Array.from(k), [T, headSize]);
		const scaled = mul(matmul(qt, transpose(kt, 0, 1)), factor); // (T, hs) @ (hs, T) → (T, T)
		const wei = softmax(where(causalMask(T), -Infinity, scaled), -1); // (T, T)
		return { scaled: Float32Array.from(scaled.values()), weights: Float32Array.from(wei.values()) };
	});
}

/** The what-ifs of a head: its q·kᵀ under each scaling whose factor differs from the model's own. */
function whatIfs(h: Omit<HeadMaps, 'whatIf'>, T: number, headSize: number, nEmbd: number): HeadMaps['whatIf'] {
	const out: HeadMaps['whatIf'] = {};
	for (const choice of SCALE_CHOICES) {
		const f = scaleFactor(choice, headSize, nEmbd);
		if (Math.abs(f - h.scale) > 1e-7 * f) out[choice] = attentionWeights(h.q, h.k, T, headSize, f);
	}
	return out;
}

/** Every head's maps from a recorded run of a GPT of shape `shape` on `text` (T = its length). */
export function attentionFromTrace(trace: Trace, shape: GptShape, text: string, loss: number | null): AttentionMaps {
	const T = Array.from(text).length;
	const headSize = Math.floor(shape.nEmbd / shape.nHead);
	const scopes = byScope(trace);
	const grads = gradNodes(trace);
	const heads: HeadMaps[] = [];
	for (let l = 0; l < shape.nLayer; l++) {
		for (let h = 0; h < shape.nHead; h++) {
			const picked = shape.fused ? pickFusedHead(trace, scopes, grads, l, h, T, headSize) : pickHead(trace, scopes, grads, l, h);
			heads.push({ ...picked, whatIf: whatIfs(picked, T, headSize, shape.nEmbd) });
		}
	}
	return { text, T, nLayer: shape.nLayer, nHead: shape.nHead, headSize, nEmbd: shape.nEmbd, heads, loss };
}

/**
 * Run `model` on `text`'s ids recorded and read every head's maps (copies), then give the trace's memory back for the
 * next run: the explorer's path, where a text change must repaint within 300 ms and fresh memory costs most.
 */
export function attentionOfText(model: LanguageModel, ids: Int32Array, shape: GptShape, text: string): AttentionMaps {
	const { trace, loss } = recordRun(model, ids);
	const maps = attentionFromTrace(trace, shape, text, loss);
	recycle(trace);
	return maps;
}

/** The weights a grid shows for a scaling: the model's own when it uses that scaling, else the what-if. */
export function shownWeights(h: HeadMaps, choice: ScaleChoice): { weights: Float32Array; scaled: Float32Array; whatIf: boolean } {
	const alt = h.whatIf[choice];
	return alt ? { ...alt, whatIf: true } : { weights: h.weights, scaled: h.scaled, whatIf: false };
}

/** How peaked the rows of a (T, T) causal weight map are: the mean largest weight and the mean entropy in bits. */
export function sharpness(weights: ArrayLike<number>, T: number): { meanMax: number; meanEntropy: number } {
	let maxSum = 0;
	let entSum = 0;
	for (let i = 0; i < T; i++) {
		let m = 0;
		let e = 0;
		for (let j = 0; j <= i; j++) {
			const w = weights[i * T + j];
			if (w > m) m = w;
			if (w > 0) e -= w * Math.log2(w);
		}
		maxSum += m;
		entSum += e;
	}
	return { meanMax: maxSum / T, meanEntropy: entSum / T };
}
