// Wire a debugger to the page URL: read the view once on open, write it back (replaceState) on every change.
import { untrack } from 'svelte';
import { replaceState } from '$app/navigation';
import { resolve } from '$app/paths';
import type { DebuggerState } from './debugger.svelte';
import { datasetText } from './datasets';
import { decodeView, encodeView, type ViewState } from './url';

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
