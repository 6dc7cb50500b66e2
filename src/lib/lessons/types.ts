// What a lesson is: a model to record, and stops in it, each with a few sentences. Data only: a teacher writes one.
import type { Phase } from '../engine/index';
import type { DatasetName, Preset } from '../train/session';

/**
 * A box of the graph. A forward op by its kind (`'tanh'`, `'matmul'`), optionally the module it runs in (`'2'`,
 * `'blocks.0.sa.heads.0'`) and which match counting from 0 (`nth`); or a parameter or data input by name (`'0.weight'`, `'idx'`);
 * or any box by the name lecture 4 gives it (`'counts'`, `'bndiff'`, `'hprebn'`: the mlp presets).
 */
export type NodeRef = { op: string; scope?: string; nth?: number } | { tensor: string } | { lecture: string };

/**
 * A stop of the stepper: the step of `phase` that happens at `node`. `kind` tells apart the steps at one box: a forward
 * op (`'op'`, the default in forward), its backward (`'grad'`, the default in backward), a gradient summed into the
 * op's output (`'accumulate'`) or a parameter's optimizer step (`'update'`, the default in update).
 */
export interface StopAt {
	phase: Phase;
	node: NodeRef;
	kind?: 'op' | 'grad' | 'accumulate' | 'update';
	/** Which of the matching steps, from 0 (a tensor with several accumulates). */
	nth?: number;
}

export interface Stop {
	/** A few words, shown as the stop's heading. */
	title: string;
	/** One to three sentences. `backticks` mark code. */
	text: string;
	/** Where the stepper goes; omitted: before the first step. */
	at?: StopAt;
	/** The box the inspector shows instead of the step's own (a parameter, an earlier op). */
	select?: NodeRef;
	/** At a backward step: the input whose gradient the inspector opens (0 = the first input). */
	slot?: number;
	/** Modules to open (transformer blocks start collapsed): `['blocks.0']`. */
	open?: string[];
	/** Another model for this stop (default: the lesson's). */
	preset?: Preset;
	/** A link shown with the stop (another view of the same idea). */
	link?: { href: string; label: string };
}

export interface Lesson {
	/** The address: `/lessons/<slug>`. */
	slug: string;
	title: string;
	/** One sentence for the lesson list. */
	summary: string;
	/** The lecture it follows. */
	lecture: string;
	/** The model, seed, batch and dataset recorded for every stop (a stop may name another preset). */
	preset: Preset;
	seed?: number;
	batch?: number;
	dataset?: DatasetName;
	/** Show the fused ops (crossEntropy, batchNorm, layerNorm) the long way, as lecture 4's primitive steps. */
	long?: boolean;
	stops: Stop[];
}
