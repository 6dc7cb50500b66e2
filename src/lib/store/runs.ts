// Training runs in IndexedDB (through idb): the list of runs, each run's training state, its own data, debug snapshots.
// The only code that touches the browser's storage; every failure becomes a StoreError with a message for the learner.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DebugSnapshot, RunState } from '$lib/train/protocol';
import { StoreError, toStoreError, UNAVAILABLE } from './errors';
import { checkRecord, checkSnapshot, checkState, type RunRecord } from './records';

export { StoreError } from './errors';
export type { RunRecord } from './records';

/** The learner's own training text, stored with the run that uses it. */
export interface StoredText {
	id: string;
	name: string;
	text: string;
}

interface RunsDB extends DBSchema {
	runs: { key: string; value: RunRecord };
	states: { key: string; value: RunState & { id: string } };
	texts: { key: string; value: StoredText };
	snapshots: { key: string; value: DebugSnapshot & { key: string; runId: string } };
}

const STORES = ['runs', 'states', 'texts', 'snapshots'] as const;
/** Debug snapshots kept per run (the oldest go first). */
const SNAPSHOTS_PER_RUN = 5;

/** A run that could not be read: listed so that the learner can delete it; the others load as usual. */
export interface DamagedRun {
	id: string;
	error: string;
}

export const snapshotKey = (runId: string, step: number): string => `${runId}@${step}`;

export class RunStore {
	private constructor(private readonly db: IDBPDatabase<RunsDB>) {}

	/** Open (or create) the database; a browser without IndexedDB gives a StoreError saying so. */
	static async open(name = 'makemore-runs'): Promise<RunStore> {
		if (typeof indexedDB === 'undefined') throw new StoreError('unavailable', UNAVAILABLE);
		try {
			const db = await openDB<RunsDB>(name, 1, {
				upgrade(d) {
					d.createObjectStore('runs', { keyPath: 'id' });
					d.createObjectStore('states', { keyPath: 'id' });
					d.createObjectStore('texts', { keyPath: 'id' });
					d.createObjectStore('snapshots', { keyPath: 'key' });
				}
			});
			return new RunStore(db);
		} catch (e) {
			const err = toStoreError(e, 'opening the runs database');
			throw err.kind === 'failed' ? new StoreError('unavailable', `${UNAVAILABLE} (${err.message})`) : err;
		}
	}

	close(): void {
		this.db.close();
	}

	private async guard<T>(doing: string, fn: () => Promise<T>): Promise<T> {
		try {
			return await fn();
		} catch (e) {
			throw toStoreError(e, doing);
		}
	}

	/** Every run, newest first, and the ones that could not be read. */
	async list(): Promise<{ runs: RunRecord[]; damaged: DamagedRun[] }> {
		const raw = await this.guard('reading the runs', () => this.db.getAll('runs'));
		const runs: RunRecord[] = [];
		const damaged: DamagedRun[] = [];
		for (const r of raw as unknown[]) {
			try {
				runs.push(checkRecord(r));
			} catch (e) {
				const id = typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string' ? (r as { id: string }).id : '?';
				damaged.push({ id, error: (e as Error).message });
			}
		}
		runs.sort((a, b) => b.updated - a.updated);
		return { runs, damaged };
	}

	async get(id: string): Promise<RunRecord | null> {
		const r = await this.guard('reading a run', () => this.db.get('runs', id));
		return r === undefined ? null : checkRecord(r);
	}

	/** A new run, with the learner's text when it trains on their own file (both or neither are stored). */
	async create(record: RunRecord, text?: StoredText): Promise<void> {
		await this.guard(`saving the new run '${record.name}'`, async () => {
			const tx = this.db.transaction(['runs', 'texts'], 'readwrite');
			await Promise.all([tx.objectStore('runs').add(record), text ? tx.objectStore('texts').put(text) : Promise.resolve(), tx.done]);
		});
	}

	/** Change some fields of a run (read and written in one transaction, so concurrent patches do not undo each other). */
	async patch(id: string, patch: Partial<Omit<RunRecord, 'id'>>): Promise<RunRecord> {
		return this.guard('updating a run', async () => {
			const tx = this.db.transaction('runs', 'readwrite');
			const old = await tx.store.get(id);
			if (old === undefined) throw new StoreError('missing', `run ${id} is not stored in this browser (deleted in another tab?)`);
			const next = { ...checkRecord(old), ...patch, id, updated: Date.now() };
			await tx.store.put(next);
			await tx.done;
			return next;
		});
	}

	rename(id: string, name: string): Promise<RunRecord> {
		const clean = name.trim();
		if (clean === '') return Promise.reject(new StoreError('failed', 'a run needs a name: type at least one character'));
		return this.patch(id, { name: clean.slice(0, 80) });
	}

	/** Save a run's training state together with the fields of its record that go with it. */
	async saveState(id: string, state: RunState, patch: Partial<Omit<RunRecord, 'id'>>): Promise<void> {
		await this.guard(`saving run state at step ${state.step}`, async () => {
			const tx = this.db.transaction(['runs', 'states'], 'readwrite');
			const old = await tx.objectStore('runs').get(id);
			if (old === undefined) throw new StoreError('missing', `run ${id} is not stored in this browser (deleted in another tab?)`);
			await tx.objectStore('runs').put({ ...checkRecord(old), ...patch, id, updated: Date.now() });
			await tx.objectStore('states').put({ ...state, id });
			await tx.done;
		});
	}

	/** The state to resume a run from; null for a run that has not saved one yet. */
	async loadState(id: string): Promise<RunState | null> {
		const s = await this.guard('reading run state', () => this.db.get('states', id));
		return s === undefined ? null : checkState(s);
	}

	async text(id: string): Promise<StoredText | null> {
		return (await this.guard('reading the run\'s data', () => this.db.get('texts', id))) ?? null;
	}

	/** Delete a run and everything stored with it. */
	async delete(id: string): Promise<void> {
		await this.guard('deleting a run', async () => {
			const tx = this.db.transaction([...STORES], 'readwrite');
			const snaps = await tx.objectStore('snapshots').getAllKeys();
			await Promise.all([
				tx.objectStore('runs').delete(id),
				tx.objectStore('states').delete(id),
				tx.objectStore('texts').delete(id),
				...snaps.filter((k) => k.startsWith(`${id}@`)).map((k) => tx.objectStore('snapshots').delete(k)),
				tx.done
			]);
		});
	}

	/** Keep the weights and batch of a step that is being debugged (a few per run), for links to it. */
	async saveSnapshot(runId: string, snap: DebugSnapshot): Promise<void> {
		await this.guard('saving the step to debug', async () => {
			const tx = this.db.transaction('snapshots', 'readwrite');
			const key = snapshotKey(runId, snap.step);
			await tx.store.put({ ...snap, key, runId });
			const mine = (await tx.store.getAllKeys()).filter((k) => k.startsWith(`${runId}@`) && k !== key);
			const old = mine.sort((a, b) => Number(a.split('@')[1]) - Number(b.split('@')[1])).slice(0, Math.max(0, mine.length - (SNAPSHOTS_PER_RUN - 1)));
			await Promise.all([...old.map((k) => tx.store.delete(k)), tx.done]);
		});
	}

	async snapshot(runId: string, step: number): Promise<DebugSnapshot | null> {
		const s = await this.guard('reading the step to debug', () => this.db.get('snapshots', snapshotKey(runId, step)));
		return s === undefined ? null : checkSnapshot(s);
	}
}
