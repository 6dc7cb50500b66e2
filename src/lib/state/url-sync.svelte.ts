// Wire a debugger to the page URL: read the view once on open, write it back (replaceState) on every change.
import { untrack } from 'svelte';
import { replaceState } from '$app/navigation';
import { resolve } from '$app/paths';
import type { DebuggerState } from './debugger.svelte';
import { warmUp } from './layout-engine';
import { recordInWorker } from './recorder';
import { runWeights } from './run-weights';
import { decodeView, encodeView, type ViewState } from './url';

/** The latest requested config: an older reply that arrives late is dropped. */
let latest: unknown = null;

/** Record the session a view names (in the worker), then place the cursor as it says. */
export async function openView(dbg: DebuggerState, view: ViewState): Promise<void> {
	dbg.loading = true;
	// marks for the navigation bench (bench/browser.ts): where the time from a click to a drawn graph goes
	performance.mark('debug:open');
	try {
		const config = { preset: view.preset, dataset: view.dataset, seed: view.seed, batch: view.batch, weights: view.weights, text: view.text };
		latest = config;
		warmUp();
		const run = view.run ? await runWeights(view.run) : null;
		dbg.run = view.run && run ? view.run : null;
		dbg.missingRun = view.run && !run ? `This link shows run ${view.run.id} at step ${view.run.step}, which this browser does not have (runs are kept in the browser that trained them).` : null;
		if (dbg.missingRun) {
			dbg.config = config;
			return;
		}
		if (run) dbg.checkpoint = run.checkpoint;
		const session = await recordInWorker(config, dbg.checkpoint ?? undefined, run ? { text: run.text, batch: run.batch } : {});
		performance.mark('debug:recorded');
		// a newer request may have finished first: show only the one that matches the latest choice
		if (latest === config) dbg.show(session, view);
		performance.mark('debug:shown');
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
		// NOTE: debounced: history.replaceState costs ~1 ms and browsers throttle frequent calls (stepping, playing)
		const timer = setTimeout(() => {
			// eslint-disable-next-line svelte/no-navigation-without-resolve -- same resolved page, only the query string changes
			replaceState(resolve('/debug') + '?' + q, {});
		}, 200);
		return () => clearTimeout(timer);
	});
}
