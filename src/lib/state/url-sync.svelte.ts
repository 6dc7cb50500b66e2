// Wire a debugger to the page URL: read the view once on open, write it back (replaceState) on every change.
import { untrack } from 'svelte';
import { replaceState } from '$app/navigation';
import { resolve } from '$app/paths';
import { takeHandedCheckpoint } from './attention-source';
import type { DebuggerState } from './debugger.svelte';
import { warmUp } from './layout-engine';
import { recordInWorker, restartWorker, WorkerFailure } from './recorder';
import { runWeights } from './run-weights';
import { decodeView, encodeView, type ViewState } from './url';

/** The latest request and the view it asked for: a reply, or an error, of an older one that arrives late is dropped. */
let latest = 0;
let lastView: ViewState | null = null;

/**
 * Record the session a view names (in the worker), then place the cursor as it says. Only the latest request shows
 * its result or its error, so an earlier failure never stays on screen over a newer success. `notices` are what a
 * link asked for that could not be shown (they are cleared by the next change).
 */
export async function openView(dbg: DebuggerState, view: ViewState, notices: string[] = []): Promise<void> {
	const id = ++latest;
	lastView = view;
	dbg.loading = true;
	dbg.notices = notices;
	// marks for the navigation bench (bench/browser.ts): where the time from a click to a drawn graph goes
	performance.mark('debug:open');
	try {
		const config = { preset: view.preset, dataset: view.dataset, seed: view.seed, batch: view.batch, weights: view.weights, text: view.text };
		warmUp();
		const run = view.run ? await runWeights(view.run) : null;
		if (id !== latest) return;
		dbg.run = view.run && run ? view.run : null;
		dbg.missingRun = view.run && !run ? `This link shows run ${view.run.id} at step ${view.run.step}, which this browser does not have (runs are kept in the browser that trained them).` : null;
		if (dbg.missingRun) {
			dbg.config = config;
			return;
		}
		if (run) dbg.checkpoint = run.checkpoint;
		// a run's kept step records its batch, unless the link names a text (the attention explorer's links do)
		const session = await recordInWorker(config, dbg.checkpoint ?? undefined, run ? { text: run.text, ...(view.text === undefined ? { batch: run.batch } : {}) } : {});
		performance.mark('debug:recorded');
		// a newer request may have finished first: show only the one that matches the latest choice
		if (id === latest) dbg.show(session, view, notices);
		performance.mark('debug:shown');
	} catch (e) {
		if (id !== latest) return;
		dbg.error = e instanceof Error ? e.message : String(e);
		dbg.workerFailed = e instanceof WorkerFailure;
	} finally {
		if (id === latest) dbg.loading = false;
	}
}

/** After the worker died: start a new one and record the last requested view again (the page kept its state). */
export function restartView(dbg: DebuggerState): Promise<void> {
	restartWorker();
	dbg.error = null;
	dbg.workerFailed = false;
	return openView(dbg, lastView ?? dbg.view(), dbg.notices);
}

/** Call during component setup: opens the view in the address bar and keeps the address bar in sync. */
export function useUrlSync(dbg: DebuggerState): void {
	let ready = $state(false);
	$effect(() => {
		const notices: string[] = [];
		untrack(() => {
			// a file the attention explorer loaded and linked from (no URL names it)
			const handed = takeHandedCheckpoint();
			if (handed) dbg.checkpoint = handed;
			return openView(dbg, decodeView(window.location.search, notices), notices);
		}).then(() => (ready = true));
	});
	$effect(() => {
		const q = encodeView(dbg.view());
		if (!ready || !dbg.session) return;
		if (`?${q}` === window.location.search) return;
		// NOTE: debounced: history.replaceState costs ~1 ms and browsers throttle frequent calls (stepping, playing)
		const timer = setTimeout(() => {
			// the learner may have left meanwhile (Back is already at another address while its page loads): never
			// write the debugger's address over another page's history entry
			if (window.location.pathname !== resolve('/debug')) return;
			// eslint-disable-next-line svelte/no-navigation-without-resolve -- same resolved page, only the query string changes
			replaceState(resolve('/debug') + '?' + q, {});
		}, 200);
		return () => clearTimeout(timer);
	});
}
