// The op table and the one function every op goes through: compute, then link into autograd, then record.
import { isGradEnabled } from '../grad-mode';
import type { Tensor } from '../tensor';
import { recorder } from '../trace';
import { elementwiseRules } from './elementwise';
import { indexRules } from './index-ops';
import { matmulRules } from './matmul';
import { nnRules } from './nn';
import { reduceRules } from './reduce';
import type { OpAttrs, OpKind, RuleTable } from './types';
import { viewRules } from './view';

/** Every op kind with its forward and backward: the type makes a missing kind a compile error. */
export const RULES: RuleTable<OpKind> = {
	...elementwiseRules,
	...reduceRules,
	...viewRules,
	...matmulRules,
	...nnRules,
	...indexRules
};

/**
 * Run op `kind` on `inputs`. When grad mode is on and an input requires grad, the output keeps a
 * GradNode for backward(). When a recording session is on, a forward node is appended to the trace.
 */
export function apply<K extends OpKind>(kind: K, inputs: Tensor[], attrs: OpAttrs[K]): Tensor {
	const { out, saved } = RULES[kind].forward(inputs, attrs);
	let needsGrad = false;
	if (isGradEnabled()) {
		for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) needsGrad = true;
	}
	const rec = recorder();
	let traceId = -1;
	if (rec !== null) {
		const ids = inputs.map((t) => rec.leaf(t));
		rec.tensor(out, 'op');
		traceId = rec.node({ op: kind, inputs: ids, output: out.id, attrs: attrs as never });
	}
	if (needsGrad) {
		out.requiresGrad = true;
		out.node = { kind, inputs, attrs, saved, traceId };
	}
	return out;
}

export type { OpAttrs, OpKind } from './types';
