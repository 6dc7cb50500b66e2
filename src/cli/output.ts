// The output file of a long run (a checkpoint, gradients): checked before the work starts, locked against a second
// run writing it at the same time, and saved atomically. Every problem is a one-line UserError.
import * as fs from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { formatBytes } from '../lib/data/index';
import { AtomicWriteError, describeCode, leftoverTemps, writeFileAtomic } from './atomic-write';
import { UserError } from './io';

export interface Output {
	/** The absolute path written. */
	readonly path: string;
	/**
	 * Write `bytes` to `path` (default: the output) atomically; returns the path. The previous file survives any
	 * failure, and the new bytes are kept in the temporary folder when they can be (the error says where).
	 */
	save(bytes: Uint8Array, path?: string): string;
	/** Refuse now, before the work, when the disk lacks room for a file of about `bytes`. */
	ensureSpace(bytes: number): void;
	/** Remove the lock (also done when the process exits). */
	release(): void;
}

interface LockInfo {
	pid: number;
	host: string;
	/** The script that holds it (a pid reused by another program after a crash does not hold the lock). */
	program: string;
	started: string;
}

/** This process's script, as its command line shows it. */
const PROGRAM = basename(process.argv[1] ?? 'node');

/** Whether process `pid` runs (on this machine) and is still `program` (not a later process given the same pid). */
function isRunning(pid: number, program = PROGRAM): boolean {
	try {
		process.kill(pid, 0);
	} catch (e) {
		return (e as NodeJS.ErrnoException).code === 'EPERM';
	}
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(program);
	} catch {
		return true; // no /proc: trust the pid
	}
}

/** The file that `file` names: a symbolic link's target (a dangling link is an error). */
function realTarget(file: string, path: string): string {
	try {
		if (!fs.lstatSync(path).isSymbolicLink()) return path;
	} catch {
		return path; // does not exist yet
	}
	try {
		return fs.realpathSync(path);
	} catch {
		throw new UserError(`${file} is a symbolic link to a missing file: choose another path`);
	}
}

/** The target itself: absent, or a regular file (saving over a device or a folder would lose the model). */
function checkTarget(file: string, what: string, path: string): void {
	if (file.trim() === '') throw new UserError(`${what} is empty: give a file path such as checkpoints/model.safetensors`);
	let st: fs.Stats;
	try {
		st = fs.statSync(path);
	} catch {
		if (file.endsWith('/') || file.endsWith(sep)) throw new UserError(`${what} ${file} names a folder: give a file name in it, such as ${file}model.safetensors`);
		return;
	}
	if (st.isDirectory()) throw new UserError(`${what} ${file} is a folder: give a file name in it, such as ${resolve(path, 'model.safetensors')}`);
	if (!st.isFile()) throw new UserError(`${what} ${file} is not a regular file (a device, pipe or socket): saving there would lose the model; choose a file path`);
}

/** Create the missing folders of `dir` one level at a time (Node's recursive mkdir loops forever under /proc). */
function ensureFolder(file: string, dir: string): void {
	const missing: string[] = [];
	let at = dir;
	for (;;) {
		let st: fs.Stats | null = null;
		try {
			st = fs.statSync(at);
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`cannot save ${file}: ${at}: ${describeCode((e as NodeJS.ErrnoException).code, (e as Error).message)}`);
		}
		if (st) {
			if (!st.isDirectory()) throw new UserError(`cannot save ${file}: ${at} is a file, not a folder`);
			break;
		}
		missing.unshift(at);
		at = dirname(at);
	}
	for (const d of missing) {
		try {
			fs.mkdirSync(d);
		} catch (e) {
			throw new UserError(`cannot save ${file}: cannot create the folder ${d} (${createError(e)})`);
		}
	}
}

/** Why creating an entry in an existing folder failed: ENOENT there means a special file system such as /proc. */
function createError(e: unknown): string {
	const err = e as NodeJS.ErrnoException;
	return err.code === 'ENOENT' ? 'a special file system that holds no files of ours' : describeCode(err.code, err.message);
}

/** Take `lock` (create it exclusively), or explain who holds it; a lock whose process is gone is taken over. */
function takeLock(file: string, lock: string): void {
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), program: PROGRAM, started: new Date().toISOString() } satisfies LockInfo) + '\n', { flag: 'wx' });
			return;
		} catch (e) {
			const code = (e as NodeJS.ErrnoException).code;
			if (code !== 'EEXIST') throw new UserError(`cannot save ${file}: cannot create files in ${dirname(lock)} (${createError(e)})`);
		}
		let info: Partial<LockInfo> = {};
		try {
			info = JSON.parse(fs.readFileSync(lock, 'utf8')) as Partial<LockInfo>;
		} catch {
			// unreadable or half-written: treated as stale below
		}
		const live = typeof info.pid === 'number' && (info.host !== hostname() || isRunning(info.pid, info.program));
		if (live) {
			throw new UserError(`${file} is being written by another makemore run (pid ${info.pid}${info.host !== hostname() ? ` on ${info.host}` : ''}, started ${info.started}): wait for it to finish or choose another --out (if that run is gone, delete ${lock})`);
		}
		fs.rmSync(lock, { force: true }); // stale: its process is gone
	}
	throw new UserError(`cannot save ${file}: ${lock} keeps coming back; is another run starting?`);
}

/** Refuse a save that cannot fit on the disk (it needs room for the new file while the old one still exists). */
function checkSpace(file: string, dir: string, bytes: number): void {
	try {
		const s = fs.statfsSync(dir);
		const free = s.bavail * s.bsize;
		if (free < bytes) throw new UserError(`cannot save ${file}: it needs about ${formatBytes(bytes)} and the disk has ${formatBytes(free)} free`);
	} catch (e) {
		if (e instanceof UserError) throw e;
		// statfs is not available everywhere: the save itself still reports a full disk
	}
}

/**
 * Check the output before any long work and lock it: `file` must be a writable regular file path (its folders are
 * created), not a folder, device or a file being written by another run.
 */
export function openOutput(file: string, { what = '--out' }: { what?: string } = {}): Output {
	checkTarget(file, what, resolve(file || '.'));
	const path = realTarget(file, resolve(file));
	checkTarget(file, what, path);
	ensureFolder(file, dirname(path));
	const lock = `${path}.lock`;
	takeLock(file, lock);
	let held = true;
	const release = () => {
		if (held) fs.rmSync(lock, { force: true });
		held = false;
	};
	process.on('exit', release);
	// temporary files of killed saves: their writers are gone, so they are ours to remove
	for (const t of leftoverTemps(path)) if (!isRunning(t.pid) || t.pid === process.pid) fs.rmSync(t.file, { force: true });
	return {
		path,
		save(data, to = path) {
			try {
				writeFileAtomic(to, data);
			} catch (e) {
				if (e instanceof AtomicWriteError) throw new UserError(rescue(e.message, to, data));
				throw e;
			}
			return to;
		},
		ensureSpace: (bytes) => checkSpace(file, dirname(path), bytes),
		release() {
			release();
			process.off('exit', release);
		}
	};
}

/**
 * After a failed save (the folder removed or made read-only during the run, the file made immutable, the disk full):
 * keep what was computed in the temporary folder rather than lose it, and add where to the message.
 */
function rescue(message: string, to: string, data: Uint8Array): string {
	const spare = join(tmpdir(), `${basename(to).replace(/\.safetensors$/, '')}.unsaved-${process.pid}.safetensors`);
	if (spare === to) return message;
	try {
		writeFileAtomic(spare, data);
		return `${message}; what was computed is saved in ${spare} instead`;
	} catch {
		return message;
	}
}

/** Where `--save-on-diverge` keeps the last finite weights: `X.safetensors` → `X.diverged.safetensors`. */
export function divergedPath(path: string): string {
	const base = basename(path);
	const stem = base.endsWith('.safetensors') ? base.slice(0, -'.safetensors'.length) : base;
	return resolve(dirname(path), `${stem}.diverged.safetensors`);
}
