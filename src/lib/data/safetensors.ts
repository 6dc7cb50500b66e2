// The .safetensors format (Hugging Face): 8-byte little-endian header length, a JSON header, raw little-endian data.
// Pure TS on Uint8Array, so it runs in the browser, in a worker and in Node.

// NOTE: the pure folders compile with the ES2022 library alone, which lacks these two; every runtime we target
// (browsers, workers, Node ≥ 11) has them as globals, so declare just what we use.
declare const TextEncoder: { new (): { encode(s: string): Uint8Array } };
declare const TextDecoder: { new (label: string, opts: { fatal: boolean }): { decode(b: Uint8Array): string } };

/** Every dtype of the format, with its size in bytes. */
const DTYPE_SIZE = {
	BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, U16: 2, I16: 2, F16: 2, BF16: 2,
	U32: 4, I32: 4, F32: 4, U64: 8, I64: 8, F64: 8
} as const;

export type SafeDType = keyof typeof DTYPE_SIZE;
/** The dtypes this reader decodes (F16 and BF16 are widened to float32, I64 to float64 when exact). */
export type ReadableDType = 'F32' | 'F64' | 'I32' | 'I64' | 'F16' | 'BF16';
export type SafeData = Float32Array | Float64Array | Int32Array;

export interface SafeTensor {
	/** The dtype in the file (F16/BF16 data is returned as float32, I64 as float64). */
	dtype: ReadableDType;
	shape: number[];
	data: SafeData;
}

export interface SafetensorsFile {
	tensors: Map<string, SafeTensor>;
	/** `__metadata__`: string keys to string values (empty when absent). */
	metadata: Record<string, string>;
}

/** The Rust reference implementation refuses headers over 100 MB. */
const MAX_HEADER = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fail(msg: string): never {
	throw new Error(`invalid safetensors file: ${msg}`);
}

function dtypeOfData(data: SafeData): 'F32' | 'F64' | 'I32' {
	if (data instanceof Float64Array) return 'F64';
	if (data instanceof Int32Array) return 'I32';
	return 'F32';
}

/** UTF-8 byte order (what Rust's String ordering and the reference writer use), not UTF-16 unit order. */
function compareUtf8(a: string, b: string, enc: { encode(s: string): Uint8Array }): number {
	const x = enc.encode(a);
	const y = enc.encode(b);
	for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
	return x.length - y.length;
}

/** The bytes of a typed array in little-endian order. */
function leBytes(data: SafeData): Uint8Array {
	if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
	const out = new Uint8Array(data.byteLength);
	const dv = new DataView(out.buffer);
	const size = data.BYTES_PER_ELEMENT;
	for (let i = 0; i < data.length; i++) {
		if (data instanceof Float64Array) dv.setFloat64(i * size, data[i], true);
		else if (data instanceof Int32Array) dv.setInt32(i * size, data[i], true);
		else dv.setFloat32(i * size, data[i], true);
	}
	return out;
}

/**
 * Serialize tensors like the reference writer: `__metadata__` first (keys sorted), then the tensors sorted by name
 * with contiguous offsets, the header padded with spaces to a multiple of 8 bytes so the data is aligned.
 */
export function encodeSafetensors(
	tensors: Iterable<[string, { shape: readonly number[]; data: SafeData }]>,
	metadata: Record<string, string> = {}
): Uint8Array {
	const enc = new TextEncoder();
	const list = [...tensors].sort((a, b) => compareUtf8(a[0], b[0], enc));
	const header: Record<string, unknown> = {};
	const metaKeys = Object.keys(metadata).sort((a, b) => compareUtf8(a, b, enc));
	if (metaKeys.length) {
		const meta: Record<string, string> = {};
		for (const k of metaKeys) {
			if (typeof metadata[k] !== 'string') throw new Error(`safetensors: metadata '${k}' must be a string, got ${typeof metadata[k]}`);
			meta[k] = metadata[k];
		}
		header.__metadata__ = meta;
	}
	let offset = 0;
	for (const [name, t] of list) {
		if (name === '__metadata__' || name.length === 0) throw new Error(`safetensors: '${name}' cannot be a tensor name`);
		if (name in header) throw new Error(`safetensors: two tensors are named '${name}'`);
		const n = t.shape.reduce((p, q) => p * q, 1);
		if (n !== t.data.length) throw new Error(`safetensors: tensor '${name}' has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
		header[name] = { dtype: dtypeOfData(t.data), shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
		offset += t.data.byteLength;
	}
	const json = enc.encode(JSON.stringify(header));
	const padded = json.length + ((8 - (json.length % 8)) % 8);
	const out = new Uint8Array(8 + padded + offset);
	const dv = new DataView(out.buffer);
	dv.setUint32(0, padded, true); // u64 little-endian: low word, then a zero high word
	dv.setUint32(4, 0, true);
	out.set(json, 8);
	out.fill(0x20, 8 + json.length, 8 + padded);
	let at = 8 + padded;
	for (const [, t] of list) {
		out.set(leBytes(t.data), at);
		at += t.data.byteLength;
	}
	return out;
}

/** Read the header length and the JSON header, with every size check. */
function readHeader(bytes: Uint8Array): { header: Record<string, unknown>; dataStart: number } {
	if (bytes.length < 8) fail(`it has ${bytes.length} bytes, fewer than the 8 of the header length`);
	const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const lo = dv.getUint32(0, true);
	const hi = dv.getUint32(4, true);
	if (hi !== 0 || lo > MAX_HEADER) fail(`the header length ${hi * 2 ** 32 + lo} is over the 100 MB limit (not a safetensors file?)`);
	if (lo < 2) fail(`the header length is ${lo}, too short for a JSON object`);
	if (8 + lo > bytes.length) fail(`the header length ${lo} runs past the end of the ${bytes.length}-byte file`);
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + lo));
	} catch {
		fail('the header is not valid UTF-8');
	}
	if (!text.startsWith('{')) fail(`the header must start with '{', it starts with ${JSON.stringify(text.slice(0, 10))}`);
	let header: unknown;
	try {
		header = JSON.parse(text);
	} catch (e) {
		fail(`the header is not valid JSON (${(e as Error).message})`);
	}
	if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('the header is not a JSON object');
	return { header: header as Record<string, unknown>, dataStart: 8 + lo };
}

function readMetadata(value: unknown): Record<string, string> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('__metadata__ must be an object of strings');
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(value)) {
		if (typeof v !== 'string') fail(`__metadata__.${k} must be a string, got ${JSON.stringify(v)}`);
		out[k] = v;
	}
	return out;
}

interface Entry {
	name: string;
	dtype: ReadableDType;
	shape: number[];
	begin: number;
	end: number;
}

const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Check one tensor entry: exactly dtype, shape, data_offsets; a known dtype; offsets that match the shape. */
function readEntry(name: string, value: unknown): Entry {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`tensor '${name}' is not an object`);
	const v = value as Record<string, unknown>;
	const extra = Object.keys(v).filter((k) => !['dtype', 'shape', 'data_offsets'].includes(k));
	if (extra.length) fail(`tensor '${name}' has unknown field(s) ${extra.join(', ')}`);
	const { dtype, shape, data_offsets: offsets } = v;
	if (typeof dtype !== 'string' || !(dtype in DTYPE_SIZE)) fail(`tensor '${name}' has unknown dtype ${JSON.stringify(dtype)}`);
	if (!['F32', 'F64', 'I32', 'I64', 'F16', 'BF16'].includes(dtype)) {
		fail(`tensor '${name}' has dtype ${dtype}, which this reader does not support (F32, F64, I32, I64, F16, BF16)`);
	}
	if (!Array.isArray(shape) || !shape.every(isIndex)) fail(`tensor '${name}' has shape ${JSON.stringify(shape)}: it must be a list of non-negative integers`);
	if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[0] > offsets[1]) {
		fail(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)}: it must be [begin, end] with 0 ≤ begin ≤ end`);
	}
	const bytes = shape.reduce((p: number, q: number) => p * q, 1) * DTYPE_SIZE[dtype as SafeDType];
	if (offsets[1] - offsets[0] !== bytes) {
		fail(`tensor '${name}' (${dtype}, shape [${shape.join(', ')}]) needs ${bytes} bytes but data_offsets [${offsets.join(', ')}] hold ${offsets[1] - offsets[0]}`);
	}
	return { name, dtype: dtype as ReadableDType, shape, begin: offsets[0], end: offsets[1] };
}

/** IEEE half (F16) and bfloat16 bit patterns → float32. */
function widen(bits: number, dtype: 'F16' | 'BF16', scratch: DataView): number {
	if (dtype === 'BF16') {
		scratch.setUint32(0, bits << 16);
		return scratch.getFloat32(0);
	}
	const sign = bits & 0x8000 ? -1 : 1;
	const exp = (bits >> 10) & 0x1f;
	const frac = bits & 0x3ff;
	if (exp === 0) return sign * frac * 2 ** -24; // subnormal: frac · 2⁻¹⁴ / 2¹⁰
	if (exp === 31) return frac ? NaN : sign * Infinity;
	return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** int64 → float64, refusing values a double cannot hold exactly (PyTorch keeps counters such as num_batches_tracked in I64). */
function decodeI64(copy: Uint8Array, name: string): Float64Array {
	const dv = new DataView(copy.buffer);
	const out = new Float64Array(copy.length / 8);
	for (let i = 0; i < out.length; i++) {
		const v = dv.getBigInt64(8 * i, true);
		if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail(`tensor '${name}' holds the int64 ${v}, beyond 2⁵³`);
		out[i] = Number(v);
	}
	return out;
}

function decodeData(raw: Uint8Array, dtype: ReadableDType, name: string): SafeData {
	const copy = raw.slice(); // an aligned private buffer
	if (dtype === 'I64') return decodeI64(copy, name);
	if (dtype === 'F16' || dtype === 'BF16') {
		const dv = new DataView(copy.buffer);
		const scratch = new DataView(new ArrayBuffer(4));
		const out = new Float32Array(copy.length / 2);
		for (let i = 0; i < out.length; i++) out[i] = widen(dv.getUint16(2 * i, true), dtype, scratch);
		return out;
	}
	const Ctor = dtype === 'F64' ? Float64Array : dtype === 'I32' ? Int32Array : Float32Array;
	if (LITTLE_ENDIAN) return new Ctor(copy.buffer);
	const dv = new DataView(copy.buffer);
	const out = new Ctor(copy.length / Ctor.BYTES_PER_ELEMENT);
	for (let i = 0; i < out.length; i++) {
		const at = i * Ctor.BYTES_PER_ELEMENT;
		out[i] = dtype === 'F64' ? dv.getFloat64(at, true) : dtype === 'I32' ? dv.getInt32(at, true) : dv.getFloat32(at, true);
	}
	return out;
}

/**
 * Parse and strictly validate a .safetensors file: sane header length, a JSON object header, known dtypes,
 * shapes matching byte lengths, offsets contiguous from 0 that cover the data exactly. Any problem throws.
 */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
	const { header, dataStart } = readHeader(bytes);
	let metadata: Record<string, string> = {};
	const entries: Entry[] = [];
	for (const [name, value] of Object.entries(header)) {
		if (name === '__metadata__') metadata = readMetadata(value);
		else entries.push(readEntry(name, value));
	}
	entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
	const dataLength = bytes.length - dataStart;
	let at = 0;
	for (const e of entries) {
		if (e.begin !== at) fail(`tensor '${e.name}' starts at byte ${e.begin} of the data, expected ${at} (offsets must be contiguous, no gaps or overlaps)`);
		at = e.end;
	}
	if (at !== dataLength) fail(`the tensors cover ${at} bytes but the file holds ${dataLength} bytes of data (truncated or trailing bytes)`);
	const tensors = new Map<string, SafeTensor>();
	for (const e of entries) {
		const data = decodeData(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, e.name);
		tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
	}
	return { tensors, metadata };
}
