// The runs store on fake-indexeddb: runs survive a reopen; rename, delete, snapshots; a full quota and a corrupt record
// give clear errors and lose nothing else.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore, StoreError, type RunRecord } from '$lib/store/runs';
import { defaultRunConfig } from '$lib/train/run-config';
import type { RunState } from '$lib/train/protocol';

const record = (id: string, name = id): RunRecord => ({
	id, name, created: 1, updated: 1, config: defaultRunConfig('mlp-bn'), status: 'paused', step: 3, steps: 10, seconds: 1.5,
	lastLoss: 2.5, vals: [], curve: [], samples: null, diagnostics: null, origin: { kind: 'trained' }
});
const state = (step: number): RunState => ({
	step, weights: Uint8Array.from({ length: 64 }, (_, i) => i), optimizer: { stepCount: step, moments: { m: [Float32Array.from([1, 2])], v: [Float32Array.from([3, 4])] } },
	losses: Float32Array.from({ length: step }, (_, i) => 3 - i / 10), vals: [{ step, loss: 2.4, estimate: false }], ratios: null, seconds: 1.5
});

let store: RunStore;
beforeEach(async () => {
	globalThis.indexedDB = new IDBFactory();
	store = await RunStore.open();
});
afterEach(() => store.close());

describe('RunStore', () => {
	it('keeps runs, their state and their text across a reopen (a reload)', async () => {
		await store.create(record('a'), { id: 'a', name: 'mine.txt', text: 'ann\nbob' });
		await store.saveState('a', state(3), { status: 'paused', step: 3 });
		store.close();
		store = await RunStore.open();
		const { runs, damaged } = await store.list();
		expect(damaged).toEqual([]);
		expect(runs.map((r) => r.id)).toEqual(['a']);
		const s = (await store.loadState('a'))!;
		expect(Array.from(s.losses)).toEqual(Array.from(state(3).losses));
		expect(s.weights).toBeInstanceOf(Uint8Array);
		expect(Array.from(s.optimizer.moments!.v[0])).toEqual([3, 4]);
		expect((await store.text('a'))!.text).toBe('ann\nbob');
	});

	it('renames (a blank name is refused), patches without undoing each other, deletes with everything of the run', async () => {
		await store.create(record('a'));
		await store.create(record('b'));
		await Promise.all([store.rename('a', '  good init  '), store.patch('a', { step: 9 })]);
		expect(await store.get('a')).toMatchObject({ name: 'good init', step: 9 });
		await expect(store.rename('a', '   ')).rejects.toThrow(/needs a name/);
		await store.saveSnapshot('a', { step: 3, weights: new Uint8Array(9), x: { data: new Int32Array(3), shape: [1, 3] }, y: { data: new Int32Array(1), shape: [1] } });
		expect((await store.snapshot('a', 3))!.step).toBe(3);
		await store.delete('a');
		expect(await store.get('a')).toBeNull();
		expect(await store.snapshot('a', 3)).toBeNull();
		expect((await store.list()).runs.map((r) => r.id)).toEqual(['b']);
	});

	it('keeps the last five debug snapshots of a run', async () => {
		await store.create(record('a'));
		const snap = (step: number) => ({ step, weights: new Uint8Array(9), x: { data: new Int32Array(3), shape: [1, 3] }, y: { data: new Int32Array(1), shape: [1] } });
		for (let s = 1; s <= 7; s++) await store.saveSnapshot('a', snap(s * 100));
		expect(await store.snapshot('a', 200)).toBeNull();
		expect(await store.snapshot('a', 300)).not.toBeNull();
		expect(await store.snapshot('a', 700)).not.toBeNull();
	});

	it('lists a corrupt run as damaged (others load), and a corrupt state is an error naming it', async () => {
		await store.create(record('good'));
		await store.create({ ...record('bad'), status: 'exploded' } as unknown as RunRecord);
		const { runs, damaged } = await store.list();
		expect(runs.map((r) => r.id)).toEqual(['good']);
		expect(damaged).toEqual([{ id: 'bad', error: expect.stringMatching(/stored run bad is damaged \(field 'status'\): delete it/) }]);
		await store.saveState('good', { ...state(5), losses: new Float32Array(2) }, {});
		await expect(store.loadState('good')).rejects.toThrow(/damaged \(2 losses for 5 steps\)/);
		await store.delete('bad');
		expect((await store.list()).damaged).toEqual([]);
	});

	it('a full quota is a StoreError saying so, and the state saved before is unchanged', async () => {
		await store.create(record('a'));
		await store.saveState('a', state(3), { step: 3 });
		const { IDBObjectStore } = await import('fake-indexeddb');
		const put = IDBObjectStore.prototype.put;
		IDBObjectStore.prototype.put = function () {
			throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		};
		try {
			const err = await store.saveState('a', state(8), { step: 8 }).catch((e) => e);
			expect(err).toBeInstanceOf(StoreError);
			expect(err.kind).toBe('quota');
			expect(err.message).toMatch(/storage for this site is full, so saving run state at step 8 failed; what was stored before is unchanged/);
		} finally {
			IDBObjectStore.prototype.put = put;
		}
		expect((await store.loadState('a'))!.step).toBe(3);
		expect((await store.get('a'))!.step).toBe(3);
	});

	it('says so when the browser has no IndexedDB (a private window)', async () => {
		const saved = globalThis.indexedDB;
		// @ts-expect-error: a browser without IndexedDB
		delete globalThis.indexedDB;
		try {
			await expect(RunStore.open()).rejects.toThrow(/does not let the page store data \(a private window/);
		} finally {
			globalThis.indexedDB = saved;
		}
	});
});
