// What a stored run is, and checks that what comes back from storage still has that shape (a corrupt record is an
// error that names it, never a crash further on).
import type { CurvePoint } from '$lib/data';
import type { DebugSnapshot, DiagnosticsSnapshot, RunState, RunStatus, SampleSet, ValPoint } from '$lib/train/protocol';
import type { RunConfig } from '$lib/train/run-config';
import { StoreError } from './errors';

/** A run in the runs list: its config and what it has done so far (its weights are in its RunState). */
export interface RunRecord {
	id: string;
	name: string;
	created: number;
	updated: number;
	config: RunConfig;
	status: RunStatus;
	step: number;
	steps: number;
	seconds: number;
	lastLoss: number | null;
	vals: ValPoint[];
	/** The loss curve summarised for a thumbnail. */
	curve: CurvePoint[];
	samples: SampleSet | null;
	/** The latest diagnostics (histograms, ratios over time). */
	diagnostics: DiagnosticsSnapshot | null;
	/** Trained here, or imported from a checkpoint file. */
	origin: { kind: 'trained' } | { kind: 'imported'; file: string };
}

type Check = [string, (v: unknown) => boolean];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown) => typeof v === 'number' && !Number.isNaN(v);
const str = (v: unknown) => typeof v === 'string';
const arr = (v: unknown) => Array.isArray(v);
const orNull = (f: (v: unknown) => boolean) => (v: unknown) => v === null || f(v);

function corrupt(what: string, id: unknown, field: string): StoreError {
	const name = typeof id === 'string' ? ` ${id}` : '';
	return new StoreError('corrupt', `stored ${what}${name} is damaged (${field}): delete it; other runs are not affected`);
}

function check<T>(what: string, v: unknown, checks: Check[]): T {
	if (!isObj(v)) throw corrupt(what, undefined, 'not an object');
	for (const [field, ok] of checks) if (!ok(v[field])) throw corrupt(what, v.id, `field '${field}'`);
	return v as T;
}

const STATUSES: RunStatus[] = ['running', 'paused', 'stopped', 'done'];

export function checkRecord(v: unknown): RunRecord {
	return check<RunRecord>('run', v, [
		['id', str],
		['name', str],
		['created', num],
		['updated', num],
		['config', (c) => isObj(c) && str(c.preset) && num(c.seed) && isObj(c.data) && num(c.steps) && num(c.batchSize) && num(c.lr)],
		['status', (s) => STATUSES.includes(s as RunStatus)],
		['step', num],
		['steps', num],
		['seconds', num],
		['lastLoss', orNull(num)],
		['vals', arr],
		['curve', arr],
		['samples', orNull(isObj)],
		['diagnostics', orNull(isObj)],
		['origin', isObj]
	]);
}

export function checkState(v: unknown): RunState {
	const s = check<RunState>('run state', v, [
		['step', num],
		['weights', (w) => w instanceof Uint8Array && w.length > 8],
		['optimizer', (o) => isObj(o) && num(o.stepCount)],
		['losses', (l) => l instanceof Float32Array],
		['vals', arr],
		['seconds', num]
	]);
	if (s.losses.length < s.step) throw corrupt('run state', (v as { id?: unknown }).id, `${s.losses.length} losses for ${s.step} steps`);
	return s;
}

export function checkSnapshot(v: unknown): DebugSnapshot {
	const ints = (t: unknown) => isObj(t) && t.data instanceof Int32Array && arr(t.shape);
	return check<DebugSnapshot>('debug snapshot', v, [
		['step', num],
		['weights', (w) => w instanceof Uint8Array],
		['x', ints],
		['y', ints]
	]);
}
