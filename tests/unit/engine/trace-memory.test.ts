import { describe, expect, it } from 'vitest';
import { backward, Generator, matmul, prepareRecording, record, recycle, sum, tanh, type Trace } from '$lib/engine';

/** A small recorded step: forward, backward; the same numbers every time for the same seed. */
function step(seed: number): Trace {
	const g = new Generator(seed);
	const w = g.randn([40, 30]);
	w.requiresGrad = true;
	const x = g.randn([16, 40]);
	return record(() => backward(sum(tanh(matmul(x, w))))).trace;
}

const buffersOf = (trace: Trace) => new Set([...trace.tensors.values()].map((t) => t.values.buffer));
const valuesOf = (trace: Trace) => [...trace.tensors.values()].map((t) => Array.from(t.values));

describe('trace memory reuse', () => {
	it('a recycled trace lends its memory to the next recording, whose values are those of a recording into new memory', () => {
		const first = step(1);
		const fresh = valuesOf(step(2)); // new memory (the first trace is still held)
		const lent = buffersOf(first);
		recycle(first);
		const reused = step(2);
		expect([...buffersOf(reused)].some((b) => lent.has(b))).toBe(true);
		expect(valuesOf(reused)).toEqual(fresh);
	});

	it('skips buffers handed to another thread (detached) and gives a buffer back only once', () => {
		const a = step(3);
		for (const b of buffersOf(a)) structuredClone(b, { transfer: [b as ArrayBuffer] }); // as postMessage's transfer does
		recycle(a);
		const b = step(4);
		for (const buf of buffersOf(b)) expect(buf.byteLength).toBeGreaterThan(0);
		recycle(b);
		recycle(b); // twice: the second call must not queue the same memory again
		const c = step(5);
		const d = step(6); // while c holds the recycled memory, d must get other memory
		const shared = [...buffersOf(c)].filter((x) => buffersOf(d).has(x));
		expect(shared).toEqual([]);
	});

	it('prepareRecording readies memory as large as the last recording took, which the next one uses', () => {
		const t = step(7);
		void t; // held: its memory is not given back
		const ready = prepareRecording();
		expect(ready).toBeGreaterThan(0);
		expect(prepareRecording()).toBe(0); // already ready
		const next = step(8);
		const big = [...buffersOf(next)].find((b) => b.byteLength === ready);
		expect(big).toBeDefined();
		expect(prepareRecording(ready - 1)).toBe(0); // over the cap: nothing prepared
	});
});
