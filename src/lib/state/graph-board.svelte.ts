// The look of each graph box and edge as its own piece of state: a step re-renders only what changed (a few of hundreds).
import { nodeStatus } from '$lib/viz/scopes';
import type { DebuggerState } from './debugger.svelte';

class Cell {
	value = $state('');
}

/** How an edge is drawn. */
export interface EdgeLook {
	stroke: string;
	width: number;
	dash: string;
	/** Tooltip (the gradient's size), empty in forward. */
	label: string;
}

const PENDING_EDGE = '#c4cad3|1.4|4 3|';

export class GraphBoard {
	// NOTE: a plain record of fine-grained cells: setting a cell to the value it has triggers nothing
	private cells: Record<string, Cell> = Object.create(null);

	private cell(key: string): Cell {
		return (this.cells[key] ??= new Cell());
	}

	/** A box's classes: forward state (pending / partial / done), grad, updated, current, selected, bp. */
	node(id: string): string {
		return this.cell(`n:${id}`).value;
	}

	edge(id: string): EdgeLook {
		const [stroke, width, dash, label] = (this.cell(`e:${id}`).value || PENDING_EDGE).split('|');
		return { stroke, width: Number(width), dash, label };
	}

	/** Recompute every look for the cursor (plain arithmetic over the visible graph; only changes reach the DOM). */
	update(dbg: DebuggerState, gradRms: ReadonlyMap<string, number>, colour: (rms: number) => string): void {
		const vis = dbg.visible;
		const model = dbg.model;
		if (!vis || !model) return;
		const c = dbg.cursor;
		const current = dbg.current ? vis.owner.get(dbg.current.node) : undefined;
		const focus = dbg.focus ? (vis.owner.get(dbg.focus) ?? dbg.focus) : undefined;
		const done: Record<string, boolean> = Object.create(null);
		for (const v of vis.nodes) {
			const s = nodeStatus(v, c);
			done[v.id] = s.forward !== 'pending';
			const cls = [s.forward, s.grad && 'grad', s.updated && 'updated', v.id === current && 'current', v.id === focus && 'selected', dbg.breakpoints.has(v.id) && 'bp'];
			this.cell(`n:${v.id}`).value = cls.filter(Boolean).join(' ');
		}
		for (const e of vis.edges) {
			let mag = -1;
			for (const m of e.edges) {
				const g = model.edgeGrad.get(m.id);
				if (g && g.step <= c) mag = Math.max(mag, gradRms.get(m.id) ?? 0);
			}
			const look = mag >= 0 ? `${colour(mag)}|3.5||gradient rms ${mag.toExponential(2)}` : done[e.target] ? '#56606e|1.4||' : PENDING_EDGE;
			this.cell(`e:${e.id}`).value = look;
		}
	}
}
