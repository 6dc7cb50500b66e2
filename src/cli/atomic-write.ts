// Writing a file so that a crash, kill -9 or a full disk never leaves it half-written: the new bytes go to a temporary
// file beside it, are flushed to the disk, then renamed over it (rename is atomic within a folder), and the folder is
// flushed so that the rename itself survives a power cut. Node only; any script that saves something can use it.
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The file system calls a write makes: Node's own, or a test's that fails on purpose. */
export type WriteIo = Pick<typeof fs, 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'statSync' | 'fchmodSync'>;

/** A failed write: what happened, in words, and whether the previous file is untouched (it always is). */
export class AtomicWriteError extends Error {
	constructor(
		readonly path: string,
		readonly code: string | undefined,
		message: string
	) {
		super(message);
		this.name = 'AtomicWriteError';
	}
}

/** A system error code in words. */
export function describeCode(code: string | undefined, fallback: string): string {
	const words: Record<string, string> = {
		ENOSPC: 'the disk is full',
		EDQUOT: 'the disk quota is used up',
		EACCES: 'permission denied',
		EPERM: 'permission denied',
		EROFS: 'the file system is read-only',
		EIO: 'an input/output error on the disk',
		ENOENT: 'the folder does not exist',
		ENOTDIR: 'a part of the path is a file, not a folder',
		EISDIR: 'the path is a folder',
		EEXIST: 'a file of that name appeared meanwhile',
		ENAMETOOLONG: 'the file name is too long',
		EMFILE: 'too many open files'
	};
	return (code && words[code]) ?? fallback;
}

/** The temporary file's name: hidden, beside the target, unique to this process and call. */
export function tempPathFor(path: string): string {
	const tag = `${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
	return join(dirname(path), `.${basename(path)}.${tag}.tmp`);
}

/** Temporary files a killed writer left beside `path` (`.NAME.PID.*.tmp`), with their writer's pid. */
export function leftoverTemps(path: string): { file: string; pid: number }[] {
	const prefix = `.${basename(path)}.`;
	let names: string[];
	try {
		names = fs.readdirSync(dirname(path));
	} catch {
		return [];
	}
	return names
		.filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'))
		.map((n) => ({ file: join(dirname(path), n), pid: Number(n.slice(prefix.length).split('.')[0]) }))
		.filter((t) => Number.isInteger(t.pid));
}

/** Write every byte at its offset (a write may take fewer bytes than asked). */
function writeAll(io: WriteIo, fd: number, bytes: Uint8Array): void {
	for (let at = 0; at < bytes.length; ) {
		const n = io.writeSync(fd, bytes, at, bytes.length - at, at);
		if (n <= 0) throw Object.assign(new Error('the write made no progress'), { code: 'EIO' });
		at += n;
	}
}

/** Flush a folder's entries (the rename) to the disk; file systems that cannot do it for folders are skipped. */
function syncFolder(dir: string): void {
	let fd: number | null = null;
	try {
		fd = fs.openSync(dir, 'r');
		fs.fsyncSync(fd);
	} catch {
		// NOTE: some file systems (and Windows) refuse fsync on a folder; the file itself is already on the disk
	} finally {
		if (fd !== null) fs.closeSync(fd);
	}
}

/**
 * Replace `path` with `bytes` atomically: readers see the old file or the new one, never a part. On any failure
 * the temporary file is removed, the old file is untouched, and an AtomicWriteError says what happened.
 * `path` must be a regular file or not exist yet, in an existing folder (see output.ts for the checks before).
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, io: WriteIo = fs): void {
	const tmp = tempPathFor(path);
	let mode: number | null = null;
	try {
		mode = io.statSync(path).mode & 0o7777; // the file being replaced keeps its permissions
	} catch {
		mode = null;
	}
	let fd: number | null = null;
	try {
		fd = io.openSync(tmp, 'wx', mode ?? 0o666);
		if (mode !== null) io.fchmodSync(fd, mode); // open's mode passes through the umask
		writeAll(io, fd, bytes);
		io.fsyncSync(fd);
		io.closeSync(fd);
		fd = null;
		io.renameSync(tmp, path);
	} catch (e) {
		cleanUp(io, fd, tmp);
		const err = e as NodeJS.ErrnoException;
		const kept = mode !== null ? `the previous ${basename(path)} is unchanged` : 'nothing was written';
		throw new AtomicWriteError(path, err.code, `could not save ${path}: ${describeCode(err.code, err.message)}; ${kept}`);
	}
	syncFolder(dirname(path));
}

/** After a failed write: close the temporary file and remove it (errors here would hide the first one). */
function cleanUp(io: WriteIo, fd: number | null, tmp: string): void {
	try {
		if (fd !== null) io.closeSync(fd);
	} catch {
		// the write already failed
	}
	try {
		io.unlinkSync(tmp);
	} catch {
		// never created, or already gone
	}
}
