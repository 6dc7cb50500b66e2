// safetensors: read PyTorch's reference file, write the same bytes, round trip, and reject every malformed header.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, decodeSafetensors, encodeCheckpoint, encodeSafetensors, firstNonFinite, loadStateDict, parseConfig, type CheckpointConfig } from '$lib/data';
import { tensor, zeros } from '$lib/engine';
import { hasTorch, PYTHON } from '../torch';

const DIR = 'tests/fixtures/checkpoint';
const PY = PYTHON;
const ref = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as {
	metadata: Record<string, string>;
	tensors: Record<string, { shape: number[]; values: number[] }>;
	extra: Record<string, { shape: number[]; values: number[] }>;
};
const refBytes = new Uint8Array(readFileSync(join(DIR, 'reference.safetensors')));

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
	let m = 0;
	for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
	return m;
}

/** A valid file whose JSON header is replaced (padded like the writer does) and data kept. */
function withHeader(header: unknown, data = new Uint8Array(8)): Uint8Array {
	let json = JSON.stringify(header);
	json += ' '.repeat((8 - (json.length % 8)) % 8);
	const out = new Uint8Array(8 + json.length + data.length);
	new DataView(out.buffer).setUint32(0, json.length, true);
	out.set(new TextEncoder().encode(json), 8);
	out.set(data, 8 + json.length);
	return out;
}

describe('safetensors', () => {
	it("reads the file PyTorch wrote: every tensor's shape and values, and the metadata", () => {
		const f = decodeSafetensors(refBytes);
		expect(f.metadata).toEqual(ref.metadata);
		expect([...f.tensors.keys()].sort()).toEqual(Object.keys(ref.tensors).sort());
		for (const [name, want] of Object.entries(ref.tensors)) {
			const got = f.tensors.get(name)!;
			expect(got.shape, name).toEqual(want.shape);
			const d = maxDiff(got.data, want.values);
			if (d !== 0) console.log(name, 'maxdiff', d, Array.from(got.data.slice(0, 4)), want.values.slice(0, 4));
			expect(d).toBe(0);
		}
	});

	it('writes byte for byte what the reference writer wrote for the same tensors and metadata', () => {
		const entries = Object.entries(ref.tensors).reverse().map(([n, t]) => [n, { shape: t.shape, data: Float32Array.from(t.values) }] as [string, { shape: number[]; data: Float32Array }]);
		const ours = encodeSafetensors(entries, ref.metadata);
		expect(ours.length).toBe(refBytes.length);
		const first = ours.findIndex((b, i) => b !== refBytes[i]);
		expect(first, `first differing byte ${first}`).toBe(-1);
	});

	it("reads torch's other dtypes: int64 counters, float64, float16, empty tensors", () => {
		const f = decodeSafetensors(new Uint8Array(readFileSync(join(DIR, 'torch-dtypes.safetensors'))));
		expect(f.tensors.get('3.num_batches_tracked')).toMatchObject({ dtype: 'I64', shape: [] });
		for (const [name, want] of Object.entries(ref.extra)) {
			const got = f.tensors.get(name)!;
			expect(got.shape, name).toEqual(want.shape);
			expect(maxDiff(got.data, want.values), name).toBe(0);
		}
	});

	it('round-trips float32, float64 and int32 data with metadata', () => {
		const a = Float32Array.from([1.5, -2.25, Math.fround(0.1), 3e-39]);
		const b = Float64Array.from([Math.PI, -1e300]);
		const c = Int32Array.from([-7, 2 ** 31 - 1]);
		const bytes = encodeSafetensors([['a', { shape: [2, 2], data: a }], ['b', { shape: [2], data: b }], ['c', { shape: [1, 2], data: c }]], { k: 'v' });
		expect((bytes.length - 8) % 8).toBe(0);
		const f = decodeSafetensors(bytes);
		expect(Array.from(f.tensors.get('a')!.data)).toEqual(Array.from(a));
		expect(Array.from(f.tensors.get('b')!.data)).toEqual(Array.from(b));
		expect(f.tensors.get('c')).toEqual({ dtype: 'I32', shape: [1, 2], data: c });
		expect(f.metadata).toEqual({ k: 'v' });
	});

	it('rejects malformed files with a message that says what is wrong', () => {
		const t = (dtype: string, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });
		const cases: [Uint8Array, RegExp][] = [
			[new Uint8Array(5), /5 bytes, fewer than the 8/],
			[Uint8Array.from([255, 255, 255, 255, 255, 255, 0, 0]), /over the 100 MB limit/],
			[Uint8Array.from([100, 0, 0, 0, 0, 0, 0, 0, 123, 125]), /runs past the end/],
			[withHeader([1, 2]), /must start with '\{'/],
			[withHeader({ a: t('F32', [2], [0, 8]), __metadata__: { x: 1 } }), /__metadata__.x must be a string/],
			[withHeader({ a: t('Q8', [2], [0, 8]) }), /unknown dtype "Q8"/],
			[withHeader({ a: t('U8', [8], [0, 8]) }), /dtype U8, which this reader does not support/],
			[withHeader({ a: t('F32', [3], [0, 8]) }), /needs 12 bytes but data_offsets \[0, 8\] hold 8/],
			[withHeader({ a: t('F32', [-2], [0, 8]) }), /shape \[-2\]/],
			[withHeader({ a: t('F32', [2], [8, 0]) }), /0 ≤ begin ≤ end/],
			[withHeader({ a: t('F32', [1], [0, 4]), b: t('F32', [1], [0, 4]) }), /starts at byte 0 of the data, expected 4/],
			[withHeader({ a: t('F32', [1], [4, 8]) }), /starts at byte 4 of the data, expected 0/],
			[withHeader({ a: t('F32', [1], [0, 4]) }), /cover 4 bytes but the file holds 8/],
			[withHeader({ a: { ...t('F32', [2], [0, 8]), extra: 1 } }), /unknown field\(s\) extra/]
		];
		for (const [bytes, msg] of cases) expect(() => decodeSafetensors(bytes)).toThrow(msg);
		const bad = withHeader({ a: t('F32', [2], [0, 8]) });
		bad[9] = 0xff; // invalid UTF-8 inside the header
		expect(() => decodeSafetensors(bad)).toThrow(/not valid UTF-8/);
		const json = withHeader({ a: t('F32', [2], [0, 8]) });
		json[json.length - 9] = 0x2c; // a comma where the closing brace's padding was
		expect(() => decodeSafetensors(json)).toThrow(/invalid safetensors file/);
	});
});

describe('checkpoints', () => {
	const config: CheckpointConfig = {
		model: 'mlp', preset: 'mlp', vocab: '.ab', format: 'names', blockSize: 2, nEmbd: 2, nHidden: 3,
		seed: 5, steps: 10, finalLoss: 1.25, trainLoss: 1.5, valLoss: 1.75
	};

	it('stores the config as JSON metadata and loads tensors back into a model in place', () => {
		const w = tensor([[1, 2], [3, 4], [5, 6]]);
		const bytes = encodeCheckpoint([['0.weight', w], ['2.bias', tensor([7, 8, 9])]], config);
		const ck = decodeCheckpoint(bytes);
		expect(ck.config).toEqual(config);
		expect(ck.vocab.toString()).toBe('.ab');
		const target = [['0.weight', zeros([3, 2])], ['2.bias', zeros([3])]] as [string, ReturnType<typeof zeros>][];
		loadStateDict(target, ck.tensors);
		expect(target[0][1].toArray()).toEqual([1, 2, 3, 4, 5, 6]);
		expect(target[1][1].toArray()).toEqual([7, 8, 9]);
	});

	it('says which names or shapes do not match, and rejects files without a makemore config', () => {
		const ck = decodeCheckpoint(encodeCheckpoint([['0.weight', zeros([3, 2])]], config));
		expect(() => loadStateDict([['0.weight', zeros([3, 2])], ['1.weight', zeros([1])]], ck.tensors)).toThrow(/missing 1.weight/);
		expect(() => loadStateDict([['x', zeros([3, 2])]], ck.tensors)).toThrow(/missing x; unexpected 0.weight/);
		expect(() => loadStateDict([['0.weight', zeros([2, 3])]], ck.tensors)).toThrow(/has shape \[3, 2\] but the model's is \[2, 3\]/);
		expect(() => decodeCheckpoint(refBytes.slice(0, 8 + 8))).toThrow(/invalid safetensors/);
		expect(() => parseConfig({})).toThrow(/no __metadata__.config/);
		expect(() => parseConfig({ config: '{"model": 3}' })).toThrow(/'model' is 3: it must be a string/);
	});

	it('checks every config field by type and documented range, naming the field, its value and what it must be', () => {
		const bad = (patch: Record<string, unknown>) => () => parseConfig({ config: JSON.stringify({ ...config, ...patch }) });
		const cases: [Record<string, unknown>, string][] = [
			[{ nEmbd: '10' }, `'nEmbd' is the text "10": it must be an integer from 1 to 8,192`],
			[{ nLayer: 10000 }, `'nLayer' is 10000: it must be an integer from 1 to 64`],
			[{ nEmbd: 1e9 }, `'nEmbd' is 1000000000: it must be an integer from 1 to 8,192`],
			[{ nHidden: 2.5 }, `'nHidden' is 2.5: it must be an integer from 1 to 8,192`],
			[{ blockSize: 0 }, `'blockSize' is 0: it must be an integer from 1 to 1,024`],
			[{ blockSize: null }, `'blockSize' is null: it must be an integer from 1 to 1,024`],
			[{ steps: -5 }, `'steps' is -5: it must be an integer from 0 to 10,000,000`],
			[{ steps: 1.5 }, `'steps' is 1.5: it must be an integer from 0 to 10,000,000`],
			[{ seed: [1] }, `'seed' is the list [1]: it must be an integer from 0 to 9,007,199,254,740,991`],
			[{ format: 'csv' }, `'format' is the text "csv": it must be 'names' or 'text'`],
			[{ lr: 0 }, `'lr' is 0: it must be a finite number > 0`],
			[{ dropout: 1 }, `'dropout' is 1: it must be a finite number from 0 to 0.95`],
			[{ optimizer: 'adam' }, `'optimizer' is the text "adam": it must be 'sgd' or 'adamw'`],
			[{ batchSize: 1e12 }, `'batchSize' is 1000000000000: it must be an integer from 1 to 1,048,576`],
			[{ valLoss: 'NaN' }, `'valLoss' is the text "NaN": it must be a finite number or null`],
			[{ vocab: 'a' }, `'vocab' has 1 character: it must have from 2 to 1,024`],
			[{ vocab: 'x'.repeat(5000) }, `'vocab' has 5,000 characters: it must have from 2 to 1,024`],
			[{ steps: 10, scheduleSteps: 4 }, `'scheduleSteps' is 4, fewer than the 10 'steps' trained`],
			[{ model: undefined }, `'model' is missing; was this file written by makemore?`]
		];
		for (const [patch, message] of cases) expect(bad(patch), JSON.stringify(patch)).toThrow(`checkpoint config: ${message}`);
		// older checkpoints without the optional fields still load
		expect(parseConfig({ config: JSON.stringify({ model: 'mlp', vocab: '.ab', format: 'names', blockSize: 3, seed: 1 }) })).toMatchObject({ preset: 'mlp', steps: 0, valLoss: null });
	});

	it('finds the first tensor with NaN or ±Inf values', () => {
		expect(firstNonFinite([['a', tensor([1, 2])], ['b', tensor([3])]])).toBeNull();
		expect(firstNonFinite([['a', tensor([1, 2])], ['b', tensor([NaN, Infinity, 0, NaN])]])).toEqual({ name: 'b', count: 3, nan: true });
		expect(firstNonFinite([['c', tensor([-Infinity])]])).toEqual({ name: 'c', count: 1, nan: false });
	});

	it.skipIf(!hasTorch())('our file passes the strict Python reader of the fixture script', () => {
		const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
		const file = join(dir, 'ours.safetensors');
		writeFileSync(file, encodeCheckpoint([['0.weight', tensor([[1, 2], [3, 4.5]])], ['b', tensor([-1])]], { ...config, vocab: 'é\n"x' }));
		const out = JSON.parse(execFileSync(PY, ['tests/fixtures/make_checkpoint_fixtures.py', '--check', file], { encoding: 'utf8' }));
		expect(out.tensors).toEqual({ '0.weight': { shape: [2, 2], sum: 10.5 }, b: { shape: [1], sum: -1 } });
		expect(JSON.parse(out.metadata.config).vocab).toBe('é\n"x');
		rmSync(dir, { recursive: true, force: true });
	});
});
