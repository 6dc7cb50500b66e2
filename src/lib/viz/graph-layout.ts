// The layout adapter: a visible graph → an ELK JSON request (compound nodes for open scopes) → positions.
// Plain data both ways, so the request can go to elkjs in a worker, in Node (bench) or in tests.
import { shapeLabel } from './summarize';
import { ancestors, commonScope, type VisibleGraph, type VisibleNode } from './scopes';

/** The subset of ELK's JSON graph we send and read back. */
export interface ElkNodeJson {
	id: string;
	x?: number;
	y?: number;
	width?: number;
	height?: number;
	children?: ElkNodeJson[];
	edges?: ElkEdgeJson[];
	layoutOptions?: Record<string, string>;
	labels?: { text: string; width?: number; height?: number }[];
}

export interface ElkEdgeJson {
	id: string;
	sources: string[];
	targets: string[];
	sections?: { startPoint: Point; endPoint: Point; bendPoints?: Point[] }[];
}

export interface Point {
	x: number;
	y: number;
}

export interface Rect {
	x: number;
	y: number;
	width: number;
	height: number;
}

/** Where everything goes, in one coordinate system (the root's). */
export interface Layout {
	nodes: Map<string, Rect>;
	boxes: Map<string, Rect>;
	edges: Map<string, Point[]>;
	width: number;
	height: number;
}

/** The graph's font sizes in layout px (the box sizes below assume ~0.6 em per character of the first line). */
export const GRAPH_FONT = { name: 11.5, shape: 10, box: 11 } as const;
/** The smallest of them: a zoom of PX / this shows every graph label at PX screen pixels or more. */
export const GRAPH_FONT_MIN = Math.min(GRAPH_FONT.name, GRAPH_FONT.shape, GRAPH_FONT.box);

const CHAR = 7;
const BOX_PREFIX = 'box:';

/** The two text lines of a node: name, then shape (collapsed scopes: path, then op count). */
export function nodeLines(v: VisibleNode): [string, string] {
	if (v.node) {
		// a parameter sits inside its module's box: `weight` there says what `blocks.0.sa.proj.weight` does
		const { label, scope, kind } = v.node;
		const short = kind === 'param' && scope && label.startsWith(scope + '.') ? label.slice(scope.length + 1) : label;
		// the lecture's name beside PyTorch's: `weight (W1ᵀ)`, `tanh → h`
		const lecture = v.node.lecture;
		const first = !lecture ? short : kind === 'op' ? `${short} → ${lecture}` : `${short} (${lecture})`;
		return [first, shapeLabel(v.node.shape)];
	}
	const n = v.lastStep >= 0 ? v.lastStep - v.firstStep + 1 : 0;
	return [`▸ ${v.label}`, `${n} ops`];
}

/** Box size from its text (monospace-ish estimate). */
export function nodeSize(v: VisibleNode): { width: number; height: number } {
	const [a, b] = nodeLines(v);
	const width = Math.max(64, Math.ceil(Math.max(a.length, b.length) * CHAR) + 20);
	return { width, height: v.collapsed !== undefined ? 44 : 38 };
}

const ROOT_OPTIONS: Record<string, string> = {
	'elk.algorithm': 'layered',
	'elk.direction': 'RIGHT',
	'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
	'elk.layered.spacing.nodeNodeBetweenLayers': '36',
	'elk.spacing.nodeNode': '18',
	// NOTE: Brandes–Köpf placement and one crossing-minimisation sweep lay out mlp-deep's twenty layer boxes in about
	// two thirds of the time network-simplex placement with the default sweeps took, for the same chain-like drawing
	'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
	'elk.layered.crossingMinimization.thoroughness': '1',
	'elk.edgeRouting': 'ORTHOGONAL',
	'org.eclipse.elk.json.shapeCoords': 'ROOT',
	'org.eclipse.elk.json.edgeCoords': 'ROOT'
};

/**
 * The ELK request: open scopes become compound nodes with a label; each edge sits in its lowest common scope.
 * A long chain of layers wraps into rows so the drawing approaches `aspectRatio` (the view's width / height).
 */
export function toElkGraph(vis: VisibleGraph, aspectRatio = 1.6): ElkNodeJson {
	const layoutOptions = { ...ROOT_OPTIONS, 'elk.layered.wrapping.strategy': 'SINGLE_EDGE', 'elk.aspectRatio': aspectRatio.toFixed(2) };
	const root: ElkNodeJson = { id: 'root', layoutOptions, children: [], edges: [] };
	const boxes = new Map<string, ElkNodeJson>([['', root]]);
	for (const s of vis.boxes) {
		const text = `▾ ${vis.boxLabels.get(s) ?? s}`;
		const box: ElkNodeJson = {
			id: BOX_PREFIX + s,
			children: [],
			edges: [],
			labels: [{ text, width: text.length * CHAR, height: 14 }],
			layoutOptions: { 'elk.padding': '[top=26,left=10,bottom=10,right=10]', 'elk.nodeLabels.placement': 'INSIDE V_TOP H_LEFT' }
		};
		boxes.set(s, box);
		const parent = s.includes('.') ? s.slice(0, s.lastIndexOf('.')) : '';
		(boxes.get(parent) ?? root).children!.push(box);
	}
	const parentOf = new Map<string, string>();
	for (const v of vis.nodes) {
		parentOf.set(v.id, v.parent);
		(boxes.get(v.parent) ?? root).children!.push({ id: v.id, ...nodeSize(v) });
	}
	for (const e of vis.edges) {
		const scope = commonScope(parentOf.get(e.source) ?? '', parentOf.get(e.target) ?? '');
		// the edge belongs to the deepest open box holding both ends
		const home = boxes.get(scope) ?? nearestBox(boxes, scope) ?? root;
		home.edges!.push({ id: e.id, sources: [e.source], targets: [e.target] });
	}
	return root;
}

function nearestBox(boxes: Map<string, ElkNodeJson>, scope: string): ElkNodeJson | undefined {
	const chain = ancestors(scope);
	for (let i = chain.length - 1; i >= 0; i--) if (boxes.has(chain[i])) return boxes.get(chain[i]);
	return undefined;
}

/** Read ELK's answer (coordinates relative to the root, as the request asked) into maps by id. */
export function readElkLayout(root: ElkNodeJson): Layout {
	const out: Layout = { nodes: new Map(), boxes: new Map(), edges: new Map(), width: root.width ?? 0, height: root.height ?? 0 };
	const walk = (n: ElkNodeJson) => {
		for (const c of n.children ?? []) {
			const r = { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 };
			if (c.id.startsWith(BOX_PREFIX)) out.boxes.set(c.id.slice(BOX_PREFIX.length), r);
			else out.nodes.set(c.id, r);
			walk(c);
		}
		for (const e of n.edges ?? []) {
			const pts: Point[] = [];
			for (const s of e.sections ?? []) pts.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
			out.edges.set(e.id, pts);
		}
	};
	walk(root);
	return out;
}

/** A tiny graph to warm ELK up on (its first call pays the JIT) while a session records: the app and the bench alike. */
export const WARM_UP_GRAPH: ElkNodeJson = {
	id: 'root',
	layoutOptions: { 'elk.algorithm': 'layered' },
	children: [{ id: 'a', width: 10, height: 10 }, { id: 'b', width: 10, height: 10 }],
	edges: [{ id: 'e', sources: ['a'], targets: ['b'] }]
};
