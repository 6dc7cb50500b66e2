// A run that diverges stops at once: every step's loss (and, when the last finite weights are kept, the weights) is
// checked, so no NaN ever reaches a checkpoint. Pure TS: the CLI and the browser's training view share it.
import type { Tensor } from '../engine/index';

export interface Divergence {
	/** The step (counted over the whole run, from 1) whose loss or update was not finite. */
	step: number;
	/** That step's loss (NaN, ±Inf, or a finite loss whose update made the weights non-finite). */
	loss: number;
	cause: 'loss' | 'weights';
}

type Store = Tensor['data'];

/** Whether every value is finite (x·0 is 0 for a finite x and NaN for NaN or ±Inf, so one sum tells). */
function finite(d: Store): boolean {
	let s = 0;
	for (let i = 0; i < d.length; i++) s += d[i] * 0;
	return s === 0;
}

/**
 * Watches a model's tensors (parameters and buffers) through a run. `check(step, loss)` after each step returns the
 * first divergence; with `keep`, the weights after the last finite step are copied (a memcpy a step) so that
 * `restore()` puts them back. A loss above `warnAbove` (10 × ln vocab: ten times a fresh model's) is reported once.
 */
export class DivergenceGuard {
	private readonly tensors: Tensor[];
	private readonly copy: Store[] | null;
	/** The step the kept weights are from. */
	private keptStep: number;
	readonly warnAbove: number;
	private warned = false;

	constructor(named: Iterable<[string, Tensor]>, o: { keep: boolean; vocabSize: number; step?: number }) {
		this.tensors = [...named].map(([, t]) => t);
		this.copy = o.keep ? this.tensors.map((t) => t.data.slice()) : null;
		this.keptStep = o.step ?? 0;
		this.warnAbove = 10 * Math.log(o.vocabSize);
	}

	/** After step `step` with its minibatch loss: null while everything is finite, else what diverged. */
	check(step: number, loss: number): Divergence | null {
		if (!Number.isFinite(loss)) return { step, loss, cause: 'loss' };
		if (this.copy) {
			if (!this.finite()) return { step, loss, cause: 'weights' };
			this.tensors.forEach((t, i) => this.copy![i].set(t.data));
			this.keptStep = step;
		}
		return null;
	}

	/** True the first time the loss climbs above warnAbove (a learning rate too high, usually). */
	tooHigh(loss: number): boolean {
		if (this.warned || !(loss > this.warnAbove)) return false;
		this.warned = true;
		return true;
	}

	/** Whether every weight is finite now (check before saving: the last update could have overflowed). */
	finite(): boolean {
		return this.tensors.every((t) => finite(t.data));
	}

	/** Put back the weights of the last finite step (needs `keep`); returns that step. */
	restore(): number {
		if (!this.copy) throw new Error('internal: DivergenceGuard.restore needs keep: true');
		this.tensors.forEach((t, i) => t.data.set(this.copy![i] as never));
		return this.keptStep;
	}
}
