// Records a debugging session off the main thread (gpt-small takes ~200 ms): fetch the dataset, build, record one step.
import { createSession, dataset, datasetPath, type CheckpointFile, type DebugSession, type GivenBatch, type SessionConfig } from '$lib/train/session';

/** `text` (a browser run's own data) replaces the dataset's file; `batch` (a run's next batch) the seeded one. */
export type SessionRequest = { id: number; config: SessionConfig; checkpoint?: CheckpointFile; text?: string; batch?: GivenBatch };
export type SessionReply = { id: number; session: DebugSession } | { id: number; error: string };

const texts = new Map<string, Promise<string>>();

function text(path: string): Promise<string> {
	let p = texts.get(path);
	if (!p) {
		p = fetch(path).then((res) => {
			if (!res.ok) throw new Error(`could not load ${path} (HTTP ${res.status}): run \`npm run data\` to fetch the datasets`);
			return res.text();
		});
		texts.set(path, p);
		p.catch(() => texts.delete(path));
	}
	return p;
}

self.onmessage = async (e: MessageEvent<SessionRequest>) => {
	const { id, config, checkpoint, text: own, batch } = e.data;
	try {
		const session = createSession(config, own ?? (await text(datasetPath(dataset(config)))), checkpoint, batch);
		// hand the tensors' buffers over instead of copying them
		const buffers = new Set<ArrayBuffer>();
		for (const t of Object.values(session.trace.tensors)) buffers.add(t.values.buffer as ArrayBuffer);
		(self as unknown as Worker).postMessage({ id, session } satisfies SessionReply, [...buffers]);
	} catch (err) {
		(self as unknown as Worker).postMessage({ id, error: err instanceof Error ? err.message : String(err) } satisfies SessionReply);
	}
};
