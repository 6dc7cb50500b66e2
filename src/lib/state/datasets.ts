// The dataset files the sessions read, fetched once per page.
import { datasetPath, type Preset } from '$lib/train/session';

const texts = new Map<string, Promise<string>>();

/** Fetch (once) the dataset a preset trains on (static/data, filled by `npm run data`). */
export function datasetText(preset: Preset): Promise<string> {
	const path = datasetPath(preset);
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
