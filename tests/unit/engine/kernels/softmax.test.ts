// The softmax kernels: the same bits from the SIMD rows (tensors in a training step's arena) as from the TypeScript
// loops, for every tail length, masked and NaN rows, forward and backward, softmax, log-softmax and cross-entropy;
// and exp32 against Math.exp.
import { describe, expect, it } from 'vitest';
import { Generator, recycling, tensor, type Tensor } from '$lib/engine';
import { exp32 } from '$lib/engine/kernels/elementwise';
import { crossEntropy, softmax, softmaxBackward } from '$lib/engine/kernels/softmax';

const gen = new Generator(8);

/** `fn` on copies of the inputs in plain arrays and in the arena: both results, read out. */
function both(inputs: Tensor[], fn: (...ts: Tensor[]) => number[]): [number[], number[]] {
	const plain = fn(...inputs.map((t) => tensor(t.data.slice(), t.shape, { dtype: t.dtype })));
	const arena = recycling(() => fn(...inputs.map((t) => tensor(t.data.slice(), t.shape, { dtype: t.dtype }))));
	return [plain, arena];
}

const same = (a: number[], b: number[]): boolean => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('softmax kernels', () => {
	for (const len of [4, 5, 6, 7, 27, 32, 65]) {
		it(`rows of ${len}: softmax, log-softmax and their backward give the same bits in the arena`, () => {
			const x = gen.randn([9, len]);
			x.data[3] = -Infinity; // a masked entry
			const g = gen.randn([9, len]);
			for (const log of [false, true]) {
				const [p, a] = both([x], (t) => softmax(t, 1, log).toArray());
				expect(same(p, a), `forward, log ${log}`).toBe(true);
				const y = softmax(x, 1, log);
				const [pb, ab] = both([g, y], (gt, yt) => softmaxBackward(gt, yt, 1, log).toArray());
				expect(same(pb, ab), `backward, log ${log}`).toBe(true);
			}
		});
	}

	it('a fully masked row, a row with NaN, and huge logits: the same (NaN) rows either way, the rest exact', () => {
		const x = tensor([[-Infinity, -Infinity, -Infinity, -Infinity, -Infinity], [1, NaN, 2, 3, 4], [1000, 999, -1000, 0, 1000]]);
		const [p, a] = both([x], (t) => softmax(t, 1, false).toArray());
		expect(same(p, a)).toBe(true);
		expect(p.slice(0, 10).every(Number.isNaN)).toBe(true);
		const s = 2 + Math.exp(-1);
		[1 / s, Math.exp(-1) / s, 0, 0, 1 / s].forEach((want, i) => expect(p[10 + i]).toBeCloseTo(want, 7));
	});

	it('cross-entropy: the same loss and probabilities in the arena, and the loss is −log p[target]', () => {
		const logits = gen.randn([32, 27]);
		const targets = tensor(Int32Array.from({ length: 32 }, (_, i) => (i * 7) % 27), [32], { dtype: 'int32' });
		const [p, a] = both([logits, targets], (l, t) => {
			const { loss, probs } = crossEntropy(l, t);
			return [loss, ...probs.toArray()];
		});
		expect(same(p, a)).toBe(true);
		const probs = p.slice(1);
		const want = -Array.from(targets.data).reduce((s, t, r) => s + Math.log(probs[r * 27 + t]), 0) / 32;
		expect(p[0]).toBeCloseTo(want, 6);
	});

	it('exp32 is within 1 ulp of Math.exp rounded to float32, subnormal results and overflow included', () => {
		const ulps = (u: number, w: number) => {
			const i = new Int32Array(new Float32Array([u, w]).buffer);
			return Math.abs(i[0] - i[1]);
		};
		let worst = 0;
		for (let x = -103.9; x < 88.7; x += 0.0137) {
			const xf = Math.fround(x);
			worst = Math.max(worst, ulps(exp32(xf), Math.fround(Math.exp(xf))));
		}
		expect(worst).toBeLessThanOrEqual(1);
		for (const x of [0, -0, -Infinity, Infinity, 89, -105]) expect(exp32(x)).toBe(Math.fround(Math.exp(x)));
		expect(exp32(NaN)).toBeNaN();
	});
});
