// The client of the session worker: requests matched to replies by id; sessions recorded ahead of a click are kept
// for it. A worker that dies (an uncaught error, running out of memory) fails its requests with a WorkerFailure and
// is replaced on the next one.
import { dataset, type CheckpointFile, type DebugSession, type GivenBatch, type SessionConfig } from '$lib/train/session';
import type { SessionAsk, SessionReply } from './session.worker';
import { isOutOfMemory } from './worker-errors';

/** The worker died or ran out of memory: what was asked is lost, the page and what it holds are not. */
export class WorkerFailure extends Error {
	constructor(
		readonly outOfMemory: boolean,
		message: string
	) {
		super(message);
		this.name = 'WorkerFailure';
	}
}

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: SessionReply) => void; reject: (e: Error) => void }>();
/**
 * Sessions recorded ahead (the start page's links), by config, the latest few: a page asking for one gets it at once.
 * Kept after use (a session is read, never changed), so going back and following the link again is as quick.
 */
const ahead = new Map<string, Promise<DebugSession>>();
const AHEAD_MAX = 6;

/** Fail every pending request and drop the worker: the next request starts a fresh one. */
function fail(error: WorkerFailure): void {
	for (const w of waiting.values()) w.reject(error);
	waiting.clear();
	worker?.terminate();
	worker = null;
}

function failure(detail: string): WorkerFailure {
	const oom = isOutOfMemory(detail);
	const what = oom ? 'ran out of memory' : 'stopped with an error';
	return new WorkerFailure(oom, `The worker that records the training step ${what}${detail ? ` (${detail})` : ''}. Restart it to try again${oom ? ', or pick a smaller batch' : ''}.`);
}

function start(): Worker {
	const w = new Worker(new URL('./session.worker.ts', import.meta.url), { type: 'module' });
	w.onmessage = (e: MessageEvent<SessionReply>) => {
		const pending = waiting.get(e.data.id);
		if (!pending) return;
		if ('error' in e.data && e.data.fatal) return fail(failure(e.data.error));
		waiting.delete(e.data.id);
		pending.resolve(e.data);
	};
	// an error nobody caught inside the worker, or a worker script that failed to load: the worker is unusable
	w.onerror = (e: ErrorEvent) => {
		e.preventDefault();
		fail(failure(e.message ?? ''));
	};
	w.onmessageerror = () => fail(failure('a reply could not be read'));
	return w;
}

function ask(req: SessionAsk): Promise<SessionReply> {
	worker ??= start();
	const id = nextId++;
	return new Promise((resolve, reject) => {
		waiting.set(id, { resolve, reject });
		worker!.postMessage({ id, ...req });
	});
}

async function record(config: SessionConfig, checkpoint?: CheckpointFile, extra: { text?: string; batch?: GivenBatch } = {}): Promise<DebugSession> {
	const reply = await ask({ config, checkpoint, ...extra });
	if ('error' in reply) throw new Error(reply.error);
	if (!('session' in reply)) throw new Error('internal: the session worker answered a recording with no session');
	return reply.session;
}

const keyOf = (config: SessionConfig) => JSON.stringify([config.preset, dataset(config), config.seed, config.batch, config.weights ?? 'fresh', config.text ?? null]);

/** Record a session for `config` in the worker (the page stays responsive while the model runs). */
export function recordInWorker(config: SessionConfig, checkpoint?: CheckpointFile, extra: { text?: string; batch?: GivenBatch } = {}): Promise<DebugSession> {
	const own = checkpoint !== undefined || extra.text !== undefined || extra.batch !== undefined;
	return (own ? undefined : ahead.get(keyOf(config))) ?? record(config, checkpoint, extra);
}

/**
 * Start recording `config` now, for a page that will ask for it soon (a start page link); the session stays kept
 * for that page. Returns it (the same promise when it is already being recorded ahead).
 */
export function recordAhead(config: SessionConfig): Promise<DebugSession> {
	const key = keyOf(config);
	let p = ahead.get(key);
	if (p) return p;
	if (ahead.size >= AHEAD_MAX) ahead.delete(ahead.keys().next().value!);
	p = record(config);
	p.catch(() => ahead.delete(key));
	ahead.set(key, p);
	return p;
}

/** Start the worker and fetch the datasets into it, before any session is asked for. */
export async function warmRecorder(): Promise<number> {
	const reply = await ask({ warm: true });
	return 'warmed' in reply ? reply.warmed : 0;
}

/** Throw the worker away (the next request starts a fresh one). */
export function restartWorker(): void {
	fail(new WorkerFailure(false, 'The recording worker was restarted.'));
}
