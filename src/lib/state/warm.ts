// Getting the debugger ready while a learner reads the start page: its code, the datasets, a compiled engine and layout.
import { preloadCode } from '$app/navigation';
import { buildGraph } from '$lib/viz/graph-model';
import { sessionNaming } from '$lib/viz/names';
import { defaultCollapsed, scopeList, visibleGraph } from '$lib/viz/scopes';
import { layoutInWorker } from './layout-engine';
import { recordInWorker, warmRecorder } from './recorder';

let started: Promise<void> | null = null;

/**
 * Load the debugger's code, fetch the datasets into the session worker and run tiny sessions there (the engine's
 * first run compiles it), then lay out a real graph once in the ELK worker (ELK's first layout costs seconds cold).
 * Idempotent: the work happens once per page load.
 */
export function warmDebugger(): Promise<void> {
	started ??= (async () => {
		await preloadCode('/debug');
		await warmRecorder();
		const s = await recordInWorker({ preset: 'mlp-bn', seed: 1, batch: 1 });
		const model = buildGraph(s.trace, sessionNaming(s));
		await layoutInWorker(visibleGraph(model, defaultCollapsed(scopeList(model))), 'warm-up', 1.6);
	})().catch(() => undefined);
	return started;
}
