// The client of the session worker: one request at a time per page, replies matched by id; a worker that dies
// (an uncaught error, running out of memory) fails its requests with a WorkerFailure and is replaced on the next one.
import type { CheckpointFile, DebugSession, GivenBatch, SessionConfig } from '$lib/train/session';
import type { SessionReply } from './session.worker';
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
const waiting = new Map<number, { resolve: (s: DebugSession) => void; reject: (e: Error) => void }>();

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
		waiting.delete(e.data.id);
		if ('session' in e.data) pending.resolve(e.data.session);
		else if (e.data.fatal) fail(failure(e.data.error));
		else pending.reject(new Error(e.data.error));
	};
	// an error nobody caught inside the worker, or a worker script that failed to load: the worker is unusable
	w.onerror = (e: ErrorEvent) => {
		e.preventDefault();
		fail(failure(e.message ?? ''));
	};
	w.onmessageerror = () => fail(failure('a reply could not be read'));
	return w;
}

/** Record a session for `config` in the worker (the page stays responsive while the model runs). */
export function recordInWorker(config: SessionConfig, checkpoint?: CheckpointFile, extra: { text?: string; batch?: GivenBatch } = {}): Promise<DebugSession> {
	worker ??= start();
	const id = nextId++;
	return new Promise((resolve, reject) => {
		waiting.set(id, { resolve, reject });
		worker!.postMessage({ id, config, checkpoint, ...extra });
	});
}

/** Throw the worker away (the next request starts a fresh one). */
export function restartWorker(): void {
	fail(new WorkerFailure(false, 'The recording worker was restarted.'));
}
