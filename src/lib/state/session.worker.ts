// Records a debugging session off the main thread (gpt-small takes ~200 ms): fetch the dataset, build, record one step.
import { createSession, dataset, datasetPath, type CheckpointFile, type DebugSession, type GivenBatch, type SessionConfig } from '$lib/train/session';
import { fetchCheckpoint, fetchText } from './assets';
import { isOutOfMemory } from './worker-errors';

/** `text` (a browser run's own data) replaces the dataset's file; `batch` (a run's next batch) the seeded one. */
export type SessionRequest = { id: number; config: SessionConfig; checkpoint?: CheckpointFile; text?: string; batch?: GivenBatch };
/** A failed request's message; `fatal` when the worker itself is unusable after it (out of memory). */
export type SessionReply = { id: number; session: DebugSession } | { id: number; error: string; fatal?: boolean };

self.onmessage = async (e: MessageEvent<SessionRequest>) => {
	const { id, config, text: own, batch } = e.data;
	try {
		// a loaded file wins; else trained weights are the shipped checkpoint
		const checkpoint = e.data.checkpoint ?? (config.weights === 'trained' ? await fetchCheckpoint(config.preset) : undefined);
		const session = createSession(config, own ?? (await fetchText(datasetPath(dataset(config)))), checkpoint, batch);
		// hand the tensors' buffers over instead of copying them
		const buffers = new Set<ArrayBuffer>();
		for (const t of Object.values(session.trace.tensors)) buffers.add(t.values.buffer as ArrayBuffer);
		(self as unknown as Worker).postMessage({ id, session } satisfies SessionReply, [...buffers]);
	} catch (err) {
		const error = err instanceof Error ? err.message : String(err);
		// a failed allocation leaves the worker's heap in doubt: the page replaces the worker and says so
		(self as unknown as Worker).postMessage({ id, error, fatal: err instanceof RangeError && isOutOfMemory(error) } satisfies SessionReply);
	}
};
