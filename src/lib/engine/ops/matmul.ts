// Batched matrix product with broadcasting of the batch dimensions; the backward uses transposed-operand kernels.
import { broadcastShapes, numel, shapeStr } from '../shape';
import { resultDType, type Storage, type Tensor } from '../tensor';
import { broadcastStrides, empty } from './kernels';
import type { RuleTable } from './types';

export interface MatmulAttrs {
	matmul: Record<string, never>;
}

/**
 * C[M×N] += op(A)·op(B) on row-major storage, where op(A) is A (M×K) or, with transA, Aᵀ of a stored K×M;
 * op(B) is B (K×N) or, with transB, Bᵀ of a stored N×K. i-k-j order keeps the inner loop unit-stride.
 */
export function gemm(
	a: Storage, aOff: number, b: Storage, bOff: number, c: Storage, cOff: number,
	M: number, K: number, N: number, transA: boolean, transB: boolean
): void {
	if (transB) {
		// C[i,j] = Σk A[i,k]·B[j,k]: dot products of rows
		for (let i = 0; i < M; i++) {
			for (let j = 0; j < N; j++) {
				let acc = 0;
				const bj = bOff + j * K;
				if (transA) for (let k = 0; k < K; k++) acc += a[aOff + k * M + i] * b[bj + k];
				else for (let k = 0, ai = aOff + i * K; k < K; k++) acc += a[ai + k] * b[bj + k];
				c[cOff + i * N + j] += acc;
			}
		}
		return;
	}
	for (let i = 0; i < M; i++) {
		const ci = cOff + i * N;
		for (let k = 0; k < K; k++) {
			const aik = transA ? a[aOff + k * M + i] : a[aOff + i * K + k];
			if (aik === 0) continue;
			const bk = bOff + k * N;
			for (let j = 0; j < N; j++) c[ci + j] += aik * b[bk + j];
		}
	}
}

/** Batch offsets of each operand's matrices for the broadcast batch shape. */
function batchOffsets(t: Tensor, batch: readonly number[], matSize: number): number[] {
	const lead = t.shape.slice(0, -2);
	const contiguousLead = { shape: lead, strides: leadStrides(lead, matSize) } as unknown as Tensor;
	const strides = broadcastStrides(contiguousLead, batch);
	const count = numel(batch);
	const offs = new Array<number>(count);
	const idx = new Array<number>(batch.length).fill(0);
	let p = 0;
	for (let n = 0; n < count; n++) {
		offs[n] = p;
		for (let d = batch.length - 1; d >= 0; d--) {
			idx[d]++;
			p += strides[d];
			if (idx[d] < batch[d]) break;
			p -= idx[d] * strides[d];
			idx[d] = 0;
		}
	}
	return offs;
}

function leadStrides(lead: readonly number[], matSize: number): number[] {
	const s = new Array<number>(lead.length);
	for (let i = lead.length - 1, acc = matSize; i >= 0; i--) {
		s[i] = acc;
		acc *= lead[i];
	}
	return s;
}

/**
 * out = op(a) @ op(b) for tensors of ≥ 2 dims, batch dims broadcast. With transA/transB the last two
 * dims of that operand are read transposed (used by the backward without materialising a transpose).
 */
export function batchedMatmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
	if (a.ndim < 2 || b.ndim < 2) throw new Error(`matmul: both operands need at least 2 dimensions, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}`);
	const [ar, ac] = a.shape.slice(-2);
	const [br, bc] = b.shape.slice(-2);
	const M = transA ? ac : ar;
	const K = transA ? ar : ac;
	const Kb = transB ? bc : br;
	const N = transB ? br : bc;
	if (K !== Kb) throw new Error(`matmul: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not fit (inner sizes ${K} and ${Kb})`);
	const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
	const out = empty([...batch, M, N], resultDType(a, b));
	const av = a.values();
	const bv = b.values();
	const ao = batchOffsets(a, batch, ar * ac);
	const bo = batchOffsets(b, batch, br * bc);
	for (let n = 0; n < ao.length; n++) gemm(av, ao[n], bv, bo[n], out.data, n * M * N, M, K, N, transA, transB);
	return out;
}

export const matmulRules: RuleTable<keyof MatmulAttrs> = {
	matmul: {
		forward: ([a, b]) => ({ out: batchedMatmul(a, b) }),
		// d(A·B) = dA·B + A·dB, so ∂L/∂A = G·Bᵀ and ∂L/∂B = Aᵀ·G (batch dims summed back by autograd)
		backward: (g, { inputs: [a, b] }) => [batchedMatmul(g, b, false, true), batchedMatmul(a, g, true, false)]
	}
};
