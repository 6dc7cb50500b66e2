// What a map shows in each phase (weights on 0…1, or ∂L/∂weights on a diverging scale), and the readout of a cell.
import { shownWeights, type AttentionMaps, type HeadMaps, type ScaleChoice } from './attention';
import type { GridCursor } from './attention-layout';

export type AttentionPhase = 'forward' | 'backward';

/** The values a map draws and how: weights on [0, 1], or gradients on [−limit, limit]. */
export interface MapValues {
	values: Float32Array;
	kind: 'unit' | 'diverging';
	/** The forward weights are a what-if (another scaling than the model's). */
	whatIf: boolean;
}

/** A head's map for a phase: its weights (under `scale`) forward, ∂L/∂weights backward (null: no backward pass). */
export function mapValues(h: HeadMaps, phase: AttentionPhase, scale: ScaleChoice): MapValues | null {
	if (phase === 'backward') return h.gradWeights ? { values: h.gradWeights, kind: 'diverging', whatIf: false } : null;
	const w = shownWeights(h, scale);
	return { values: w.weights, kind: 'unit', whatIf: w.whatIf };
}

/** Whether cell (row, col) is in the masked future (a query never sees a later key). */
export const isMasked = (row: number, col: number): boolean => col > row;

/**
 * One limit for the diverging scale of every backward map, so heads compare: the largest |∂L/∂w| over the cells that
 * are not masked (a masked weight's gradient goes nowhere: the softmax multiplies it by 0).
 */
export function gradLimit(maps: AttentionMaps): number {
	let m = 0;
	for (const h of maps.heads) {
		const g = h.gradWeights;
		if (!g) continue;
		for (let i = 0; i < maps.T; i++) for (let j = 0; j <= i; j++) m = Math.max(m, Math.abs(g[i * maps.T + j]));
	}
	return m > 0 ? m : 1;
}

/** A value to 4 decimals, with a true minus sign. */
export function fixed4(v: number): string {
	return v.toFixed(4).replace('-', '−');
}

/** What the readout says about a cell. */
export interface CellReading {
	layer: number;
	head: number;
	row: number;
	col: number;
	/** The query and key characters as shown on the axes. */
	query: string;
	key: string;
	/** `weight`, `what-if weight` or `∂L/∂weight`. */
	quantity: string;
	value: number;
	/** The value to 4 decimals. */
	text: string;
	masked: boolean;
}

/** The reading of the cell under the cursor, or null without maps (or without a backward pass in backward). */
export function cellReading(maps: AttentionMaps, c: GridCursor, phase: AttentionPhase, scale: ScaleChoice, labels: readonly string[]): CellReading | null {
	const h = maps.heads[c.layer * maps.nHead + c.head];
	const mv = h && mapValues(h, phase, scale);
	if (!mv || c.row >= maps.T || c.col >= maps.T) return null;
	const value = mv.values[c.row * maps.T + c.col];
	const quantity = phase === 'backward' ? '∂L/∂weight' : mv.whatIf ? 'what-if weight' : 'weight';
	return { ...c, query: labels[c.row], key: labels[c.col], quantity, value, text: fixed4(value), masked: isMasked(c.row, c.col) };
}

/** A query's row: each visible key's character and value (the focus view's bars). */
export function rowReading(values: Float32Array, T: number, row: number, labels: readonly string[]): { key: string; col: number; value: number }[] {
	return Array.from({ length: row + 1 }, (_, col) => ({ key: labels[col], col, value: values[row * T + col] }));
}
