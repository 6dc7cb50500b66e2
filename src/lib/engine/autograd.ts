// Reverse-mode autodiff: topological order (iterative, GPT graphs are deep), rules applied in reverse, grads accumulated.
import { noGrad } from './grad-mode';
import { sameShape, shapeStr } from './shape';
import { persistentStorage, Tensor, type GradNode } from './tensor';
import { add, addInto, full, sumTo } from './kernels/index';
import { ruleOf } from './ops/index';
import type { OpKind } from './ops/types';
import { recorder, unrecorded, type Recorder } from './trace';
import { keepSpare, takeSpare } from './kernels/pool';

/** Tensors reachable from `root` through grad nodes, inputs before the tensors made from them. */
export function topoOrder(root: Tensor): Tensor[] {
	const order: Tensor[] = [];
	const seen = new Set<Tensor>([root]);
	// explicit stack of (tensor, next input to visit) instead of recursion
	const stack: [Tensor, number][] = [[root, 0]];
	while (stack.length) {
		const top = stack[stack.length - 1];
		const inputs = top[0].node?.inputs ?? [];
		if (top[1] < inputs.length) {
			const child = inputs[top[1]++];
			if (child.requiresGrad && !seen.has(child)) {
				seen.add(child);
				stack.push([child, 0]);
			}
		} else {
			order.push(top[0]);
			stack.pop();
		}
	}
	return order;
}

/** A contiguous copy owned by the receiver (accumulated into in place), in storage that outlives a training step. */
function ownedCopy(g: Tensor, owner: Tensor | null = null): Tensor {
	const dtype = g.dtype === 'int32' ? 'float32' : g.dtype;
	const data = (owner && takeSpare(owner, dtype, g.size)) ?? persistentStorage(dtype, g.size);
	const t = new Tensor(data, g.shape);
	t.data.set(g.values());
	return t;
}

/**
 * Forget `t`'s gradient (`p.grad = None`). Inside a training step its storage is kept for `t`'s next gradient, which
 * overwrites it: a gradient read before zeroGrad must be copied to be kept across the next backward in a step.
 */
export function dropGrad(t: Tensor): void {
	if (t.grad !== null) keepSpare(t, t.grad.data);
	t.grad = null;
}

/**
 * Compute gradients of `root` with respect to every leaf that requires grad, accumulating into `.grad`
 * (like `loss.backward()`). `grad` defaults to 1 for a one-element root.
 */
export function backward(root: Tensor, grad?: Tensor): void {
	if (!root.requiresGrad) {
		throw new Error('backward(): this tensor does not require grad: no parameter with requiresGrad fed into it (or it was computed inside noGrad)');
	}
	if (!grad && root.size !== 1) {
		throw new Error(`backward(): the root has shape ${shapeStr(root.shape)}; pass a gradient of that shape, or reduce it to one value first`);
	}
	const seed = grad ?? full(root.shape, 1, root.dtype === 'float64' ? 'float64' : 'float32');
	if (!sameShape(seed.shape, root.shape)) throw new Error(`backward(): gradient shape ${shapeStr(seed.shape)} differs from the root's ${shapeStr(root.shape)}`);
	const rec = recorder();
	if (rec) {
		rec.phase = 'backward';
		rec.tensor(seed, 'grad', { gradOf: root.id });
	}
	const order = topoOrder(root);
	const grads = new Map<Tensor, Tensor>([[root, seed]]);
	const sums = new Set<Tensor>();
	// NOTE: inside a training step the intermediate gradients are left to the step's arena, which takes everything
	// back when the step ends (the leaves' gradients are copied out of it)
	noGrad(() => {
		for (let i = order.length - 1; i >= 0; i--) {
			const t = order[i];
			const g = grads.get(t);
			if (!g) continue;
			grads.delete(t);
			sums.delete(g); // handed to a rule now, which may pass it on (add's backward does): no longer updated in place
			if (t.node === null || t.retainsGrad) accumulateLeaf(t, g, rec);
			if (t.node !== null) propagate(t, g, grads, sums, rec);
		}
	});
}

/**
 * Give back the storage of a step's graph below `root` (op outputs, and what the ops saved for backward) once nothing
 * will read it again: the trainer calls this after a step has read its loss. Kept for the API: the step's arena
 * (kernels/pool.ts) now takes back everything a step allocated when the step ends, so there is nothing to do here.
 */
export function releaseGraph(root: Tensor): void {
	// inside a step the arena takes it all back when the step ends; outside one the garbage collector does
	void root;
}

function accumulateLeaf(t: Tensor, g: Tensor, rec: Recorder | null): void {
	if (t.grad === null) {
		t.grad = ownedCopy(g, t);
		return;
	}
	const prev = rec ? rec.tensor(ownedCopy(t.grad), 'grad', { gradOf: t.id }) : -1;
	addInto(t.grad, g);
	if (rec) {
		const sum = ownedCopy(t.grad);
		rec.tensor(sum, 'grad', { gradOf: t.id });
		rec.node({ op: 'accumulate', inputs: [prev, rec.tensor(g, 'grad', { gradOf: t.id })], output: sum.id, attrs: { target: t.id } });
	}
}

/**
 * Apply the backward rule of the op that made `t`, sending one gradient to each input that needs one.
 * `sums` holds the pending gradients that are sums made here: only this pass sees them, so (when not
 * recording, where each sum must stay as it was) later contributions are added into them in place.
 */
function propagate(t: Tensor, g: Tensor, grads: Map<Tensor, Tensor>, sums: Set<Tensor>, rec: Recorder | null): void {
	const node = t.node!;
	const raw = unrecorded(() => runBackward(node, t, g));
	const sent: number[] = [];
	for (let k = 0; k < node.inputs.length; k++) {
		const x = node.inputs[k];
		const gk = raw[k];
		if (!x.requiresGrad || !gk) {
			sent.push(-1);
			continue;
		}
		if (!canSumTo(gk.shape, x.shape)) {
			throw new Error(`internal: ${node.kind} backward gave a gradient of shape ${shapeStr(gk.shape)} for an input of shape ${shapeStr(x.shape)}`);
		}
		// NOTE: when recording, each gradient gets its own Tensor object (ids), even where a rule passes one through
		const gx = rec ? alias(sumTo(gk, x.shape)) : sumTo(gk, x.shape);
		sent.push(rec ? rec.tensor(gx, 'grad', { gradOf: x.id }) : -1);
		const prev = grads.get(x);
		if (!prev) grads.set(x, gx);
		else if (!rec && sums.has(prev)) addInto(prev, gx);
		else {
			// a fresh sum: either side may be shared with another tensor's pending gradient
			const sum = add(prev, gx);
			grads.set(x, sum);
			sums.add(sum);
			if (rec) {
				rec.tensor(sum, 'grad', { gradOf: x.id });
				rec.node({ op: 'accumulate', inputs: [prev.id, gx.id], output: sum.id, attrs: { target: x.id } });
			}
		}
	}
	if (rec) {
		const gid = rec.tensor(g, 'grad', { gradOf: t.id });
		rec.node({ op: node.kind, inputs: [gid], output: sent.find((s) => s >= 0) ?? -1, attrs: node.attrs, of: node.traceId, grads: sent, scope: rec.trace.nodes[node.traceId]?.scope });
	}
}

function canSumTo(from: readonly number[], to: readonly number[]): boolean {
	if (to.length > from.length) return false;
	for (let i = 0; i < to.length; i++) {
		const f = from[from.length - to.length + i];
		if (to[i] !== 1 && to[i] !== f) return false;
	}
	return true;
}

/** The op's backward rule on its grad node: the gradient of each input from the output's gradient g. */
function runBackward<K extends OpKind>(node: GradNode<K>, out: Tensor, g: Tensor): (Tensor | null)[] {
	return ruleOf(node.kind).backward(g, { inputs: node.inputs, out, attrs: node.attrs, saved: node.saved });
}

function alias(t: Tensor): Tensor {
	return new Tensor(t.data, t.shape, t.strides, t.offset);
}
