// The client of the session worker: requests matched to replies by id; sessions recorded ahead of a click are kept for it.
import { dataset, type CheckpointFile, type DebugSession, type GivenBatch, type SessionConfig } from '$lib/train/session';
import type { SessionAsk, SessionReply } from './session.worker';

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: SessionReply) => void }>();
/**
 * Sessions recorded ahead (the start page's links), by config, the latest few: a page asking for one gets it at once.
 * Kept after use (a session is read, never changed), so going back and following the link again is as quick.
 */
const ahead = new Map<string, Promise<DebugSession>>();
const AHEAD_MAX = 6;

function ask(req: SessionAsk): Promise<SessionReply> {
	if (!worker) {
		worker = new Worker(new URL('./session.worker.ts', import.meta.url), { type: 'module' });
		worker.onmessage = (e: MessageEvent<SessionReply>) => {
			const w = waiting.get(e.data.id);
			waiting.delete(e.data.id);
			w?.resolve(e.data);
		};
	}
	const id = nextId++;
	return new Promise((resolve) => {
		waiting.set(id, { resolve });
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
