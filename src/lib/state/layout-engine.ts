// ELK in a web worker: the graph layout runs off the main thread; layouts are cached by their request, so a graph
// laid out ahead (on the start page) or met again (a collapse state revisited) costs nothing.
import ELK from 'elkjs/lib/elk-api.js';
import workerUrl from 'elkjs/lib/elk-worker.min.js?url';
import { readElkLayout, toElkGraph, WARM_UP_GRAPH, type ElkNodeJson, type Layout } from '$lib/viz/graph-layout';
import type { VisibleGraph } from '$lib/viz/scopes';

let elk: InstanceType<typeof ELK> | null = null;
/** Layouts by their ELK request (as JSON): the same boxes, labels and edges give the same drawing. */
const cache = new Map<string, Promise<Layout>>();
const CACHE_MAX = 48;

/** Lay out a visible graph in the worker, wrapping long chains towards `aspectRatio` (width / height). */
export function layoutInWorker(vis: VisibleGraph, aspectRatio: number): Promise<Layout> {
	const request = toElkGraph(vis, aspectRatio);
	const key = JSON.stringify(request);
	let p = cache.get(key);
	if (!p) {
		elk ??= new ELK({ workerUrl });
		p = elk.layout(request as never).then((out) => readElkLayout(out as unknown as ElkNodeJson));
		if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
		cache.set(key, p);
		p.catch(() => cache.delete(key));
	}
	return p;
}

/**
 * The shape a graph is laid out for: the debugger's graph panel in a window of `width` × `height` (the page's rows
 * above it and the inspector beside it taken off), in tenths from 0.5 to 3. From the window, not the measured panel,
 * so that a page that has no panel yet (the start page laying out ahead) asks for the same layout.
 */
export function viewAspect(width: number, height: number, presenting = false): number {
	const w = presenting ? width * 0.58 - 24 : width - 500;
	const h = height - (presenting ? 200 : 240);
	const ratio = Math.max(w, 100) / Math.max(h, 100);
	return Math.round(Math.min(3, Math.max(0.5, ratio)) * 10) / 10;
}

/** Start the worker and warm ELK up on a tiny graph (its first call pays the JIT), while a session is recorded. */
export function warmUp(): void {
	if (elk) return;
	elk = new ELK({ workerUrl });
	// NOTE: a tiny graph: a stand-in as large as a preset's warmed more, but the learner's own layout then queued
	// behind it in the worker (seconds on a loaded machine)
	elk.layout(structuredClone(WARM_UP_GRAPH) as never).catch(() => undefined);
}
