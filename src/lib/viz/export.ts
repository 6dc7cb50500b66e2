// Taking views out of the app: the whole graph as a standalone SVG, a tensor as CSV or NumPy's .npy.
import type { TraceTensor } from '../engine/index';
import { GRAPH_FONT, nodeLines, type Layout, type Point } from './graph-layout';
import type { VisibleGraph } from './scopes';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x: number) => String(Math.round(x * 10) / 10);

/** How the graph looks at the cursor: each box's state classes and each edge's stroke, as the debugger draws them. */
export interface GraphLooks {
	node: (id: string) => string;
	edge: (id: string) => { stroke: string; width: number; dash: string };
}

// the debugger's colours (GraphNode.svelte), as classes inside the file; states also differ in line (dashed pending)
const STYLE = `
text{font-family:ui-monospace,Menlo,monospace;text-anchor:middle}
.l1{font-weight:600;fill:#1f2733}.l2{fill:#4d5664}
.node rect{fill:#fff;stroke:#7b8798;stroke-width:1.2}
.op.done rect{fill:#dbe8fb;stroke:#4a6fa5}.param rect{fill:#e4f4e4;stroke:#4f8a4f}
.input rect,.const rect{fill:#f6ecd8;stroke:#a58a4a}.module rect{fill:#eef0f7;stroke:#6a7390}
.pending rect{stroke-dasharray:4 3;fill:#fafafa}.grad rect{fill:#fbe3dc;stroke:#b5523b}
.current rect{stroke:#e08a00;stroke-width:3.5}
.box{fill:rgba(90,110,160,0.05);stroke:#b8c0cf;stroke-dasharray:3 2}
.boxname{font-family:system-ui,sans-serif;font-weight:600;fill:#4a5568;text-anchor:start}`;

function pathOf(pts: Point[]): string {
	return pts.length ? `M${pts.map((p) => `${num(p.x)},${num(p.y)}`).join('L')}` : '';
}

/** The whole visible graph (every box, not just what is on screen) as an SVG document, styled as at the cursor. */
export function graphSvg(vis: VisibleGraph, layout: Layout, looks: GraphLooks, title: string): string {
	const out: string[] = [];
	const pad = 8;
	out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${num(layout.width + 2 * pad)}" height="${num(layout.height + 2 * pad)}" viewBox="${-pad} ${-pad} ${num(layout.width + 2 * pad)} ${num(layout.height + 2 * pad)}" role="img">`);
	out.push(`<title>${escape(title)}</title><style>${STYLE}</style>`);
	out.push('<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="#56606e"/></marker></defs>');
	out.push(`<rect x="${-pad}" y="${-pad}" width="100%" height="100%" fill="#ffffff"/>`);
	for (const [scope, r] of layout.boxes) {
		out.push(`<rect class="box" x="${num(r.x)}" y="${num(r.y)}" width="${num(r.width)}" height="${num(r.height)}" rx="8"/>`);
		out.push(`<text class="boxname" x="${num(r.x + 8)}" y="${num(r.y + 16)}" font-size="${GRAPH_FONT.box}">${escape(vis.boxLabels.get(scope) ?? scope)}</text>`);
	}
	for (const e of vis.edges) {
		const s = looks.edge(e.id);
		const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
		out.push(`<path d="${pathOf(layout.edges.get(e.id) ?? [])}" fill="none" stroke="${s.stroke}" stroke-width="${s.width}"${dash} marker-end="url(#arrow)"/>`);
	}
	for (const v of vis.nodes) {
		const r = layout.nodes.get(v.id);
		if (!r) continue;
		const kind = v.collapsed !== undefined ? 'module' : (v.node?.kind ?? 'op');
		const [l1, l2] = nodeLines(v);
		out.push(`<g class="node ${kind} ${looks.node(v.id)}" transform="translate(${num(r.x)},${num(r.y)})"><title>${escape(`${l1} ${l2}`)}</title>`);
		out.push(`<rect width="${num(r.width)}" height="${num(r.height)}" rx="${kind === 'op' ? 6 : 14}"/>`);
		out.push(`<text class="l1" x="${num(r.width / 2)}" y="${num(r.height / 2 - 3)}" font-size="${GRAPH_FONT.name}">${escape(l1)}</text>`);
		out.push(`<text class="l2" x="${num(r.width / 2)}" y="${num(r.height / 2 + 11)}" font-size="${GRAPH_FONT.shape}">${escape(l2)}</text></g>`);
	}
	out.push('</svg>');
	return out.join('\n');
}

/** A tensor as CSV: a 2-D tensor row by row; more dimensions flatten the leading ones into rows (the header says how). */
export function tensorCsv(t: Pick<TraceTensor, 'shape' | 'values'>): string {
	const cols = t.shape.length ? t.shape[t.shape.length - 1] : 1;
	const rows = cols ? t.values.length / cols : 0;
	const lines: string[] = [];
	if (t.shape.length > 2) lines.push(`# shape (${t.shape.join(', ')}): rows are the first ${t.shape.length - 1} dimensions flattened`);
	for (let i = 0; i < rows; i++) lines.push(Array.from(t.values.subarray(i * cols, (i + 1) * cols), (v) => String(v)).join(','));
	return lines.join('\n') + '\n';
}

const DESCR: Record<string, string> = { float32: '<f4', float64: '<f8', int32: '<i4' };

/** A tensor in NumPy's .npy format (version 1.0, little-endian, C order): `np.load` reads it with its shape and dtype. */
export function tensorNpy(t: Pick<TraceTensor, 'shape' | 'values' | 'dtype'>): Uint8Array {
	const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
	let header = `{'descr': '${DESCR[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
	// magic (6) + version (2) + length (2) + header + '\n', padded with spaces to a multiple of 64
	const total = Math.ceil((10 + header.length + 1) / 64) * 64;
	header = header.padEnd(total - 10 - 1, ' ') + '\n';
	const body = new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength);
	const out = new Uint8Array(total + body.length);
	out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
	for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
	out.set(body, total);
	return out;
}
