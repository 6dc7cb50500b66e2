// Records a debugging session off the main thread (gpt-small takes ~200 ms, seed-gpt a few seconds): fetch the dataset, build, record one step.
// A `warm` request fetches both datasets ahead, so the first session asked for does not wait for the network.
import { createSession, dataset, prepareNextSession, datasetPath, DATASETS, type CheckpointFile, type DebugSession, type GivenBatch, type SessionConfig } from '$lib/train/session';
import { fetchCheckpoint, fetchText } from './assets';
import { isOutOfMemory } from './worker-errors';

/**
 * What a page asks: record a session, or get ready (the datasets fetched). `text` (a browser run's own data)
 * replaces the dataset's file; `batch` (a run's next batch) the seeded one.
 */
export type SessionAsk = { config: SessionConfig; checkpoint?: CheckpointFile; text?: string; batch?: GivenBatch } | { warm: true };
export type SessionRequest = SessionAsk & { id: number };
/** A failed request's message has `fatal` when the worker itself is unusable after it (out of memory). */
export type SessionReply = { id: number; session: DebugSession } | { id: number; error: string; fatal?: boolean } | { id: number; warmed: number };

/** Fetch both datasets into the cache; the milliseconds it took. */
async function warm(): Promise<number> {
	const t0 = performance.now();
	await Promise.all(DATASETS.map((d) => fetchText(datasetPath(d))));
	return performance.now() - t0;
}

async function record(req: Exclude<SessionAsk, { warm: true }>): Promise<{ session: DebugSession; buffers: ArrayBuffer[] }> {
	const { config, text: own, batch } = req;
	// a loaded file wins; else trained weights are the shipped checkpoint
	const checkpoint = req.checkpoint ?? (config.weights === 'trained' ? await fetchCheckpoint(config.preset) : undefined);
	const session = createSession(config, own ?? (await fetchText(datasetPath(dataset(config)))), checkpoint, batch);
	// hand the tensors' buffers over instead of copying them
	const buffers = new Set<ArrayBuffer>();
	for (const t of session.trace.tensors.values()) buffers.add(t.values.buffer as ArrayBuffer);
	return { session, buffers: [...buffers] };
}

self.onmessage = async (e: MessageEvent<SessionRequest>) => {
	const req = e.data;
	const post = (reply: SessionReply, transfer: ArrayBuffer[] = []) => (self as unknown as Worker).postMessage(reply, transfer);
	try {
		if ('warm' in req) return post({ id: req.id, warmed: await warm() });
		const { session, buffers } = await record(req);
		post({ id: req.id, session }, buffers);
		// the trace went to the page with its memory: touch memory for the next one now, while the learner reads
		setTimeout(prepareNextSession, 0);
	} catch (err) {
		const error = err instanceof Error ? err.message : String(err);
		// a failed allocation leaves the worker's heap in doubt: the page replaces the worker and says so
		post({ id: req.id, error, fatal: err instanceof RangeError && isOutOfMemory(error) });
	}
};
