// Atomic saves: a write that fails at any point (a full disk, an I/O error, a failed rename) leaves the old file byte-identical.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AtomicWriteError, writeFileAtomic, type WriteIo } from '../../../src/cli/atomic-write';

const dir = fs.mkdtempSync(join(tmpdir(), 'atomic-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const OLD = Uint8Array.from({ length: 5000 }, (_, i) => i % 251);
const NEW = Uint8Array.from({ length: 9000 }, (_, i) => (i * 7) % 256);

/** Node's fs with one call replaced: it fails like the system would (after writing part of the data, for writes). */
function failing(call: 'writeSync' | 'fsyncSync' | 'renameSync' | 'openSync', code: string): WriteIo {
	const err = () => Object.assign(new Error(`${code}: injected`), { code });
	const io: WriteIo = { ...fs };
	if (call === 'writeSync') {
		let calls = 0;
		// the first write goes through halfway (a partial write), the next one finds the disk full
		io.writeSync = ((fd: number, b: Uint8Array, off: number, len: number, pos: number) => {
			if (calls++ === 0) return fs.writeSync(fd, b, off, Math.floor(len / 2), pos);
			throw err();
		}) as WriteIo['writeSync'];
	} else io[call] = (() => {
		throw err();
	}) as never;
	return io;
}

const leftovers = () => fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'));

describe('writeFileAtomic', () => {
	it('replaces a file with new bytes, keeping its permissions, and leaves no temporary file', () => {
		const file = join(dir, 'ok.safetensors');
		fs.writeFileSync(file, OLD, { mode: 0o600 });
		fs.chmodSync(file, 0o600);
		writeFileAtomic(file, NEW);
		expect(new Uint8Array(fs.readFileSync(file))).toEqual(NEW);
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		expect(leftovers()).toEqual([]);
	});

	for (const [call, code, words] of [
		['writeSync', 'ENOSPC', 'the disk is full'],
		['fsyncSync', 'EIO', 'an input/output error on the disk'],
		['renameSync', 'EACCES', 'permission denied'],
		['openSync', 'EROFS', 'the file system is read-only']
	] as const) {
		it(`keeps the old file byte-identical when ${call} fails with ${code}, and says so`, () => {
			const file = join(dir, `${call}.safetensors`);
			fs.writeFileSync(file, OLD);
			let error: unknown;
			try {
				writeFileAtomic(file, NEW, failing(call, code));
			} catch (e) {
				error = e;
			}
			expect(error).toBeInstanceOf(AtomicWriteError);
			expect((error as Error).message).toBe(`could not save ${file}: ${words}; the previous ${call}.safetensors is unchanged`);
			expect(new Uint8Array(fs.readFileSync(file))).toEqual(OLD);
			expect(leftovers()).toEqual([]);
		});
	}

	it('writes nothing at all when a new file cannot be completed', () => {
		const file = join(dir, 'new.safetensors');
		expect(() => writeFileAtomic(file, NEW, failing('writeSync', 'ENOSPC'))).toThrow(`could not save ${file}: the disk is full; nothing was written`);
		expect(fs.existsSync(file)).toBe(false);
		expect(leftovers()).toEqual([]);
	});
});
