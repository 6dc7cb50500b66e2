// Getting the debugger ready while a learner reads the start page: its code, the datasets, a compiled engine, and the
// sessions and layouts its model links open, so that following one shows an interactive graph at once.
import { preloadCode } from '$app/navigation';
import type { SessionConfig } from '$lib/train/session';
import { buildGraph } from '$lib/viz/graph-model';
import { sessionNaming } from '$lib/viz/names';
import { defaultCollapsed, scopeList, visibleGraph } from '$lib/viz/scopes';
import { layoutInWorker, viewAspect } from './layout-engine';
import { recordAhead, recordInWorker, warmRecorder } from './recorder';

let started: Promise<void> | null = null;

/** Record `config` ahead (the session waits for the page that asks for it) and lay out its first view. */
async function ahead(config: SessionConfig): Promise<void> {
	recordAhead(config);
	// NOTE: peek at the session recorded ahead without taking it: record it ahead again for the page that will ask
	const s = await recordInWorker(config);
	recordAhead(config, s);
	const model = buildGraph(s.trace, sessionNaming(s));
	await layoutInWorker(visibleGraph(model, defaultCollapsed(scopeList(model))), viewAspect(window.innerWidth, window.innerHeight));
}

/**
 * Load the debugger's code, fetch the datasets into the session worker and run tiny sessions there (the engine's first
 * run compiles it), then record and lay out each of `links` one after the other (ELK's first layouts cost seconds cold).
 * Idempotent: the work happens once per page load. Errors are left for the page that opens the session to show.
 */
export function warmDebugger(links: SessionConfig[]): Promise<void> {
	started ??= (async () => {
		await preloadCode('/debug');
		await warmRecorder();
		for (const config of links) await ahead(config);
	})().catch(() => undefined);
	return started;
}
