// Scratch buffers reused across calls by kernels that never let them escape (e.g. matmul's packed panels).

const buffers = new Map<string, Float64Array>();

/**
 * A Float64Array of at least `n` elements, owned by the caller identified by `key` until its next call
 * with that key. Contents are undefined. Only for temporaries that never leave one synchronous kernel call
 * (JS runs one kernel at a time, so reuse is safe); a buffer that escapes into a Tensor must be allocated fresh.
 */
export function scratch(key: string, n: number): Float64Array {
	const have = buffers.get(key);
	if (have && have.length >= n) return have;
	// grow geometrically so that a slowly rising size does not reallocate on every call
	const buf = new Float64Array(Math.max(n, have ? Math.min(2 * have.length, 1 << 22) : 0));
	buffers.set(key, buf);
	return buf;
}

/** Total bytes held by scratch buffers (for the bench and tests). */
export function scratchBytes(): number {
	let bytes = 0;
	for (const b of buffers.values()) bytes += b.byteLength;
	return bytes;
}
