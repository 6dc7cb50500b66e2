// The lessons' data: every stop of every lesson lands on a real step and node of its model's recorded trace.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LESSONS, lessonBySlug, stopFromLink } from '$lib/state/lessons';
import { resolveStop, stopConfig, textParts } from '$lib/lessons/resolve';
import { createSession, type Preset } from '$lib/train/session';
import { buildGraph } from '$lib/viz/graph-model';
import { sessionNaming } from '$lib/viz/names';
import { fusedOps, spliceLongWay, withLongNames } from '$lib/viz/long-way';

const files = { names: readFileSync('static/data/names.txt', 'utf8'), shakespeare: readFileSync('static/data/tinyshakespeare.txt', 'utf8') };
const graphs = new Map<string, ReturnType<typeof buildGraph>>();

/** The graph of the session a lesson records for `preset` (the same config the player asks for). */
function graphFor(preset: Preset, seed: number, batch: number, dataset: 'names' | 'shakespeare', long = false) {
	const key = `${preset}/${seed}/${batch}/${dataset}/${long}`;
	let g = graphs.get(key);
	if (!g) {
		const s = createSession({ preset, seed, batch, dataset }, files[dataset]);
		const lt = long ? spliceLongWay(s.trace, fusedOps(s.trace)) : null;
		const naming = sessionNaming(lt ? { ...s, trace: lt.trace } : s);
		g = buildGraph(lt ? lt.trace : s.trace, lt ? { ...naming, lecture: withLongNames(naming.lecture, lt) } : naming);
		graphs.set(key, g);
	}
	return g;
}

describe('lessons', () => {
	it('are found in src/lib/lessons/, six of them, in file order, with unique slugs', () => {
		expect(LESSONS.map((l) => l.slug)).toEqual(['backprop-mlp', 'batchnorm-train-eval', 'attention-head', 'wavenet-fusion', 'common-traps', 'backprop-ninja']);
		expect(lessonBySlug('attention-head')?.preset).toBe('gpt-small');
		expect(lessonBySlug('nope')).toBeUndefined();
	});

	for (const lesson of LESSONS) {
		it(`${lesson.slug}: every stop resolves to a real step and node of its preset's trace`, () => {
			expect(lesson.stops.length).toBeGreaterThanOrEqual(4);
			for (const stop of lesson.stops) {
				const c = stopConfig(lesson, stop);
				const model = graphFor(c.preset, c.seed, c.batch, c.dataset!, lesson.long && c.preset === lesson.preset);
				const r = resolveStop(model, stop);
				if ('error' in r) throw new Error(`${lesson.slug}: ${r.error}`);
				const step = model.steps[r.step];
				expect(step.phase, stop.title).toBe(stop.at!.phase);
				const node = model.byId.get(step.node)!;
				if ('op' in stop.at!.node) {
					// a forward or backward step sits at the op named; an accumulate at the op whose output it sums into
					expect(node.label, stop.title).toBe(stop.at!.node.op);
					if (stop.at!.node.scope !== undefined) expect(node.scope, stop.title).toBe(stop.at!.node.scope);
				} else if ('lecture' in stop.at!.node) expect(node.lecture, stop.title).toBe(stop.at!.node.lecture);
				else expect(node.label, stop.title).toBe(stop.at!.node.tensor);
				if (stop.slot !== undefined) expect(model.steps[r.step].kind, stop.title).toBe('grad');
				for (const s of stop.open ?? []) expect(Object.hasOwn(model.modules, s), s).toBe(true);
			}
		});

		it(`${lesson.slug}: one to three sentences a stop, code spans closed`, () => {
			for (const stop of lesson.stops) {
				expect(stop.title.length, stop.title).toBeGreaterThan(2);
				const sentences = stop.text.replace(/`[^`]*`/g, 'code').split(/[.?!](?:\s|$)/).filter((s) => s.trim().length > 0);
				expect(sentences.length, stop.text).toBeGreaterThanOrEqual(1);
				expect(sentences.length, stop.text).toBeLessThanOrEqual(3);
				expect((stop.text.match(/`/g) ?? []).length % 2, stop.text).toBe(0);
			}
		});
	}

	it('resolves stops to the intended steps: dlogits at the cross-entropy backward, the accumulate into x, a parameter update', () => {
		const mlp = graphFor('mlp-bn', 42, 4, 'names');
		const ce = resolveStop(mlp, { title: 't', text: 't', at: { phase: 'backward', node: { op: 'crossEntropy' } } });
		expect(ce).toEqual({ step: mlp.phaseStart.backward, select: null });
		const upd = resolveStop(mlp, { title: 't', text: 't', at: { phase: 'update', node: { tensor: '0.weight' } } });
		expect('step' in upd && mlp.steps[upd.step].kind).toBe('update');
		const gpt = graphFor('gpt-small', 42, 16, 'shakespeare');
		const acc = resolveStop(gpt, { title: 't', text: 't', at: { phase: 'backward', node: { op: 'add', scope: '' }, kind: 'accumulate' } });
		expect('step' in acc && gpt.steps[acc.step].kind).toBe('accumulate');
		const bad = resolveStop(mlp, { title: 'x', text: 'x', at: { phase: 'forward', node: { op: 'softmax' } } });
		expect(bad).toEqual({ error: "stop 'x': no forward op 'softmax' (found 0)" });
	});

	it('cuts text into plain and code parts', () => {
		expect(textParts('a `b` c')).toEqual([
			{ code: false, text: 'a ' },
			{ code: true, text: 'b' },
			{ code: false, text: ' c' }
		]);
	});

	it("reads a link's ?stop= (1-based), and says what a stop the lesson lacks fell back to", () => {
		expect(stopFromLink(null, 9)).toEqual({ index: 0, notice: null });
		expect(stopFromLink('9', 9)).toEqual({ index: 8, notice: null });
		expect(stopFromLink('40', 9)).toEqual({ index: 8, notice: "stop '40': this lesson has stops 1 to 9: showing stop 9" });
		for (const raw of ['0', '-2', '2.5', 'x', ''])
			expect(stopFromLink(raw, 9), raw).toEqual({ index: 0, notice: `stop '${raw}': this lesson has stops 1 to 9: showing stop 1` });
	});
});
