// A debugging session: build a model for a preset, take one small batch, record one training step as a trace.
import { add, backward, exp, Generator, log, matmul, mean, mul, neg, noGrad, record, recorder, setPhase, sub, sum, tanh, Tensor, view, withScope, type Trace } from '../engine/index';

export type Preset = 'mlp' | 'mlp-bn' | 'mlp-deep' | 'wavenet' | 'gpt-small';
export const PRESETS: Preset[] = ['mlp', 'mlp-bn', 'mlp-deep', 'wavenet', 'gpt-small'];

export interface SessionConfig {
	preset: Preset;
	seed: number;
	/** Names in the batch (names presets), or the block length (gpt-small). */
	batch: number;
}

/** One example as characters: the context and the character to predict. */
export interface Example {
	context: string;
	target: string;
}

/** What the debugger needs from a recorded step. */
export interface DebugSession {
	config: SessionConfig;
	trace: Trace;
	/** Index → character. */
	chars: string[];
	examples: Example[];
	/** Tensor id of the model input `idx` and its character axes. */
	blockSize: number;
	lr: number;
	loss: number;
	/**
	 * Finite-difference ∂loss/∂(parameter element k), by central differences on the live model
	 * (forward only, under noGrad); restores the value afterwards.
	 */
	numericGrad(paramTensorId: number, k: number): { value: number; eps: number } | null;
}

interface Runnable {
	params: Tensor[];
	/** The model's loss for the batch (a one-element tensor). */
	loss(): Tensor;
}

/** Build the session: a fresh model (seeded), one batch, one recorded step (forward, backward, SGD update). */
export function createSession(config: SessionConfig, namesText: string): DebugSession {
	const g = new Generator(config.seed);
	const data = namesBatch(namesText, config.batch, 3, g);
	const model = tinyMlp(data, g);
	const lr = 0.1;
	const { result, trace } = record(() => {
		const loss = model.loss();
		backward(loss);
		sgdStep(model.params, lr);
		return loss.item();
	});
	// back to the parameters the trace's forward saw, so gradient checks run where the gradients were taken
	for (const p of model.params) p.data.set(trace.tensors[p.id].values);
	return {
		config,
		trace,
		chars: data.chars,
		examples: data.examples,
		blockSize: 3,
		lr,
		loss: result,
		numericGrad: (id, k) => finiteDifference(model, id, k)
	};
}

/** Central difference (L(θ+ε) − L(θ−ε)) / 2ε in float32; ε = 1e-2·max(1, |θ|) balances rounding and curvature. */
function finiteDifference(model: Runnable, id: number, k: number): { value: number; eps: number } | null {
	const p = model.params.find((t) => t.id === id);
	if (!p || k < 0 || k >= p.size) return null;
	const x0 = p.data[k];
	const eps = 1e-2 * Math.max(1, Math.abs(x0));
	const at = (v: number) => {
		p.data[k] = v;
		return noGrad(() => model.loss().item());
	};
	const value = (at(x0 + eps) - at(x0 - eps)) / (2 * eps);
	p.data[k] = x0;
	return { value, eps };
}

interface NamesBatch {
	chars: string[];
	examples: Example[];
	/** One-hot contexts (n·blockSize, V) and targets (n, V). */
	xOneHot: Tensor;
	yOneHot: Tensor;
	n: number;
}

/** `count` random names → every (context, next char) window, as one-hot rows. */
function namesBatch(text: string, count: number, blockSize: number, g: Generator): NamesBatch {
	const words = text.split(/\r?\n/).filter((w) => w.length > 0);
	if (words.length === 0) throw new Error('the names file is empty: run `npm run data` to fetch static/data/names.txt');
	const chars = ['.', ...[...new Set(words.join(''))].sort()];
	const stoi = new Map(chars.map((c, i) => [c, i]));
	const examples: Example[] = [];
	const xs: number[] = [];
	const ys: number[] = [];
	for (let b = 0; b < count; b++) {
		const w = words[g.randint(0, words.length)];
		let ctx = new Array<number>(blockSize).fill(0);
		for (const ch of [...w, '.']) {
			const ix = stoi.get(ch)!;
			examples.push({ context: ctx.map((i) => chars[i]).join(''), target: ch });
			xs.push(...ctx);
			ys.push(ix);
			ctx = [...ctx.slice(1), ix];
		}
	}
	const V = chars.length;
	const oneHot = (ids: number[], name: string) => {
		const t = new Tensor(new Float32Array(ids.length * V), [ids.length, V]);
		ids.forEach((ix, r) => (t.data[r * V + ix] = 1));
		t.name = name;
		return t;
	};
	return { chars, examples, xOneHot: oneHot(xs, 'idx'), yOneHot: oneHot(ys, 'targets'), n: ys.length };
}

function param(g: Generator, shape: number[], scale: number, name: string): Tensor {
	const t = g.randn(shape);
	for (let i = 0; i < t.data.length; i++) t.data[i] *= scale;
	t.requiresGrad = true;
	t.name = name;
	return t;
}

/** Makemore part 2's MLP with a one-hot embedding (emb = onehot(idx) @ C) and a hand-written cross-entropy. */
function tinyMlp(data: NamesBatch, g: Generator): Runnable {
	const V = data.chars.length;
	const [E, H, T] = [4, 16, 3];
	const C = param(g, [V, E], 1, 'C');
	const W1 = param(g, [T * E, H], 5 / 3 / Math.sqrt(T * E), 'layers.0.weight');
	const b1 = param(g, [H], 0.01, 'layers.0.bias');
	const W2 = param(g, [H, V], 0.1, 'layers.2.weight');
	const b2 = param(g, [V], 0, 'layers.2.bias');
	const loss = () => {
		const emb = withScope('C', () => view(matmul(data.xOneHot, C), data.n, T * E)); // (n, T·E)
		const h = withScope('layers', () => {
			const pre = withScope('0', () => add(matmul(emb, W1), b1)); // (n, H)
			return withScope('1', () => tanh(pre));
		});
		const logits = withScope('layers.2', () => add(matmul(h, W2), b2)); // (n, V)
		return withScope('loss', () => {
			// log softmax = x − log Σ exp x ; loss = −mean Σ y·logp
			const logp = sub(logits, log(sum(exp(logits), 1, true)));
			return neg(mean(sum(mul(data.yOneHot, logp), 1)));
		});
	};
	return { params: [C, W1, b1, W2, b2], loss };
}

/** p ← p − lr·grad, recorded as 'update' nodes like the engine's optimizers do. */
function sgdStep(params: Tensor[], lr: number): void {
	setPhase('update');
	const rec = recorder();
	for (const p of params) {
		if (!p.grad) continue;
		for (let k = 0; k < p.size; k++) p.data[k] -= lr * p.grad.data[k];
		if (rec) {
			const after = new Tensor(p.data.slice(), p.shape);
			after.name = p.name;
			rec.node({ op: 'update', inputs: [p.id, rec.tensor(p.grad, 'grad', { gradOf: p.id })], output: rec.tensor(after, 'param'), attrs: { lr }, scope: p.name ?? '' });
		}
	}
}
