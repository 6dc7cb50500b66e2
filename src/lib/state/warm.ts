// Getting the debugger ready while a learner reads the start page: its code, the datasets, and the sessions and
// layouts its model links open (compiling the engine and ELK on the way), so that following one is quick.
import { preloadCode } from '$app/navigation';
import type { SessionConfig } from '$lib/train/session';
import { buildGraph } from '$lib/viz/graph-model';
import { sessionNaming } from '$lib/viz/names';
import { defaultCollapsed, scopeList, visibleGraph } from '$lib/viz/scopes';
import { layoutInWorker, viewAspect } from './layout-engine';
import { recordAhead, warmRecorder } from './recorder';

let base: Promise<unknown> | null = null;
const ready = new Set<string>();

/** Record `config` ahead (the session stays kept for the page that asks for it) and lay out its first view. */
async function ahead(config: SessionConfig): Promise<void> {
	const s = await recordAhead(config);
	const model = buildGraph(s.trace, sessionNaming(s));
	await layoutInWorker(visibleGraph(model, defaultCollapsed(scopeList(model))), viewAspect(window.innerWidth, window.innerHeight));
}

/**
 * Load the debugger's code and fetch the datasets into the session worker, then record and lay out each of `links` one
 * after the other (the first of each compiles the engine or ELK: seconds on a busy machine).
 * Stops between links once `signal` aborts (the learner left: the workers should serve the page they opened); what
 * was done is kept, and a later call goes on from there. Errors are left for the page that opens the session to show.
 */
export async function warmDebugger(links: SessionConfig[], signal: AbortSignal): Promise<void> {
	try {
		base ??= Promise.all([preloadCode('/debug'), warmRecorder()]);
		await base;
		for (const config of links) {
			const key = JSON.stringify(config);
			if (signal.aborted) return;
			if (ready.has(key)) continue;
			await ahead(config);
			ready.add(key);
		}
	} catch {
		// the debugger shows the error when the learner opens it
	}
}
