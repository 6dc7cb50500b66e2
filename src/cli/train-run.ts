// `makemore train`'s run: the steps (watched for divergence and for signals), the final evaluation, the save.
import type { Optimizer } from '../lib/engine/index';
import { exampleCount, type Dataset } from '../lib/data/index';
import type { LanguageModel, Preset } from '../lib/models/index';
import { finalEvalRows, runConfig, saveModel } from '../lib/train/checkpoint';
import { DivergenceGuard, type Divergence } from '../lib/train/guard';
import { batchGenerator } from '../lib/train/schedule';
import { evaluateSteps, startLoop, type EvalResult, type LoopResult, type LoopRun } from '../lib/train/trainer';
import { dataLabel, fmt } from './io';
import { divergedPath, type Output } from './output';
import { reporter, runEvaluation, yieldToEvents } from './progress';
import type { Interrupts } from './signals';

/** What a run starts from: a preset's fresh model, or a checkpoint to train further. */
export interface Start {
	name: string;
	/** The schedule; `steps` is the run's total, counting the steps already taken. */
	preset: Preset;
	ds: Dataset;
	data: string;
	model: LanguageModel;
	optimizer: Optimizer;
	seed: number;
	/** Steps already taken, and the seconds they took. */
	done: number;
	seconds: number;
}

export interface RunContext {
	output: Output;
	interrupts: Interrupts;
	/** Progress messages (silent with --quiet). */
	log: (s: string) => void;
	quiet?: boolean;
	/** Keep the last finite weights when the run diverges (`X.diverged.safetensors`). */
	saveOnDiverge?: boolean;
	/** The checkpoint path as the user wrote it, for the --resume hint. */
	out: string;
}

/** The learning rate of step `step` (from 1): the lectures' `0.1 if i < decay else 0.01`, with i = step − 1. */
export function lrAt(p: Preset, step: number): number {
	return p.lrDecayAt !== undefined && p.lrAfter !== undefined && step - 1 >= p.lrDecayAt ? p.lrAfter : p.lr;
}

/** What every checkpoint of the run records besides its losses (steps taken, and the seconds of this part of it). */
function runSummary(s: Start, steps: number, seconds: number) {
	return { seed: s.seed, steps, scheduleSteps: s.preset.steps, data: dataLabel(s.data), seconds: s.seconds + seconds };
}

/** Take the steps: yield to the event loop every 100 ms (signals), stop at a signal, after the step in progress. */
async function drive(run: LoopRun, interrupts: Interrupts): Promise<void> {
	await yieldToEvents(); // a signal sent while the data loaded stops the run before its first step
	let last = Date.now();
	while (!interrupts.stop && run.next()) {
		if (Date.now() - last > 100) {
			await yieldToEvents();
			last = Date.now();
		}
	}
}

/** Train, checking every step's loss (and with --save-on-diverge the weights) and reporting progress. */
async function trainSteps(s: Start, c: RunContext): Promise<{ result: LoopResult; diverged: Divergence | null; guard: DivergenceGuard }> {
	const { preset, done } = s;
	const guard = new DivergenceGuard(s.model.namedTensors(), { keep: !!c.saveOnDiverge, vocabSize: s.ds.vocab.size, step: done });
	const bar = reporter({
		total: preset.steps, from: done, quiet: c.quiet, fields: { loss: '–', sps: '–' },
		format: 'train |{bar}| {value}/{total} | loss {loss} | {sps} steps/s | ETA {eta_formatted}',
		line: (v, f) => `step ${v}/${preset.steps}  loss ${f.loss}  ${f.sps} steps/s`
	});
	const every = Math.max(1, Math.min(50, Math.floor(preset.steps / 200)));
	let diverged: Divergence | null = null;
	// a resumed run draws the batches an uninterrupted one would: the generator skips the ones already trained on
	const generator = batchGenerator(s.seed, s.ds, preset.batchSize, done);
	const run = startLoop({
		model: s.model, optimizer: s.optimizer, data: s.ds, steps: preset.steps - done, batchSize: preset.batchSize, generator, progressEvery: 1,
		onProgress: (p) => {
			const step = done + p.step;
			diverged = guard.check(step, p.loss);
			if (diverged) return false;
			if (guard.tooHigh(p.loss)) console.error(`\nwarning: the loss is ${fmt(p.loss)} at step ${step}, over ten times ln ${s.ds.vocab.size} = ${fmt(Math.log(s.ds.vocab.size))} (a uniform guess's): the learning rate ${lrAt(preset, step)} may be too high`);
			if (p.step % every === 0 || p.step === p.steps) bar.update(step, { loss: fmt(p.loss), sps: p.stepsPerSecond.toFixed(1) });
		}
	});
	await drive(run, c.interrupts);
	bar.stop();
	const result = run.result();
	// the last update may have overflowed with a finite loss: nothing non-finite is ever saved
	if (!diverged && result.steps > 0 && !guard.finite()) diverged = { step: done + result.steps, loss: result.losses[result.steps - 1], cause: 'weights' };
	return { result, diverged, guard };
}

/** Report a divergence, keep the last finite weights when asked, and fail the command. */
function onDivergence(s: Start, c: RunContext, d: Divergence, guard: DivergenceGuard): void {
	const lr = lrAt(s.preset, d.step);
	const what = d.cause === 'loss' ? `the loss is ${d.loss}` : `its update made the weights non-finite (loss ${fmt(d.loss)})`;
	console.error(`makemore: training diverged at step ${d.step}: ${what}, with learning rate ${lr}; lower it (--lr)`);
	process.exitCode = 1;
	if (!c.saveOnDiverge) {
		console.error(`makemore: nothing was saved; --save-on-diverge keeps the last finite weights in ${divergedPath(c.out)}`);
		return;
	}
	const kept = guard.restore();
	const config = runConfig(s.name, s.preset, s.ds.vocab, { ...runSummary(s, kept, 0), finalLoss: null, trainLoss: null, valLoss: null });
	config.divergedAt = d.step;
	const path = c.output.save(saveModel(s.model, config), divergedPath(c.output.path));
	console.error(`makemore: the weights after step ${kept}, the last finite ones, are saved in ${path} (not evaluated)`);
}

/** The train and val losses at the end, each estimated on at most FINAL_EVAL_* rows; a signal skips the rest. */
async function finalEvaluation(s: Start, c: RunContext): Promise<Record<'train' | 'val', EvalResult | null>> {
	c.interrupts.phase = 'evaluating';
	const out: Record<'train' | 'val', EvalResult | null> = { train: null, val: null };
	const maxRows = finalEvalRows(s.ds);
	for (const part of ['train', 'val'] as const) {
		// a tiny file may leave a split empty: report no loss for it rather than lose the trained model
		if (c.interrupts.skipEval || exampleCount(s.ds, part, maxRows) === 0) continue;
		out[part] = await runEvaluation(evaluateSteps(s.model, s.ds, part, maxRows), { label: `eval ${part}`, quiet: c.quiet, stop: () => c.interrupts.skipEval });
	}
	return out;
}

/** Run the training of `s` and save it; returns the checkpoint path ('' when nothing was saved). */
export async function runTraining(s: Start, c: RunContext): Promise<string> {
	const { result, diverged, guard } = await trainSteps(s, c);
	if (diverged) {
		onDivergence(s, c, diverged, guard);
		return '';
	}
	const steps = s.done + result.steps;
	if (result.steps === 0) {
		console.error(`makemore: stopped before the first step: nothing was trained${s.done ? `; ${c.out} is unchanged` : ', nothing saved'}`);
		process.exitCode = c.interrupts.exitCode || 1;
		return '';
	}
	c.log(`trained ${result.steps} steps in ${result.seconds.toFixed(1)} s (${((1000 * result.seconds) / result.steps).toFixed(2)} ms/step)${s.done ? `, ${steps} in all` : ''}`);
	const ev = await finalEvaluation(s, c);
	const loss = (r: EvalResult | null) => (r && Number.isFinite(r.loss) ? r.loss : null);
	const config = runConfig(s.name, s.preset, s.ds.vocab, { ...runSummary(s, steps, result.seconds), finalLoss: result.losses[result.steps - 1], trainLoss: loss(ev.train), valLoss: loss(ev.val) });
	const path = c.output.save(saveModel(s.model, config));
	reportEnd(s, c, ev, steps);
	console.log(path);
	return path;
}

/** The closing lines: losses (or why they are missing), how to continue, and the exit code. */
function reportEnd(s: Start, c: RunContext, ev: Record<'train' | 'val', EvalResult | null>, steps: number): void {
	const part = (name: string, r: EvalResult | null) => `${name} loss ${fmt(r?.loss)}${r ? ` (${r.examples} examples)` : ''}`;
	if (c.interrupts.skipEval) console.error('evaluation skipped: the checkpoint has no train/val loss (measure them with `npm run makemore -- eval`)');
	else c.log(`${part('train', ev.train)}  ${part('val', ev.val)}`);
	const bad = (['train', 'val'] as const).filter((p) => ev[p] && !Number.isFinite(ev[p]!.loss));
	if (bad.length) {
		console.error(`makemore: the ${bad.join(' and ')} loss is not finite in eval mode (the weights are saved; BatchNorm's running statistics may have overflowed)`);
		process.exitCode = 1;
	}
	if (c.interrupts.stop) {
		if (steps < s.preset.steps) console.error(`stopped at step ${steps} of ${s.preset.steps}; continue with: npm run makemore -- train --resume ${c.out}`);
		process.exitCode = c.interrupts.exitCode; // interrupted, as shells report it, though the model was saved
	}
}
