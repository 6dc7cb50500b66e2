// A browser training run takes the CLI's steps: same seed → the same losses and weights as trainLoop, bit for bit,
// and a run saved and resumed (optimizer state included) ends where an uninterrupted one does.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { badInitSummary } from '$lib/train/bad-init';
import { prepareData } from '$lib/data';
import { Generator } from '$lib/engine';
import { createModel, getPreset } from '$lib/models';
import { restoreModel } from '$lib/train/checkpoint';
import { TrainingRun } from '$lib/train/run';
import { createSession, type Preset as DebugPreset } from '$lib/train/session';
import { checkpointPreset, defaultRunConfig, resolvePreset, type RunConfig } from '$lib/train/run-config';
import { schedule } from '../../../src/cli/train';
import { evaluate, makeOptimizer, trainLoop } from '$lib/train/trainer';

// a fifth of names.txt keeps the tests quick; the data path is the same
const NAMES = readFileSync('static/data/names.txt', 'utf8').split('\n').slice(0, 6000).join('\n');
const SHAKESPEARE = readFileSync('static/data/tinyshakespeare.txt', 'utf8').slice(0, 60_000);

/** What `makemore train --model NAME --steps N --seed S` computes, through trainLoop directly. */
function cliLoop(name: string, text: string, steps: number, seed: number, sizes = {}) {
	const preset = { ...schedule(name, { steps }), ...sizes };
	const ds = prepareData(text, { format: preset.format, blockSize: preset.blockSize, seed });
	const model = createModel(name, ds.vocab.size, new Generator(seed), preset);
	const optimizer = makeOptimizer(model, preset);
	const r = trainLoop({ model, optimizer, data: ds, steps, batchSize: preset.batchSize, generator: new Generator(seed + 1) });
	return { losses: r.losses, model, ds, preset };
}

function runAll(run: TrainingRun): void {
	while (run.next());
}

const config = (preset: string, steps: number, patch: Partial<RunConfig> = {}): RunConfig => ({ ...defaultRunConfig(preset, 7), steps, ...patch });

describe('TrainingRun', () => {
	it("takes the CLI's steps for mlp-bn: same losses, same weights, bit for bit", () => {
		const cli = cliLoop('mlp-bn', NAMES, 60, 7);
		const run = new TrainingRun(config('mlp-bn', 60), NAMES);
		expect(resolvePreset(run.config)).toEqual(cli.preset);
		runAll(run);
		expect(run.step).toBe(60);
		expect(Array.from(run.losses)).toEqual(Array.from(cli.losses));
		const want = cli.model.namedTensors();
		run.model.namedTensors().forEach(([name, t], i) => {
			expect(name).toBe(want[i][0]);
			expect(Array.from(t.values()), name).toEqual(Array.from(want[i][1].values()));
		});
	});

	it('takes the CLI steps for a small gpt on text (AdamW), with probes on ReLU layers that change nothing', () => {
		const sizes = { nEmbd: 16, nHead: 2, nLayer: 2, blockSize: 8 };
		const cli = cliLoop('gpt-small', SHAKESPEARE, 12, 3, sizes);
		const run = new TrainingRun(config('gpt-small', 12, { seed: 3, sizes }), SHAKESPEARE);
		runAll(run);
		expect(Array.from(run.losses)).toEqual(Array.from(cli.losses));
		const diag = run.take().filter((e) => e.type === 'diagnostics');
		expect(diag.length).toBeGreaterThan(0);
		if (diag[0].type === 'diagnostics') expect(diag[0].diagnostics.layers.map((l) => `${l.layer}:${l.kind}`)).toEqual(['blocks.0.ffwd.net.1:relu', 'blocks.1.ffwd.net.1:relu']);
	});

	it('reports val losses, samples and diagnostics on its cadence, and the final val loss over the whole split', () => {
		const run = new TrainingRun(config('mlp-bn', 200), NAMES);
		runAll(run);
		const events = run.take();
		const vals = events.flatMap((e) => (e.type === 'val' ? [e.point] : []));
		expect(vals.map((v) => v.step)).toEqual([100, 200]);
		expect(vals[1].loss).toBe(evaluate(run.model, run.ds, 'val').loss);
		const samples = events.flatMap((e) => (e.type === 'samples' ? [e.samples] : []));
		expect(samples.map((s) => s.step)).toEqual([50, 100, 150, 200]);
		expect(samples[0].lines).toHaveLength(10);
		const diag = events.flatMap((e) => (e.type === 'diagnostics' ? [e.diagnostics] : []));
		expect(diag[0].step).toBe(1);
		expect(diag[0].layers.map((l) => l.layer)).toEqual(['4']);
		// the weights are C (embedding), W1 and W2: every 2-D parameter, as in the lecture's plot
		expect(diag[0].weights.map((w) => w.name)).toEqual(['0.weight', '2.weight', '5.weight']);
	});

	it('resumes from its saved state (weights, SGD step count, losses) and ends where an uninterrupted run does', () => {
		const whole = new TrainingRun(config('mlp-bn', 80), NAMES);
		runAll(whole);
		const first = new TrainingRun(config('mlp-bn', 80), NAMES);
		for (let i = 0; i < 30; i++) first.next();
		const resumed = new TrainingRun(config('mlp-bn', 80), NAMES, structuredClone(first.state()));
		expect(resumed.step).toBe(30);
		runAll(resumed);
		expect(Array.from(resumed.losses)).toEqual(Array.from(whole.losses));
		expect(Array.from(resumed.model.parameters()[1].values())).toEqual(Array.from(whole.model.parameters()[1].values()));
	});

	it("resumes AdamW with its moments: a resumed gpt ends where an uninterrupted one does", () => {
		const sizes = { nEmbd: 16, nHead: 2, nLayer: 1, blockSize: 8 };
		const c = config('gpt-small', 10, { sizes });
		const whole = new TrainingRun(c, SHAKESPEARE);
		runAll(whole);
		const first = new TrainingRun(c, SHAKESPEARE);
		for (let i = 0; i < 4; i++) first.next();
		const resumed = new TrainingRun(c, SHAKESPEARE, structuredClone(first.state()));
		runAll(resumed);
		expect(Array.from(resumed.losses)).toEqual(Array.from(whole.losses));
	});

	it('exports a checkpoint the CLI restores, with the losses of its splits and the schedule to resume', () => {
		const run = new TrainingRun(config('mlp-bn', 40), NAMES);
		runAll(run);
		const bytes = run.exportCheckpoint();
		const r = restoreModel(bytes);
		expect(r.config).toMatchObject({ preset: 'mlp-bn', model: 'mlp-bn', seed: 7, steps: 40, scheduleSteps: 40, data: 'names', lrDecayAt: 20 });
		expect(r.config.valLoss).toBe(evaluate(run.model, run.ds, 'val').loss);
		expect(evaluate(r.model, run.ds, 'val').loss).toBe(r.config.valLoss);
	});

	it("the bad init starts far above −ln(1/27) with saturated tanh, and mlp-bn's bad run is lecture 2's mlp", () => {
		const good = new TrainingRun(config('mlp-bn', 1), NAMES);
		const bad = new TrainingRun(config('mlp-bn', 1, { badInit: true }), NAMES);
		good.next();
		bad.next();
		expect(good.losses[0]).toBeLessThan(3.5); // ≈ ln 27 = 3.30
		expect(bad.losses[0]).toBeGreaterThan(10);
		const sat = (r: TrainingRun) => r.take().flatMap((e) => (e.type === 'diagnostics' ? e.diagnostics.layers : []))[0].saturated;
		expect(sat(good)).toBeLessThan(0.1);
		expect(sat(bad)).toBeGreaterThan(0.5);
		expect(restoreModel(bad.exportCheckpoint()).config.model).toBe('mlp');
	});

	it("mlp-deep's bad init drops its BatchNorms (mlp-deep-nobn): all five tanh layers saturate, where the good runs' stay low", () => {
		const tanhLayers = (r: TrainingRun) => r.take().flatMap((e) => (e.type === 'diagnostics' ? e.diagnostics.layers : [])).filter((l) => l.kind === 'tanh');
		const first = (preset: string, badInit: boolean) => {
			const run = new TrainingRun(config(preset, 1, { badInit }), NAMES);
			run.next();
			return { run, loss: run.losses[0], tanh: tanhLayers(run) };
		};
		const good = first('mlp-deep', false);
		const gain = first('mlp-deep-nobn', false); // lecture 3's init without BatchNorm: the 5/3 gain, the output × 0.1
		const bad = first('mlp-deep', true);
		for (const r of [good, gain, bad]) expect(r.tanh.map((l) => l.layer)).toHaveLength(5);
		expect(bad.tanh.map((l) => l.layer)).toEqual(['3', '5', '7', '9', '11']); // Linear, Tanh pairs: no BatchNorm between
		expect(Math.max(...good.tanh.map((l) => l.saturated))).toBeLessThan(0.1);
		expect(Math.max(...gain.tanh.map((l) => l.saturated))).toBeLessThan(0.35);
		expect(Math.max(...gain.tanh.slice(1).map((l) => l.saturated))).toBeLessThan(0.15);
		expect(Math.min(...bad.tanh.map((l) => l.saturated))).toBeGreaterThan(0.6);
		for (const r of [good, gain]) expect(r.loss).toBeLessThan(3.5); // ≈ ln 27 = 3.30
		expect(bad.loss).toBeGreaterThan(10);
		expect(resolvePreset(bad.run.config).model).toBe('mlp-deep-nobn');
		// its checkpoint is an mlp-deep-nobn, which loads (config checked against the limits) to the same numbers
		const r = restoreModel(bad.run.exportCheckpoint());
		expect(r.config).toMatchObject({ model: 'mlp-deep-nobn', preset: 'mlp-deep-nobn', nLayer: 5, steps: 1 });
		expect(evaluate(r.model, bad.run.ds, 'val').loss).toBe(evaluate(bad.run.model, bad.run.ds, 'val').loss);
		expect(checkpointPreset(bad.run.config)).toBe('mlp-deep-nobn');
		expect(badInitSummary(getPreset('mlp-deep'))).toMatch(/mlp-deep-nobn.*no BatchNorm.*all 5 tanh layers saturated/);
	});

	it("debugs a bad-init mlp-deep run's next step as mlp-deep-nobn: the recorded loss is the one the run then trains on", () => {
		const run = new TrainingRun(config('mlp-deep', 3, { badInit: true }), NAMES);
		run.next();
		const snap = run.debugSnapshot();
		const s = createSession({ preset: checkpointPreset(run.config) as DebugPreset, seed: 7, batch: 32 }, NAMES, { name: 'run.safetensors', bytes: snap.weights }, { x: snap.x, y: snap.y });
		run.next();
		expect(s.config.preset).toBe('mlp-deep-nobn');
		expect(s.modules).toMatchObject({ '': 'DeepMLPNoBN', '12': 'Linear' });
		expect(Object.values(s.modules).filter((c) => c === 'Tanh')).toHaveLength(5);
		expect(Object.values(s.modules)).not.toContain('BatchNorm1d');
		expect(s.evalLoss).toBeNull(); // no BatchNorm: no second mode
		expect(s.loss).toBe(run.losses[1]);
	});

	it('a model that keeps its BatchNorms under the bad init shows the hockey stick without saturation (what the setup says)', () => {
		const bad = new TrainingRun(config('wavenet', 1, { badInit: true }), NAMES);
		bad.next();
		expect(bad.losses[0]).toBeGreaterThan(10);
		const layers = bad.take().flatMap((e) => (e.type === 'diagnostics' ? e.diagnostics.layers : []));
		expect(Math.max(...layers.map((l) => l.saturated))).toBeLessThan(0.1);
		expect(badInitSummary(getPreset('wavenet'))).toMatch(/BatchNorms keep the tanh layers out of saturation/);
		expect(badInitSummary(getPreset('mlp-bn'))).toMatch(/no BatchNorm.*saturated/);
	});
});
