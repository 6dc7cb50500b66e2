// The storage pool: a training step's storage in the kernels' memory, given back and reused within the step, the
// same bytes again the next step, leaves' gradients outside it, and plain arrays when the arena runs out.
import { describe, expect, it } from 'vitest';
import { backward, clearFreeStorage, freeStorageBytes, mul, recycling, sum, tensor, Tensor } from '$lib/engine';
import { inHeap, release } from '$lib/engine/kernels/pool';
import { dropGrad } from '$lib/engine/autograd';
import { storageFor } from '$lib/engine/tensor';

describe('the step arena', () => {
	it('gives back only what the step allocated, once, zeroed; a tensor made outside is never reused', () => {
		const outside = new Tensor(Float32Array.from([1, 2, 3, 4]), [4]);
		recycling(() => {
			release(outside.data);
			const made = storageFor('float32', 4);
			expect(inHeap(made)).toBe(true);
			made.set([5, 6, 7, 8]);
			release(made);
			expect(freeStorageBytes(), 'inside a step: what was given back').toBe(16);
			const again = storageFor('float32', 4);
			expect(again, 'the storage given back is handed out again').toBe(made);
			expect(Array.from(again), 'zeroed').toEqual([0, 0, 0, 0]);
			expect(storageFor('float32', 4), 'and only once').not.toBe(made);
			release(again.subarray(1));
			expect(freeStorageBytes(), 'a part of a storage is not given back').toBe(0);
		});
		expect(Array.from(outside.values())).toEqual([1, 2, 3, 4]);
		// outside a step nothing is reused, and storage is a plain array
		const plain = storageFor('float32', 4);
		expect(plain).not.toBe(outside.data);
		expect(inHeap(plain)).toBe(false);
	});

	it('hands the next step the same bytes, and keeps leaves’ gradients out of them', () => {
		const w = tensor([1, 2, 3], [3], { requiresGrad: true });
		const first = recycling(() => {
			const y = mul(w, w);
			backward(sum(y));
			expect(inHeap(y.data)).toBe(true);
			return y.data.byteOffset;
		});
		expect(inHeap(w.grad!.data), 'the gradient outlives the step').toBe(false);
		expect(w.grad!.toArray()).toEqual([2, 4, 6]);
		const second = recycling(() => mul(w, w).data.byteOffset);
		expect(second).toBe(first);
		expect(w.grad!.toArray(), 'untouched by the next step').toEqual([2, 4, 6]);
		expect(freeStorageBytes(), 'outside a step: the whole arena').toBeGreaterThan(0);
	});

	it('hands a parameter its last gradient’s storage inside a step (after zeroGrad), never outside one', () => {
		const w = tensor([1, 2, 3], [3], { requiresGrad: true });
		const layer = { params: [w] };
		const step = () => {
			for (const p of layer.params) dropGrad(p);
			backward(sum(mul(w, w)));
			return w.grad!.data;
		};
		const first = recycling(step);
		expect(recycling(step), 'the same storage, refilled').toBe(first);
		expect(Array.from(first)).toEqual([2, 4, 6]);
		expect(step(), 'outside a step: fresh storage').not.toBe(first);
	});

	it('takes plain arrays when a step outgrows the arena, and grows it for the next step', () => {
		clearFreeStorage();
		const big = (1 << 22) + 5; // 16 MB of float32 and a bit: more than the arena starts with
		const kinds = recycling(() => [0, 1].map(() => inHeap(storageFor('float32', big))));
		expect(kinds.includes(false), 'part of the step ran on plain arrays').toBe(true);
		const after = recycling(() => [0, 1].map(() => inHeap(storageFor('float32', big))));
		expect(after, 'the arena grew').toEqual([true, true]);
		clearFreeStorage();
	});
});
