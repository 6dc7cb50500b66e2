// Wire a debugger to the page URL: read the view once on open, write it back (replaceState) on every change.
import { untrack } from 'svelte';
import { replaceState } from '$app/navigation';
import { resolve } from '$app/paths';
import type { DebuggerState } from './debugger.svelte';
import { decodeView, encodeView, type ViewState } from './url';

/** Fetch the names file the sessions train on (static/data, filled by `npm run data`). */
async function namesText(): Promise<string> {
	const res = await fetch('/data/names.txt');
	if (!res.ok) throw new Error(`could not load /data/names.txt (HTTP ${res.status}): run \`npm run data\` to fetch the datasets`);
	return res.text();
}

/** Load the session a view names, then place the cursor as it says. */
export async function openView(dbg: DebuggerState, view: ViewState): Promise<void> {
	dbg.loading = true;
	try {
		dbg.load({ preset: view.preset, seed: view.seed, batch: view.batch }, await namesText(), view);
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
