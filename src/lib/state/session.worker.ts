// Records a debugging session off the main thread (gpt-small takes ~200 ms, seed-gpt a few seconds): fetch the dataset, build, record one step.
import { createSession, dataset, datasetPath, type CheckpointFile, type DebugSession, type GivenBatch, type SessionConfig } from '$lib/train/session';
import { fetchCheckpoint, fetchText } from './assets';

/** `text` (a browser run's own data) replaces the dataset's file; `batch` (a run's next batch) the seeded one. */
export type SessionRequest = { id: number; config: SessionConfig; checkpoint?: CheckpointFile; text?: string; batch?: GivenBatch };
export type SessionReply = { id: number; session: DebugSession } | { id: number; error: string };

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
		(self as unknown as Worker).postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies SessionReply);
	}
};
