// Records a debugging session off the main thread (gpt-small takes ~200 ms): fetch the dataset, build, record one step.
import { createSession, dataset, datasetPath, type CheckpointFile, type DebugSession, type SessionConfig } from '$lib/train/session';
import { fetchCheckpoint, fetchText } from './assets';

export type SessionRequest = { id: number; config: SessionConfig; checkpoint?: CheckpointFile };
export type SessionReply = { id: number; session: DebugSession } | { id: number; error: string };

self.onmessage = async (e: MessageEvent<SessionRequest>) => {
	const { id, config } = e.data;
	try {
		// a loaded file wins; else trained weights are the shipped checkpoint
		const checkpoint = e.data.checkpoint ?? (config.weights === 'trained' ? await fetchCheckpoint(config.preset) : undefined);
		const session = createSession(config, await fetchText(datasetPath(dataset(config))), checkpoint);
		// hand the tensors' buffers over instead of copying them
		const buffers = new Set<ArrayBuffer>();
		for (const t of Object.values(session.trace.tensors)) buffers.add(t.values.buffer as ArrayBuffer);
		(self as unknown as Worker).postMessage({ id, session } satisfies SessionReply, [...buffers]);
	} catch (err) {
		(self as unknown as Worker).postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies SessionReply);
	}
};
