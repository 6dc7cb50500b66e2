// Wire a debugger to the page URL: read the view once on open, write it back (replaceState) on every change.
import { untrack } from 'svelte';
import { replaceState } from '$app/navigation';
import { resolve } from '$app/paths';
import type { DebuggerState } from './debugger.svelte';
import { datasetPath, type Preset } from '$lib/train/session';
import { decodeView, encodeView, type ViewState } from './url';

const texts = new Map<string, Promise<string>>();

/** Fetch (once) the dataset a preset trains on (static/data, filled by `npm run data`). */
function datasetText(preset: Preset): Promise<string> {
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

/** Load the session a view names, then place the cursor as it says. */
export async function openView(dbg: DebuggerState, view: ViewState): Promise<void> {
	dbg.loading = true;
	try {
		dbg.load({ preset: view.preset, seed: view.seed, batch: view.batch }, await datasetText(view.preset), view);
	} catch (e) {
		dbg.error = e instanceof Error ? e.message : String(e);
	} finally {
		dbg.loading = false;
	}
}

/** Call during component setup: opens the view in the address bar and keeps the address bar in sync. */
export function useUrlSync(dbg: DebuggerState): void {
	let ready = $state(false);
	$effect(() => {
		untrack(() => openView(dbg, decodeView(window.location.search))).then(() => (ready = true));
	});
	$effect(() => {
		const q = encodeView(dbg.view());
		if (!ready || !dbg.session) return;
		if (`?${q}` === window.location.search) return;
		// eslint-disable-next-line svelte/no-navigation-without-resolve -- same resolved page, only the query string changes
		replaceState(resolve('/debug') + '?' + q, {});
	});
}
