// What each signal does during `train`: only a signal after "press Ctrl-C again to quit without saving" quits without saving.
import { describe, expect, it } from 'vitest';
import { Interrupts } from '../../../src/cli/signals';

function watch() {
	const log: string[] = [];
	const quits: number[] = [];
	const i = new Interrupts((s) => log.push(s.trim()), (code) => quits.push(code));
	return { i, log, quits };
}

describe('Interrupts', () => {
	it('first Ctrl-C stops after the step; a copy within a second (npm forwards it) is the same press', () => {
		const { i, log, quits } = watch();
		i.receive('SIGINT', 10_000);
		i.receive('SIGINT', 10_400);
		expect([i.stop, i.skipEval, i.exitCode]).toEqual([true, false, 130]);
		expect(log).toEqual(['Ctrl-C: stopping after this step; what was trained will be evaluated and saved (Ctrl-C again skips the evaluation)']);
		// a real second press skips the evaluation and arms the quit; only the one after that message quits
		i.receive('SIGINT', 12_000);
		expect(i.skipEval).toBe(true);
		expect(log[1]).toBe('Ctrl-C: skipping the evaluation and saving what was trained now (press Ctrl-C again to quit without saving)');
		expect(quits).toEqual([]);
		i.receive('SIGINT', 12_500); // a copy of that press
		expect(quits).toEqual([]);
		i.receive('SIGINT', 14_000);
		expect(quits).toEqual([130]);
		expect(log[2]).toBe('Ctrl-C again: quitting without saving');
	});

	it('a signal during the final evaluation skips it and saves; SIGTERM and SIGHUP act like Ctrl-C with their exit codes', () => {
		const during = watch();
		during.i.phase = 'evaluating';
		during.i.receive('SIGINT', 0);
		expect([during.i.stop, during.i.skipEval, during.quits]).toEqual([true, true, []]);
		expect(during.log).toEqual(['Ctrl-C: skipping the evaluation and saving what was trained now (press Ctrl-C again to quit without saving)']);
		for (const [sig, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
			const { i, log } = watch();
			i.receive(sig, 0);
			expect([i.stop, i.skipEval, i.exitCode], sig).toEqual([true, false, code]);
			expect(log[0]).toMatch(new RegExp(`^${sig}.*: stopping after this step; what was trained will be evaluated and saved`));
		}
	});
});
