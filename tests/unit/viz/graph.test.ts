// The graph model, scope collapsing and the ELK layout adapter, on a small recorded trace.
import { describe, expect, it } from 'vitest';
import ELK from 'elkjs/lib/elk.bundled.js';
import { add, backward, matmul, mul, record, sum, tanh, tensor, withScope } from '$lib/engine';
import { buildGraph, opNodeId, stepAt, tensorNodeId } from '$lib/viz/graph-model';
import { defaultCollapsed, scopeList, scopeNodeId, visibleGraph } from '$lib/viz/scopes';
import { readElkLayout, toElkGraph, type ElkNodeJson } from '$lib/viz/graph-layout';

/** h = tanh(x W + b) in scope lin; loss = Σ h·h in scope loss (h feeds mul twice: an accumulate). */
function tiny() {
	const x = tensor([[1, -2], [0.5, 3]], { name: 'idx' });
	const W = tensor([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]], { requiresGrad: true, name: 'lin.weight' });
	const b = tensor([0.01, 0.02, 0.03], { requiresGrad: true, name: 'lin.bias' });
	const { trace } = record(() => {
		const h = withScope('lin', () => tanh(add(matmul(x, W), b)));
		const loss = withScope('loss', () => sum(mul(h, h)));
		backward(loss);
		return loss;
	});
	return { trace, W, b };
}

describe('buildGraph', () => {
	it('makes op nodes, leaf nodes and data-flow edges from the forward trace', () => {
		const { trace, W } = tiny();
		const m = buildGraph(trace);
		const ops = m.nodes.filter((n) => n.kind === 'op').map((n) => `${n.label}@${n.scope}`);
		expect(ops).toEqual(['matmul@lin', 'add@lin', 'tanh@lin', 'mul@loss', 'sum@loss']);
		const leaves = m.nodes.filter((n) => n.kind !== 'op').map((n) => `${n.kind}:${n.label}@${n.scope}`);
		expect(leaves).toEqual(['input:idx@lin', 'param:lin.weight@lin', 'param:lin.bias@lin']);
		// tanh's output feeds mul twice (slots 0 and 1)
		const tanhId = m.nodes.find((n) => n.label === 'tanh')!.id;
		expect(m.edges.filter((e) => e.source === tanhId).map((e) => e.slot)).toEqual([0, 1]);
		expect(m.producer.get(W.id)).toBe(tensorNodeId(W.id));
		expect(m.phaseLength).toEqual({ forward: 5, backward: 6, update: 0 });
	});

	it('maps backward and accumulate steps onto forward nodes and records the gradient on each edge', () => {
		const { trace } = tiny();
		const m = buildGraph(trace);
		const back = m.steps.filter((s) => s.phase === 'backward');
		expect(back.map((s) => s.kind)).toEqual(['grad', 'accumulate', 'grad', 'grad', 'grad', 'grad']);
		const tanhNode = m.nodes.find((n) => n.label === 'tanh')!;
		// the accumulate step sits at tanh (the tensor whose gradient receives two contributions)
		expect(back[1].node).toBe(tanhNode.id);
		// mul sends g·h to both slots: d(h·h)/dh per slot = h, and the sum is 2h
		const e0 = m.edges.find((e) => e.source === tanhNode.id && e.slot === 0)!;
		const g0 = trace.tensors.get(m.edgeGrad.get(e0.id)!.tensor)!.values;
		const h = trace.tensors.get(tanhNode.tensor)!.values;
		expect(Array.from(g0)).toEqual(Array.from(h));
		expect(m.loss).toBe(m.nodes.find((n) => n.label === 'sum')!.tensor);
		expect(stepAt(m, 'backward', 2)).toBe(7);
	});
});

describe('scopes', () => {
	it('lists scopes and collapses one into a single node with its inner edges gone', () => {
		const { trace } = tiny();
		const m = buildGraph(trace);
		expect(scopeList(m)).toEqual(['lin', 'loss']);
		expect(defaultCollapsed(['blocks', 'blocks.0', 'blocks.0.sa', 'blocks.1', 'lm_head'])).toEqual(new Set(['blocks.0', 'blocks.1']));
		const vis = visibleGraph(m, new Set(['lin']));
		const box = vis.nodes.find((v) => v.id === scopeNodeId('lin'))!;
		expect(box.firstStep).toBe(0);
		expect(box.lastStep).toBe(2);
		expect(vis.nodes.length).toBe(3); // lin box, mul, sum
		expect(vis.edges.map((e) => e.id).sort()).toEqual([`${opNodeId(3)}>${opNodeId(4)}`, `s:lin>${opNodeId(3)}`]);
		// the box's edge into mul stands for both slots
		expect(vis.edges.find((e) => e.source === 's:lin')!.edges.length).toBe(2);
		expect(vis.boxes).toEqual(['loss']);
		expect(visibleGraph(m, new Set()).boxes).toEqual(['lin', 'loss']);
	});
});

describe('layout adapter', () => {
	it('lays out nested scopes with elkjs and reads absolute positions back', async () => {
		const { trace } = tiny();
		const vis = visibleGraph(buildGraph(trace), new Set());
		const req = toElkGraph(vis, 10); // a wide view: one row, no wrapping
		expect(req.children!.map((c) => c.id)).toEqual(['box:lin', 'box:loss']);
		const out = readElkLayout((await new ELK().layout(req as never)) as unknown as ElkNodeJson);
		expect(out.nodes.size).toBe(vis.nodes.length);
		expect(out.edges.size).toBe(vis.edges.length);
		// every node lies inside its scope box (root coordinates), and data flows left to right
		for (const v of vis.nodes) {
			const r = out.nodes.get(v.id)!;
			const box = out.boxes.get(v.parent)!;
			expect(r.x).toBeGreaterThanOrEqual(box.x);
			expect(r.y).toBeGreaterThanOrEqual(box.y);
			expect(r.x + r.width).toBeLessThanOrEqual(box.x + box.width + 1e-6);
			expect(r.y + r.height).toBeLessThanOrEqual(box.y + box.height + 1e-6);
		}
		const x = (label: string) => out.nodes.get(vis.nodes.find((v) => v.label === label)!.id)!.x;
		expect(x('matmul')).toBeLessThan(x('add'));
		expect(x('tanh')).toBeLessThan(x('mul'));
		const pts = out.edges.get(vis.edges[0].id)!;
		expect(pts.length).toBeGreaterThanOrEqual(2);
	});
});
