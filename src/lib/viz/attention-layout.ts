// Geometry of the explorer's maps: cell size for the grid, label gutters, which labels fit, the cell under a point,
// and the keyboard's moves between cells and maps.

/** Where a matrix and its labels sit on its canvas (CSS pixels). */
export interface MatrixLayout {
	rows: number;
	cols: number;
	cell: number;
	/** Width of the row-label gutter on the left, height of the column-label band on top. */
	left: number;
	top: number;
	width: number;
	height: number;
	/** Label font size, and every how many rows / columns a label is drawn (1 = all). */
	font: number;
	rowEvery: number;
	colEvery: number;
}

/** A monospace glyph is about 0.62 em wide. */
const CHAR_W = 0.62;

const longest = (labels: readonly string[]): number => labels.reduce((m, l) => Math.max(m, Array.from(l).length), 1);

/**
 * Lay out a rows × cols matrix with square cells of `cell` px and its labels. Labels are never cut: where a label is
 * wider (or taller) than a cell, only every k-th is drawn, k the smallest step at which whole labels do not touch.
 */
export function matrixLayout(rows: number, cols: number, cell: number, rowLabels: readonly string[], colLabels: readonly string[], minFont = 9): MatrixLayout {
	const font = Math.round(Math.max(minFont, Math.min(12, cell * 0.85)));
	const glyph = font * CHAR_W;
	const colEvery = Math.max(1, Math.ceil((longest(colLabels) * glyph + 2) / cell));
	const rowEvery = Math.max(1, Math.ceil((font + 1) / cell));
	const left = Math.ceil(longest(rowLabels) * glyph + 5);
	const top = font + 5;
	return { rows, cols, cell, left, top, width: left + cols * cell, height: top + rows * cell, font, rowEvery, colEvery };
}

/** The indices 0, every, 2·every, … below n: the labels a layout draws. */
export function labelled(n: number, every: number): number[] {
	const out: number[] = [];
	for (let i = 0; i < n; i += every) out.push(i);
	return out;
}

/** The cell under a point of the canvas (CSS px from its top-left corner), or null off the cells. */
export function cellAt(l: MatrixLayout, x: number, y: number): { row: number; col: number } | null {
	const col = Math.floor((x - l.left) / l.cell);
	const row = Math.floor((y - l.top) / l.cell);
	return row >= 0 && row < l.rows && col >= 0 && col < l.cols ? { row, col } : null;
}

/**
 * The grid's cell size: nLayer rows and nHead columns of T × T maps fit `width` × `height`, each map also holding its
 * label gutters (≈ `labels` px) and a title (`title` px), with `gap` px between maps; at least `min` px.
 */
export function gridCell(T: number, nLayer: number, nHead: number, width: number, height: number, { labels = 16, title = 20, gap = 12, min = 4, max = 14 } = {}): number {
	const byWidth = (width / nHead - gap - labels) / T;
	const byHeight = (height / nLayer - gap - labels - title) / T;
	return Math.max(min, Math.min(max, byWidth, byHeight));
}

/** A position in the grid: a map (layer, head) and a cell in it (query row, key column). */
export interface GridCursor {
	layer: number;
	head: number;
	row: number;
	col: number;
}

/**
 * The cursor after a key: arrows move one cell (staying inside the map), Shift+arrows move to the neighbouring map
 * (left/right: head, up/down: layer) keeping the cell, Home/End go to the row's first and last visible key.
 * Returns null for keys it does not handle.
 */
export function moveCursor(c: GridCursor, key: string, shift: boolean, T: number, nLayer: number, nHead: number): GridCursor | null {
	const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, v));
	const d = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[key];
	if (d && shift) return { ...c, layer: clamp(c.layer + d[0], nLayer), head: clamp(c.head + d[1], nHead) };
	if (d) return { ...c, row: clamp(c.row + d[0], T), col: clamp(c.col + d[1], T) };
	if (key === 'Home') return { ...c, col: 0 };
	if (key === 'End') return { ...c, col: c.row };
	return null;
}
