// The training worker's protocol, driven as the page drives it (open, resume, pause, resume, export), on fake-indexeddb:
// its steps are the CLI's (trainLoop with the same seed), and what it saves resumes exactly.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { prepareData } from '$lib/data';
import { Generator } from '$lib/engine';
import { createModel } from '$lib/models';
import { TrainerService } from '$lib/state/train-service';
import { RunStore, type RunRecord } from '$lib/store/runs';
import { restoreModel } from '$lib/train/checkpoint';
import { TrainingRun } from '$lib/train/run';
import type { RunStatus, TrainEvent } from '$lib/train/protocol';
import { defaultRunConfig, type RunConfig } from '$lib/train/run-config';
import { presetSchedule } from '$lib/train/schedule';
import { makeOptimizer, trainLoop } from '$lib/train/trainer';

const TEXT = readFileSync('static/data/names.txt', 'utf8').split('\n').slice(0, 4000).join('\n');
const config: RunConfig = { ...defaultRunConfig('mlp-bn', 11), steps: 120 };

function cliLosses(steps: number): Float32Array {
	const preset = presetSchedule('mlp-bn', { steps });
	const ds = prepareData(TEXT, { format: 'names', blockSize: preset.blockSize, seed: 11 });
	const model = createModel('mlp-bn', ds.vocab.size, new Generator(11), preset);
	return trainLoop({ model, optimizer: makeOptimizer(model, preset), data: ds, steps, batchSize: preset.batchSize, generator: new Generator(12) }).losses;
}

const record = (id: string): RunRecord => ({
	id, name: id, created: 0, updated: 0, config, status: 'paused', step: 0, steps: 120, seconds: 0, lastLoss: null, vals: [], curve: [], samples: null, diagnostics: null, origin: { kind: 'trained' }
});

/** A service whose clock moves 1 ms a call, so that it yields, reports and saves often. */
function service(store: RunStore) {
	let t = 0;
	return new TrainerService({ store: async () => store, now: () => t++, sliceMs: 20, progressMs: 30, saveMs: 200 });
}

function until(events: TrainEvent[], status: RunStatus | 'progress'): Promise<void> {
	const seen = () => events.some((e) => (status === 'progress' ? e.type === 'progress' : e.type === 'status' && e.status === status));
	return new Promise((done) => {
		const check = () => (seen() ? done() : setTimeout(check, 0));
		check();
	});
}

let store: RunStore;
beforeEach(async () => {
	globalThis.indexedDB = new IDBFactory();
	store = await RunStore.open();
});

describe('TrainerService', () => {
	it('trains through the protocol to the losses of the CLI loop, reporting progress, and saves the run', async () => {
		await store.create(record('r1'));
		const events: TrainEvent[] = [];
		const svc = service(store);
		const info = await svc.open({ id: 'r1', config, text: TEXT, temperature: 1 }, (e) => events.push(e));
		expect(info).toMatchObject({ steps: 120, vocabSize: 27 });
		await svc.resume();
		await until(events, 'done');
		const saved = (await store.loadState('r1'))!;
		expect(Array.from(saved.losses)).toEqual(Array.from(cliLosses(120)));
		const progress = events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
		expect(progress.length).toBeGreaterThan(2);
		const last = progress[progress.length - 1];
		expect(last).toMatchObject({ step: 120, steps: 120 });
		expect(last.curve[last.curve.length - 1].to).toBe(120);
		expect(events.some((e) => e.type === 'saved')).toBe(true);
		expect(await store.get('r1')).toMatchObject({ status: 'done', step: 120, lastLoss: saved.losses[119] });
	});

	it('pause saves; a new worker opens the saved state and resumes to the same end as an uninterrupted run', async () => {
		await store.create(record('r2'));
		const events: TrainEvent[] = [];
		const first = service(store);
		await first.open({ id: 'r2', config, text: TEXT, temperature: 1 }, (e) => events.push(e));
		await first.resume();
		await until(events, 'progress');
		await first.pause();
		const paused = (await store.loadState('r2'))!;
		expect(paused.step).toBeGreaterThan(0);
		expect(paused.step).toBeLessThan(120);
		expect((await store.get('r2'))!.status).toBe('paused');
		// "after a reload": another service, the state from the store
		const again: TrainEvent[] = [];
		const second = service(store);
		await second.open({ id: 'r2', config, text: TEXT, temperature: 1, state: paused }, (e) => again.push(e));
		await second.resume();
		await until(again, 'done');
		expect(Array.from((await store.loadState('r2'))!.losses)).toEqual(Array.from(cliLosses(120)));
		const ck = restoreModel(await second.exportCheckpoint());
		expect(ck.config).toMatchObject({ steps: 120, scheduleSteps: 120, seed: 11 });
		expect(await second.sampleNow(0.5)).toMatchObject({ step: 120, temperature: 0.5 });
	});

	it('a step that runs out of memory stops the run and says so; the stored run reopens and ends as an uninterrupted one', async () => {
		await store.create(record('r4'));
		const events: TrainEvent[] = [];
		let t = 0;
		const svc = new TrainerService({ store: async () => store, now: () => t++, sliceMs: 20, progressMs: 30, saveMs: 40 });
		await svc.open({ id: 'r4', config, text: TEXT, temperature: 1 }, (e) => events.push(e));
		const next = TrainingRun.prototype.next;
		const spy = vi.spyOn(TrainingRun.prototype, 'next').mockImplementation(function (this: TrainingRun) {
			if (this.step === 110) throw new RangeError('Array buffer allocation failed');
			return next.call(this);
		});
		try {
			await svc.resume();
			await until(events, 'paused');
		} finally {
			spy.mockRestore();
		}
		const error = events.find((e) => e.type === 'error');
		expect(error).toEqual({ type: 'error', fatal: true, message: 'Training ran out of memory at step 111 (Array buffer allocation failed). A smaller batch, block or model needs less. The stored run keeps its last save: open it again to go on from there.' });
		await expect(svc.resume()).rejects.toThrow('no run is open');
		const saved = (await store.loadState('r4'))!;
		expect(saved.step).toBeGreaterThan(0);
		expect(saved.step).toBeLessThanOrEqual(110);
		const again: TrainEvent[] = [];
		const other = service(store);
		await other.open({ id: 'r4', config, text: TEXT, temperature: 1, state: saved }, (e) => again.push(e));
		await other.resume();
		await until(again, 'done');
		expect(Array.from((await store.loadState('r4'))!.losses)).toEqual(Array.from(cliLosses(120)));
	});

	it('stop measures the whole val split, saves and reports stopped', async () => {
		await store.create(record('r3'));
		const events: TrainEvent[] = [];
		const svc = service(store);
		await svc.open({ id: 'r3', config, text: TEXT, temperature: 1 }, (e) => events.push(e));
		await svc.resume();
		await until(events, 'progress');
		await svc.stop();
		const status = events.filter((e) => e.type === 'status').map((e) => e.type === 'status' && e.status);
		expect(status).toEqual(['running', 'stopped']);
		const val = events.filter((e) => e.type === 'val').pop();
		expect(val?.type === 'val' && val.point.estimate).toBe(false);
		expect((await store.get('r3'))!.status).toBe('stopped');
	});
});
