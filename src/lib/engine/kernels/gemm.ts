// gemm: C += A·B for strided A and B (a transposed view costs nothing), blocked GotoBLAS-style, on the wasm SIMD
// micro-kernels (gemm-simd.ts) or a register-blocked plain-TypeScript tile; and the batched products matmul needs.
import { broadcastShapes, numel, shapeStr } from '../shape';
import { resultDType, storageFor, Tensor, type Storage } from '../tensor';
import { heapGeneration, heapMemory, inHeap, scratchRegion } from './pool';
import { rowStarts } from './strided';
import { gemmKernel, type GemmKernel, type Layout } from './gemm-simd';
import { A_ELEMS, B_ELEMS, C_BLOCK, KC, MC, MR, NC, packB, packRest, scalarGemm, type MatrixView } from './gemm-scalar';

export type { MatrixView } from './gemm-scalar';

// ---- the SIMD path ------------------------------------------------------------------------------------------

/** The kernel's scratch blocks for A, B and C, as views of its element kind (made again when the memory grows). */
interface Blocks {
	gen: number;
	a: number;
	b: number;
	c: number;
	/** Room for Bᵀ's rows copied in from a plain array before they are packed (float32). */
	bt: number;
	btView: Float32Array;
	f32: { a: Float32Array; b: Float32Array; c: Float32Array };
	f64: { a: Float64Array; b: Float64Array; c: Float64Array };
}
let blocks: Blocks | null = null;

function scratchBlocks(): Blocks {
	const gen = heapGeneration();
	if (blocks === null || blocks.gen !== gen) {
		const buf = heapMemory()!.buffer;
		const [a, b, c, bt] = [scratchRegion('gemm.a', 8 * A_ELEMS), scratchRegion('gemm.b', 8 * B_ELEMS), scratchRegion('gemm.c', 8 * C_BLOCK), scratchRegion('gemm.bt', 4 * B_ELEMS)];
		blocks = {
			gen, a, b, c, bt,
			btView: new Float32Array(buf, bt, B_ELEMS),
			f32: { a: new Float32Array(buf, a, A_ELEMS), b: new Float32Array(buf, b, B_ELEMS), c: new Float32Array(buf, c, C_BLOCK) },
			f64: { a: new Float64Array(buf, a, A_ELEMS), b: new Float64Array(buf, b, B_ELEMS), c: new Float64Array(buf, c, C_BLOCK) }
		};
	}
	return blocks;
}

/** The byte address of element `i` of an array in the kernels' memory. */
const addr = (x: Storage, i: number, size: number): number => x.byteOffset + i * size;

/** Where placeA and placeB put an operand for the kernel (module state rather than a tuple per call: no garbage). */
const at = { aLayout: 'rows' as Layout, a: 0, lda: 0, b: 0, ldb: 0, pstep: 0 };

/** Set A's placement; returns nothing so that callers read `at`. */
function setA(layout: Layout, a: number, lda: number): void {
	at.aLayout = layout;
	at.a = a;
	at.lda = lda;
}

/**
 * Where the kernel reads rows [i0, i0+m) × cols [p0, p0+kc) of A: in place when A is in the memory with unit-stride
 * rows or columns and m fills whole tiles; else copied into scratch (its span, or gathered into rows of kc).
 * Sets at.aLayout, at.a (the byte address) and at.lda (the stride between its rows or columns).
 */
function placeA(k: GemmKernel, A: MatrixView, i0: number, m: number, p0: number, kc: number): void {
	const { data, rs, cs } = A;
	const start = A.off + i0 * rs + p0 * cs;
	const bl = scratchBlocks();
	if (m % MR === 0 && cs === 1 && rs > 0 && k.packA && kc % 4 === 0 && (m - 1) * rs + kc <= A_ELEMS) {
		// k-contiguous rows: packed into tiles that the kernel streams (faster than reading four rows in place)
		if (inHeap(data)) k.packA(bl.a, addr(data, start, 4), m / MR, kc, rs);
		else {
			bl.btView.set(data.subarray(start, start + (m - 1) * rs + kc));
			k.packA(bl.a, bl.bt, m / MR, kc, rs);
		}
		return setA('packed', bl.a, 4);
	}
	if (m % MR === 0 && inHeap(data)) {
		if (cs === 1 && rs > 0) return setA('rows', addr(data, start, k.size), rs);
		if (rs === 1 && cs > 0) return setA('cols', addr(data, start, k.size), cs);
	}
	const a = bl[k.kind].a;
	if (cs === 1 && rs >= 0 && (m - 1) * rs + kc <= a.length) {
		a.set(data.subarray(start, start + (m - 1) * rs + kc));
		return setA('rows', bl.a, rs);
	}
	if (rs === 1 && cs > 0 && (kc - 1) * cs + m + MR <= a.length) {
		// the kernel reads whole tiles of four rows: a last partial tile reads past m, into what follows
		a.set(data.subarray(start, Math.min(data.length, start + (kc - 1) * cs + m)));
		return setA('cols', bl.a, cs);
	}
	for (let r = 0, q = 0; r < m; r++) for (let j = 0, s = start + r * rs; j < kc; j++, s += cs) a[q++] = data[s];
	setA('rows', bl.a, kc);
}

function setB(b: number, ldb: number, pstep: number): void {
	at.b = b;
	at.ldb = ldb;
	at.pstep = pstep;
}

/**
 * Where the kernel reads rows [p0, p0+kc) × cols [j0, j0+nc) of B: in place when B is in the memory with unit-stride
 * rows and nc fills whole panels; a copy of its rows' span; else packed in panels. Sets at.b (the byte address),
 * at.ldb and at.pstep (see GemmKernel.block).
 */
function placeB(k: GemmKernel, B: MatrixView, p0: number, kc: number, j0: number, nc: number): void {
	const { data, rs, cs } = B;
	const nr = k.cols;
	const start = B.off + p0 * rs + j0 * cs;
	if (cs === 1 && rs > 0 && nc % nr === 0 && inHeap(data)) return setB(addr(data, start, k.size), rs, nr);
	const bl = scratchBlocks();
	const b = bl[k.kind].b;
	if (cs === 1 && rs > 0 && (kc - 1) * rs + nc <= b.length) {
		b.set(data.subarray(start, start + (kc - 1) * rs + nc));
		return setB(bl.b, rs, nr);
	}
	if (rs === 1 && cs > 0 && k.packTransposed && kc >= 4 && nc >= nr) {
		// B's columns are contiguous (Bᵀ's rows: Wᵀ, kᵀ): whole panels and the first multiple of 4 of k transposed in
		// wasm, from where they are or a copy; the last k % 4 and a last partial panel by the scalar loop
		const [kc4, full] = [kc & ~3, Math.floor(nc / nr)];
		const span = (full * nr - 1) * cs + kc4;
		if (inHeap(data)) k.packTransposed(bl.b, addr(data, start, 4), full, kc4, cs);
		else if (span <= B_ELEMS) {
			// Bᵀ's rows copied in one piece as they lie (a weight's rows are contiguous), then transposed
			bl.btView.set(data.subarray(start, start + span));
			k.packTransposed(bl.b, bl.bt, full, kc4, cs);
		} else {
			const bt = bl.btView;
			for (let j = 0, q = 0; j < full * nr; j++) for (let i = 0, p = start + j * cs; i < kc4; i++) bt[q++] = data[p + i];
			k.packTransposed(bl.b, bl.bt, full, kc4, kc4);
		}
		if (kc4 < kc || full * nr < nc) packRest(B, p0, kc, j0, nc, b, nr, kc4, full);
		return setB(bl.b, nr, kc * nr);
	}
	packB(B, p0, kc, j0, nc, b, nr);
	setB(bl.b, nr, kc * nr);
}

/** C += A·B with C in the memory: the kernel adds every tile in place (M a multiple of 4, N of the tile width). */
function directGemm(k: GemmKernel, A: MatrixView, B: MatrixView, c: Storage, cOff: number, ldc: number, M: number, K: number, N: number): void {
	for (let j0 = 0; j0 < N; j0 += NC) {
		const nc = Math.min(NC, N - j0);
		for (let p0 = 0; p0 < K; p0 += KC) {
			const kc = Math.min(KC, K - p0);
			placeB(k, B, p0, kc, j0, nc);
			const [b, ldb, pstep] = [at.b, at.ldb, at.pstep];
			for (let i0 = 0; i0 < M; i0 += MC) {
				const mc = Math.min(MC, M - i0);
				placeA(k, A, i0, mc, p0, kc);
				k.block(at.aLayout, at.a, at.lda, b, ldb, pstep, kc, mc / MR, nc / k.cols, addr(c, cOff + i0 * ldc + j0, k.size), ldc);
			}
		}
	}
}

/** C += A·B computed block by block in scratch (any shape, C anywhere), each block then added into C. */
function scratchGemm(k: GemmKernel, A: MatrixView, B: MatrixView, c: Storage, cOff: number, ldc: number, M: number, K: number, N: number): void {
	const nr = k.cols;
	for (let j0 = 0; j0 < N; j0 += NC) {
		const nc = Math.min(NC, N - j0);
		const ncPad = Math.ceil(nc / nr) * nr;
		const rowsPer = Math.max(MC, Math.floor(C_BLOCK / ncPad / MC) * MC);
		for (let i1 = 0; i1 < M; i1 += rowsPer) {
			const m1 = Math.min(rowsPer, M - i1);
			const bl = scratchBlocks();
			const w = bl[k.kind].c;
			w.fill(0, 0, Math.ceil(m1 / MR) * MR * ncPad);
			for (let p0 = 0; p0 < K; p0 += KC) {
				const kc = Math.min(KC, K - p0);
				placeB(k, B, p0, kc, j0, nc);
				const [b, ldb, pstep] = [at.b, at.ldb, at.pstep];
				// B's panels stay in L1 while A's rows stream past them
				for (let i0 = 0; i0 < m1; i0 += MC) {
					const mc = Math.min(MC, m1 - i0);
					placeA(k, A, i1 + i0, mc, p0, kc);
					k.block(at.aLayout, at.a, at.lda, b, ldb, pstep, kc, Math.ceil(mc / MR), ncPad / nr, bl.c + i0 * ncPad * k.size, ncPad);
				}
			}
			for (let i = 0; i < m1; i++) {
				for (let j = 0, q = cOff + (i1 + i) * ldc + j0, r = i * ncPad; j < nc; j++) c[q + j] += w[r + j];
			}
		}
	}
}

/** C += A·B on the SIMD kernel: in place for the whole tiles when C is in the memory, in scratch for the rest. */
function simdGemm(k: GemmKernel, A: MatrixView, B: MatrixView, c: Storage, cOff: number, ldc: number, M: number, K: number, N: number): void {
	if (!inHeap(c)) return scratchGemm(k, A, B, c, cOff, ldc, M, K, N);
	const [M4, Nw] = [M - (M % MR), N - (N % k.cols)];
	if (M4 > 0 && Nw > 0) directGemm(k, A, B, c, cOff, ldc, M4, K, Nw);
	if (M4 < M) scratchGemm(k, { ...A, off: A.off + M4 * A.rs }, B, c, cOff + M4 * ldc, ldc, M - M4, K, N);
	if (Nw < N && M4 > 0) scratchGemm(k, A, { ...B, off: B.off + Nw * B.cs }, c, cOff + Nw, ldc, M4, K, N - Nw);
}

let simdOn = true;

/** The SIMD kernel when an (M, N) block of c can be computed in place with whole tiles, else null. */
function direct(c: Storage, M: number, N: number): GemmKernel | null {
	const k = simdOn && !(c instanceof Int32Array) ? gemmKernel(c instanceof Float64Array ? 'f64' : 'f32') : null;
	return k && inHeap(c) && M % MR === 0 && N % k.cols === 0 ? k : null;
}

/** Use the SIMD kernels when the runtime has them (the default), or always the scalar tile (for tests and comparisons). */
export function setSimdEnabled(on: boolean): void {
	simdOn = on;
}

/**
 * C += A·B (C = A·B with `overwrite`) where A is M×K and B is K×N, each read through its own strides (so Aᵀ is
 * A with rs and cs swapped), and C is row-major with leading dimension ldc from offset cOff. Float64 C sums in
 * doubles. Float32 C sums in float32 with the SIMD kernel (as BLAS's sgemm does: each KC-deep block's sum is then
 * added into C), or in doubles rounded once per KC-deep block with the scalar tile.
 */
export function gemm(A: MatrixView, B: MatrixView, c: Storage, cOff: number, ldc: number, M: number, K: number, N: number, overwrite = false): void {
	if (M === 0 || N === 0) return;
	if (overwrite) for (let i = 0; i < M; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + N);
	if (K === 0) return;
	const k = simdOn && !(c instanceof Int32Array) ? gemmKernel(c instanceof Float64Array ? 'f64' : 'f32') : null;
	if (k) simdGemm(k, A, B, c, cOff, ldc, M, K, N);
	else scalarGemm(A, B, c, cOff, ldc, M, K, N);
}

// ---- batched products -------------------------------------------------------------------------------------------

/** One operand of a batched product: the matrix (already transposed if asked) and its batch dims. */
interface Operand extends MatrixView {
	rows: number;
	cols: number;
	batch: number[];
	batchStrides: number[];
}

function operand(t: Tensor, trans: boolean): Operand {
	const nd = t.ndim;
	const [r, c] = [t.shape[nd - 2], t.shape[nd - 1]];
	const [rs, cs] = [t.strides[nd - 2], t.strides[nd - 1]];
	return {
		data: t.data,
		off: t.offset,
		rows: trans ? c : r,
		cols: trans ? r : c,
		rs: trans ? cs : rs,
		cs: trans ? rs : cs,
		batch: t.shape.slice(0, -2),
		batchStrides: t.strides.slice(0, -2)
	};
}

/**
 * The operand with its batch dims merged into its rows, when the layout allows it (each batch stride is
 * the next dim's size times its stride, ending at rows·rs): then a batch of products is one taller product.
 */
function foldRows(x: Operand): Operand | null {
	let expected = x.rows * x.rs;
	let rows = x.rows;
	for (let d = x.batch.length - 1; d >= 0; d--) {
		if (x.batch[d] !== 1 && x.batchStrides[d] !== expected) return null;
		expected *= x.batch[d];
		rows *= x.batch[d];
	}
	return { data: x.data, off: x.off, rs: x.rs, cs: x.cs, rows, cols: x.cols, batch: [], batchStrides: [] };
}

/** Storage offsets of an operand's matrices for each index of the broadcast batch shape (row-major). */
function batchOffsets(x: Operand, batch: readonly number[]): Int32Array {
	const strides = new Array<number>(batch.length).fill(0);
	for (let i = 0; i < x.batch.length; i++) {
		const j = batch.length - x.batch.length + i;
		strides[j] = x.batch[i] === 1 ? 0 : x.batchStrides[i];
	}
	// each batch index as a row of one element
	return rowStarts([...batch, 1], [...strides, 0], x.off);
}

function checkDims(a: Tensor, b: Tensor): void {
	if (a.ndim < 2 || b.ndim < 2) throw new Error(`matmul: both operands need at least 2 dimensions, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}; view a vector as (1, n) or (n, 1)`);
}

function checkInner(a: Tensor, b: Tensor, x: Operand, y: Operand): void {
	if (x.cols !== y.rows) throw new Error(`matmul: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not fit (inner sizes ${x.cols} and ${y.rows})`);
}

/** A zeroed output for a product (the SIMD kernel adds into it). */
function output(shape: number[], dtype: 'float32' | 'float64'): Tensor {
	return new Tensor(storageFor(dtype, numel(shape)), shape);
}

/**
 * op(a) @ op(b) for tensors of ≥ 2 dims with broadcast batch dims, where op transposes the last two dims when
 * transA / transB is set. Reads every operand through its strides: no copy is made.
 */
export function matmul(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
	checkDims(a, b);
	const x = operand(a, transA);
	const y = operand(b, transB);
	checkInner(a, b, x, y);
	const batch = broadcastShapes(x.batch, y.batch);
	const [M, K, N] = [x.rows, x.cols, y.cols];
	const out = output([...batch, M, N], resultDType(a, b));
	// (…, M, K) @ (K, N): one (…·M, K) @ (K, N) product when a's batch dims fold into its rows
	const folded = numel(y.batch) === 1 ? foldRows(x) : null;
	if (folded) {
		gemm(folded, y, out.data, 0, N, folded.rows, K, N);
		return out;
	}
	const ao = batchOffsets(x, batch);
	const bo = batchOffsets(y, batch);
	const A: MatrixView = { data: x.data, off: 0, rs: x.rs, cs: x.cs };
	const B: MatrixView = { data: y.data, off: 0, rs: y.rs, cs: y.cs };
	// a batch of whole-tile products written in place (attention's per-head q·kᵀ and wei·v): straight to the kernel
	const k = direct(out.data, M, N);
	for (let n = 0; n < ao.length; n++) {
		A.off = ao[n];
		B.off = bo[n];
		if (k) directGemm(k, A, B, out.data, n * M * N, N, M, K, N);
		else gemm(A, B, out.data, n * M * N, N, M, K, N);
	}
	return out;
}

/**
 * aᵀ·g, the gradient of b in a·b: one product of depth …·M when b is 2-d and shared by a's batch (the batch folds into
 * the depth, so the sum over it is free), laid out like b (a transposed view of a weight, Linear's `weight.T`, gets
 * its gradient transposed the same way, so the weight receives it contiguous). Otherwise the batched aᵀ·g, which
 * autograd sums over the batch.
 */
export function matmulGradB(a: Tensor, g: Tensor, b: Tensor): Tensor {
	const x = b.ndim === 2 ? foldRows(operand(a, false)) : null;
	const y = b.ndim === 2 ? foldRows(operand(g, false)) : null;
	if (!x || !y || x.rows !== y.rows) return matmul(a, g, true, false);
	const [K, N, P] = [x.cols, y.cols, x.rows];
	const dtype = resultDType(a, g);
	const xT: MatrixView = { data: x.data, off: x.off, rs: x.cs, cs: x.rs };
	if (b.strides[0] === 1 && b.strides[1] !== 1) {
		const out = output([N, K], dtype);
		gemm({ data: y.data, off: y.off, rs: y.cs, cs: y.rs }, x, out.data, 0, K, N, P, K);
		return new Tensor(out.data, [K, N], [1, K], 0);
	}
	const out = output([K, N], dtype);
	gemm(xT, y, out.data, 0, N, K, P, N);
	return out;
}
