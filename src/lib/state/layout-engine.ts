// ELK in a web worker: the graph layout runs off the main thread; one layout per collapse state, cached.
import ELK from 'elkjs/lib/elk-api.js';
import workerUrl from 'elkjs/lib/elk-worker.min.js?url';
import { readElkLayout, toElkGraph, type ElkNodeJson, type Layout } from '$lib/viz/graph-layout';
import type { VisibleGraph } from '$lib/viz/scopes';

let elk: InstanceType<typeof ELK> | null = null;
const cache = new Map<string, Promise<Layout>>();

/** Lay out a visible graph in the worker; `key` names the trace and collapse state (same key → cached result). */
export function layoutInWorker(vis: VisibleGraph, key: string, aspectRatio: number): Promise<Layout> {
	let p = cache.get(key);
	if (!p) {
		elk ??= new ELK({ workerUrl });
		p = elk.layout(toElkGraph(vis, aspectRatio) as never).then((out) => readElkLayout(out as unknown as ElkNodeJson));
		cache.set(key, p);
		p.catch(() => cache.delete(key));
	}
	return p;
}

/** Start the worker and warm ELK up on a tiny graph (its first call pays the JIT), while a session is recorded. */
export function warmUp(): void {
	if (elk) return;
	elk = new ELK({ workerUrl });
	const tiny = { id: 'root', layoutOptions: { 'elk.algorithm': 'layered' }, children: [{ id: 'a', width: 10, height: 10 }, { id: 'b', width: 10, height: 10 }], edges: [{ id: 'e', sources: ['a'], targets: ['b'] }] };
	elk.layout(tiny).catch(() => undefined);
}

/** Forget cached layouts (a new trace). */
export function clearLayouts(): void {
	cache.clear();
}
