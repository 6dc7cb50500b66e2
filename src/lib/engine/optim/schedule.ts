// Learning-rate schedules: a function from the step number (0-based) to the learning rate.

/** The learning rate at step `step` (0-based: the first update is step 0). */
export type Schedule = (step: number) => number;

/** The same rate at every step. */
export const constantLr = (lr: number): Schedule => () => lr;

/**
 * The makemore lectures' step decay: `lr = 0.1 if i < 100000 else 0.01` is `stepLr(0.1, 100_000, 0.01)`.
 */
export function stepLr(lr: number, decayAt: number, lrAfter: number): Schedule {
	return (step) => (step < decayAt ? lr : lrAfter);
}

/** A schedule from a number (constant) or a schedule. */
export function toSchedule(lr: number | Schedule): Schedule {
	return typeof lr === 'number' ? constantLr(lr) : lr;
}
