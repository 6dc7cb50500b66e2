// The files the workers fetch from the app's static folder (datasets, shipped checkpoints), each fetched once.
import { checkpointPath, type CheckpointFile, type Preset } from '$lib/train/session';

const cache = new Map<string, Promise<unknown>>();

/** Fetch `path` once (a failure is forgotten, so the next call tries again); `what to do` goes into the error. */
function once<T>(path: string, read: (res: Response) => Promise<T>, fix: string): Promise<T> {
	let p = cache.get(path) as Promise<T> | undefined;
	if (!p) {
		p = fetch(path).then((res) => {
			if (!res.ok) throw new Error(`could not load ${path} (HTTP ${res.status}): ${fix}`);
			return read(res);
		});
		cache.set(path, p);
		p.catch(() => cache.delete(path));
	}
	return p;
}

/** A dataset's text. */
export function fetchText(path: string): Promise<string> {
	return once(path, (res) => res.text(), 'run `npm run data` to fetch the datasets');
}

/** The shipped trained checkpoint of a preset, as a checkpoint file. */
export function fetchCheckpoint(preset: Preset): Promise<CheckpointFile> {
	const path = checkpointPath(preset);
	return once(path, async (res) => ({ name: `${preset}.safetensors`, bytes: new Uint8Array(await res.arrayBuffer()) }), 'run `npm run checkpoints` to train the shipped models');
}
