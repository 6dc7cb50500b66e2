// The client of the session worker: one request at a time per page, replies matched by id.
import type { CheckpointFile, DebugSession, GivenBatch, SessionConfig } from '$lib/train/session';
import type { SessionReply } from './session.worker';

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (s: DebugSession) => void; reject: (e: Error) => void }>();

/** Record a session for `config` in the worker (the page stays responsive while the model runs). */
export function recordInWorker(config: SessionConfig, checkpoint?: CheckpointFile, extra: { text?: string; batch?: GivenBatch } = {}): Promise<DebugSession> {
	if (!worker) {
		worker = new Worker(new URL('./session.worker.ts', import.meta.url), { type: 'module' });
		worker.onmessage = (e: MessageEvent<SessionReply>) => {
			const w = waiting.get(e.data.id);
			if (!w) return;
			waiting.delete(e.data.id);
			if ('error' in e.data) w.reject(new Error(e.data.error));
			else w.resolve(e.data.session);
		};
	}
	const id = nextId++;
	return new Promise((resolve, reject) => {
		waiting.set(id, { resolve, reject });
		worker!.postMessage({ id, config, checkpoint, ...extra });
	});
}
