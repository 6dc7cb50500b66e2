// The shape of the op table: every op kind has attrs, a forward and a backward (a kind without one does not compile).
import type { Tensor } from '../tensor';
import type { ElementwiseAttrs } from './elementwise';
import type { ReduceAttrs } from './reduce';
import type { ViewAttrs } from './view';
import type { MatmulAttrs } from './matmul';
import type { NnAttrs } from './nn';
import type { IndexAttrs } from './index-ops';

/** Attrs of every op kind, by kind. Each ops file declares its own part. */
export interface OpAttrs extends ElementwiseAttrs, ReduceAttrs, ViewAttrs, MatmulAttrs, NnAttrs, IndexAttrs {}

export type OpKind = keyof OpAttrs;

/** What a backward rule is given: the forward's inputs, output, attrs and whatever it saved. */
export interface Ctx<A> {
	inputs: readonly Tensor[];
	out: Tensor;
	attrs: A;
	saved: unknown;
}

/** The forward result: the output, and anything the backward needs that the inputs and output do not hold. */
export interface Forward {
	out: Tensor;
	saved?: unknown;
}

/**
 * An op: `forward` computes eagerly; `backward` maps the gradient of the output to one gradient per input
 * (null where an input takes none). Gradients may have the broadcast shape: autograd sums them back.
 */
export interface Rule<A> {
	forward(inputs: readonly Tensor[], attrs: A): Forward;
	backward(grad: Tensor, ctx: Ctx<A>): (Tensor | null)[];
}

/** A part of the op table, for the kinds K. */
export type RuleTable<K extends OpKind> = { [P in K]: Rule<OpAttrs[P]> };
