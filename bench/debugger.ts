// The debugger's budgets for each preset: recording a session, trace size, graph model, first ELK layout, a step.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import ELK from 'elkjs/lib/elk.bundled.js';
import { createSession, defaultBatch, PRESETS, isTextPreset, type Preset } from '../src/lib/train/session';
import { buildGraph, edgeMagnitudes } from '../src/lib/viz/graph-model';
import { defaultCollapsed, scopeList, visibleGraph } from '../src/lib/viz/scopes';
import { toElkGraph, readElkLayout, WARM_UP_GRAPH, type ElkNodeJson } from '../src/lib/viz/graph-layout';
import { stepForward } from '../src/lib/viz/stepping';
import { time } from './timing';
import type { Bench, BenchRow } from './types';

const text = (preset: Preset) => readFileSync(`static/data/${isTextPreset(preset) ? 'tinyshakespeare.txt' : 'names.txt'}`, 'utf8');

async function presetRows(preset: Preset, elk: InstanceType<typeof ELK>, log: (line: string) => void): Promise<BenchRow[]> {
	const config = { preset, seed: 42, batch: defaultBatch(preset) };
	const data = text(preset);
	const rec = time(() => createSession(config, data), { warmupMs: 200, batchMs: 100, repeats: 3 });
	const session = createSession(config, data);
	const { trace } = session;
	let bytes = 0;
	for (const t of trace.tensors.values()) bytes += t.values.byteLength;
	const graph = time(() => buildGraph(trace), { warmupMs: 100, batchMs: 50, repeats: 5 });
	const model = buildGraph(trace);
	const vis = visibleGraph(model, defaultCollapsed(scopeList(model)));
	// the first layout is what a learner waits for: time a cold one (a fresh ELK instance has its JIT warm here)
	const t0 = performance.now();
	readElkLayout((await elk.layout(toElkGraph(vis) as never)) as unknown as ElkNodeJson);
	const layoutMs = performance.now() - t0;
	// one step: move the cursor and recompute what the graph colours (edge gradient magnitudes)
	let c = 0;
	const step = time(() => {
		c = stepForward(model.steps, c) % model.steps.length;
		return edgeMagnitudes(model, trace);
	}, { warmupMs: 100, batchMs: 30, repeats: 7 });
	const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
	const row = (group: string, ms: number, note: string): BenchRow => ({ suite: 'debugger', group, name: preset, ms, note });
	log(`${preset}: ${trace.nodes.length} nodes, ${(bytes / 2 ** 20).toFixed(1)} MB of values, layout ${layoutMs.toFixed(0)} ms, heap ${heapMb.toFixed(0)} MB`);
	return [
		row('record session', rec.ms, `${trace.nodes.length} trace nodes, ${trace.tensors.size} tensors, ${(bytes / 2 ** 20).toFixed(2)} MB of values; heap ${heapMb.toFixed(0)} MB (budget 200)`),
		row('build graph', graph.ms, `${model.steps.length} steps`),
		row('first layout (elkjs, Node)', layoutMs, `${vis.nodes.length} visible nodes; budget 1000 ms`),
		row('step (cursor + edge colours)', step.ms, 'budget 16 ms per frame, rendering excluded')
	];
}

export const debuggerBench: Bench = {
	name: 'debugger',
	async run(log) {
		const elk = new ELK();
		// warm the layout engine's JIT as the app does while the session records (state/layout-engine.ts's warmUp)
		await elk.layout(structuredClone(WARM_UP_GRAPH) as never);
		const rows: BenchRow[] = [];
		for (const p of PRESETS) rows.push(...(await presetRows(p, elk, log)));
		return rows;
	}
};
