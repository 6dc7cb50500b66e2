// Which cells of a heatmap axis get a label, and where, so that labels never overlap and are never cut.

/** A monospace character is about 0.6 em wide. */
export const MONO_CHAR_EM = 0.6;

/** The width in px of `text` in a monospace font of `px` (code points, so '⏎' counts once). */
export function monoWidth(text: string, px: number): number {
	return [...text].length * px * MONO_CHAR_EM;
}

/** One label on an axis: which cell, and the offset of its start along the axis. */
export interface Tick {
	index: number;
	/** px from the axis start to the label's start (left for columns, top for rows). */
	pos: number;
}

/**
 * Labels for an axis of `count` cells of `cell` px, each label `extent` px long along the axis. Every `stride`-th
 * cell gets one, centred on its cell and moved inwards at the two ends so that none sticks out of the axis; the
 * stride is the smallest for which neighbours keep a `gap` even after that move. A label is always shown whole.
 */
export function axisTicks(count: number, cell: number, extent: number, gap = 2): Tick[] {
	if (count <= 0 || cell <= 0) return [];
	const length = count * cell;
	// a label centred on a cell sticks out by (extent − cell)/2 at most: moving it inwards can close a gap by that much
	const need = extent + gap + Math.max(0, (extent - cell) / 2);
	const stride = Math.max(1, Math.ceil(need / cell - 1e-9));
	const ticks: Tick[] = [];
	for (let i = 0; i < count; i += stride) {
		const centred = (i + 0.5) * cell - extent / 2;
		const pos = Math.max(0, Math.min(centred, length - extent));
		// on an axis a few labels long both ends move inwards: the last one may then meet its neighbour
		const prev = ticks[ticks.length - 1];
		if (!prev || pos >= prev.pos + extent + gap - 1e-9) ticks.push({ index: i, pos });
	}
	return ticks;
}
