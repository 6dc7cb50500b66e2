// "Check gradient": replay a trace's forward ops in float64 with one element nudged, for a finite-difference estimate.
import { applyOp, isOpKind, noGrad, Tensor, type Trace } from '../engine/index';

export interface NumericGrad {
	/** (L(x + ε) − L(x − ε)) / 2ε, in float64. */
	value: number;
	eps: number;
	/** How many forward ops were re-run per evaluation. */
	ops: number;
}

/** A float64 copy of a recorded tensor (int32 stays int32: indices and targets). */
function fromTrace(trace: Trace, id: number): Tensor {
	const t = trace.tensors.get(id);
	if (!t) throw new Error(`gradient check: tensor ${id} is not in the trace`);
	if (t.dtype === 'int32') return new Tensor(Int32Array.from(t.values), t.shape);
	return new Tensor(Float64Array.from(t.values), t.shape);
}

/**
 * ∂loss/∂(element k of tensor `id`) by central differences: the forward ops from the one that first reads
 * `id` to the loss are replayed in float64 (everything upstream is taken from the trace, as recorded).
 * Returns null when the tensor does not reach the loss. ε = 1e-5·max(1, |x|): float64 rounding (1e-16/ε)
 * and the curvature term (ε²) are both far below float32's precision of the analytic gradient.
 */
export function numericGrad(trace: Trace, id: number, k: number, loss: number): NumericGrad | null {
	const fwd = trace.nodes.filter((n) => n.phase === 'forward');
	const made = fwd.findIndex((n) => n.output === id);
	const start = made >= 0 ? made + 1 : fwd.findIndex((n) => n.inputs.includes(id));
	const end = fwd.findIndex((n) => n.output === loss);
	if (start < 0 || end < 0 || start > end) return id === loss ? { value: 1, eps: 0, ops: 0 } : null;
	const base = fromTrace(trace, id);
	if (k < 0 || k >= base.size) throw new Error(`gradient check: element ${k} is out of range for a tensor of ${base.size} elements`);
	const x0 = base.data[k];
	const eps = 1e-5 * Math.max(1, Math.abs(x0));
	const at = (v: number): number => {
		const env = new Map<number, Tensor>();
		const nudged = new Tensor(Float64Array.from(base.data), base.shape);
		nudged.data[k] = v;
		env.set(id, nudged);
		const get = (tid: number): Tensor => {
			let t = env.get(tid);
			if (!t) {
				t = fromTrace(trace, tid);
				env.set(tid, t);
			}
			return t;
		};
		noGrad(() => {
			for (let i = start; i <= end; i++) {
				const n = fwd[i];
				if (!isOpKind(n.op)) throw new Error(`gradient check: trace node ${n.id} ('${n.op}') is not an op to re-run`);
				env.set(n.output, applyOp(n.op, n.inputs.map(get), n.attrs));
			}
		});
		return get(loss).data[0];
	};
	return { value: (at(x0 + eps) - at(x0 - eps)) / (2 * eps), eps, ops: end - start + 1 };
}

/** Above this relative error the inspector marks a check as failed (float32's analytic gradient against float64's estimate). */
export const GRAD_CHECK_TOLERANCE = 1e-2;

/**
 * How far backward's value is from the finite-difference estimate: |n − a| / (|n| + |a|), from 0 when they agree to 1
 * when one is 0 and the other not, or their signs differ (both 0: 0, not a division by zero).
 */
export function gradAgreement(numeric: number, analytic: number): { relErr: number; ok: boolean } {
	const scale = Math.abs(numeric) + Math.abs(analytic);
	const relErr = scale === 0 ? 0 : Math.abs(numeric - analytic) / Math.max(1e-8, scale);
	return { relErr, ok: relErr < GRAD_CHECK_TOLERANCE };
}
