// The op table and the one function every op goes through: compute, then link into autograd, then record.
import { isGradEnabled } from '../grad-mode';
import type { Tensor } from '../tensor';
import { recorder, type Attrs } from '../trace';
import { elementwiseRules } from './elementwise';
import { indexRules } from './index-ops';
import { matmulRules } from './matmul';
import { nnRules } from './nn';
import { reduceRules } from './reduce';
import type { OpAttrs, OpKind, Rule, RuleTable } from './types';
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

/** The rule of an op kind, typed by its attrs. */
export function ruleOf<K extends OpKind>(kind: K): Rule<OpAttrs[K]> {
	return RULES[kind];
}

/** Whether a name is an op kind of the table (trace nodes also hold 'accumulate' and 'update'). */
export function isOpKind(op: string): op is OpKind {
	return Object.prototype.hasOwnProperty.call(RULES, op);
}

/**
 * Run op `kind` on `inputs`. When grad mode is on and an input requires grad, the output keeps a
 * GradNode for backward(). When a recording session is on, a forward node is appended to the trace.
 */
export function apply<K extends OpKind>(kind: K, inputs: Tensor[], attrs: OpAttrs[K]): Tensor {
	const { out, saved } = ruleOf(kind).forward(inputs, attrs);
	let needsGrad = false;
	if (isGradEnabled()) {
		for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) needsGrad = true;
	}
	const rec = recorder();
	let traceId = -1;
	if (rec !== null) {
		const ids = inputs.map((t) => rec.leaf(t));
		rec.tensor(out, 'op');
		traceId = rec.node({ op: kind, inputs: ids, output: out.id, attrs });
	}
	if (needsGrad) {
		out.requiresGrad = true;
		out.node = { kind, inputs, attrs, saved, traceId };
	}
	return out;
}

/** Run op `kind` on attrs as a trace node recorded them (the debugger replays traces with it). */
export function replay(kind: OpKind, inputs: Tensor[], attrs: Attrs): Tensor {
	// NOTE: a trace node's attrs are the op's own attrs object, recorded as it was given: plain data of the op's type
	return apply(kind, inputs, attrs as OpAttrs[OpKind]);
}

export type { OpAttrs, OpKind } from './types';
