// The output of a run is checked before the work (bad paths fail at once with a clear message) and locked against a second run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { divergedPath, openOutput } from '../../../src/cli/output';

const dir = fs.mkdtempSync(join(tmpdir(), 'output-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The message of the UserError `openOutput(file)` throws, and how long it took (ms). */
function refusal(file: string): { message: string; ms: number } {
	const t = performance.now();
	try {
		openOutput(file).release();
	} catch (e) {
		return { message: (e as Error).message, ms: performance.now() - t };
	}
	throw new Error(`openOutput(${file}) did not refuse`);
}

/** A pid that no process has any more. */
function deadPid(): number {
	const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
	return Number(r.stdout);
}

describe('openOutput', () => {
	it('refuses paths that cannot hold a checkpoint, at once and saying why', () => {
		fs.writeFileSync(join(dir, 'a-file'), 'x');
		const special = '(a special file system that holds no files of ours|permission denied)'; // root, or not
		const cases: [string, string | RegExp][] = [
			['', '--out is empty: give a file path such as checkpoints/model.safetensors'],
			[dir, `--out ${dir} is a folder: give a file name in it, such as ${join(dir, 'model.safetensors')}`],
			[`${dir}/new-folder/`, `--out ${dir}/new-folder/ names a folder: give a file name in it, such as ${dir}/new-folder/model.safetensors`],
			[join(dir, 'a-file', 'x.safetensors'), `cannot save ${join(dir, 'a-file', 'x.safetensors')}: ${join(dir, 'a-file')} is a file, not a folder`],
			['/dev/null', '--out /dev/null is not a regular file (a device, pipe or socket): saving there would lose the model; choose a file path'],
			['/proc/x.safetensors', new RegExp(`^cannot save /proc/x.safetensors: cannot create files in /proc \\(${special}\\)$`)],
			['/proc/1/x/y.safetensors', new RegExp(`^cannot save /proc/1/x/y.safetensors: cannot create the folder /proc/1/x \\(${special}\\)$`)],
			['/sys/x.safetensors', 'cannot save /sys/x.safetensors: cannot create files in /sys (permission denied)']
		];
		for (const [file, message] of cases) {
			const r = refusal(file);
			if (typeof message === 'string') expect(r.message, file).toBe(message);
			else expect(r.message, file).toMatch(message);
			// generous: these checks are a few system calls, before any data is read (/proc/... used to hang)
			expect(r.ms, file).toBeLessThan(1000);
		}
	});

	it('creates missing folders, follows a symbolic link to its file, and saves atomically', () => {
		const out = openOutput(join(dir, 'deep', 'er', 'model.safetensors'));
		expect(fs.existsSync(join(dir, 'deep', 'er', 'model.safetensors.lock'))).toBe(true);
		out.save(new Uint8Array([1, 2, 3]));
		out.release();
		expect(fs.readdirSync(join(dir, 'deep', 'er'))).toEqual(['model.safetensors']);
		fs.symlinkSync(join(dir, 'deep', 'er', 'model.safetensors'), join(dir, 'link.safetensors'));
		const viaLink = openOutput(join(dir, 'link.safetensors'));
		expect(viaLink.path).toBe(join(dir, 'deep', 'er', 'model.safetensors'));
		viaLink.save(new Uint8Array([4]));
		viaLink.release();
		expect(fs.lstatSync(join(dir, 'link.safetensors')).isSymbolicLink()).toBe(true);
		expect([...fs.readFileSync(join(dir, 'link.safetensors'))]).toEqual([4]);
		expect(divergedPath('/a/b/gpt.safetensors')).toBe('/a/b/gpt.diverged.safetensors');
		expect(divergedPath('/a/b/weights')).toBe('/a/b/weights.diverged.safetensors');
	});

	it('refuses a file another live run is writing, and takes over a lock whose run is gone', () => {
		const file = join(dir, 'shared.safetensors');
		const first = openOutput(file);
		expect(refusal(file).message).toMatch(new RegExp(`^${file} is being written by another makemore run \\(pid ${process.pid}, started [-\\d:.TZ]+\\): wait for it to finish or choose another --out \\(if that run is gone, delete ${file}.lock\\)$`));
		first.release();
		expect(fs.existsSync(`${file}.lock`)).toBe(false);
		const program = basename(process.argv[1]);
		// stale: a dead process, a pid now used by another program, a half-written lock file
		for (const info of [{ pid: deadPid(), host: hostname(), program }, { pid: process.pid, host: hostname(), program: 'not-this-program.ts' }, null]) {
			fs.writeFileSync(`${file}.lock`, info ? JSON.stringify(info) : '{"pi');
			openOutput(file).release();
		}
		// the temporary file of a killed save is removed by the next run
		const temp = join(dir, `.shared.safetensors.${deadPid()}.abc.tmp`);
		fs.writeFileSync(temp, 'partial');
		openOutput(file).release();
		expect(fs.existsSync(temp)).toBe(false);
	});

	it('keeps what was computed in the temporary folder when the save fails at the end (its folder removed meanwhile)', () => {
		const out = openOutput(join(dir, 'gone', 'model.safetensors'));
		fs.rmSync(join(dir, 'gone'), { recursive: true });
		const spare = join(tmpdir(), `model.unsaved-${process.pid}.safetensors`);
		try {
			expect(() => out.save(new Uint8Array([7, 8, 9]))).toThrow(`could not save ${join(dir, 'gone', 'model.safetensors')}: the folder does not exist; nothing was written; what was computed is saved in ${spare} instead`);
			expect([...fs.readFileSync(spare)]).toEqual([7, 8, 9]);
		} finally {
			out.release();
			fs.rmSync(spare, { force: true });
		}
	});

	it('refuses a save the disk has no room for, before the work', () => {
		const out = openOutput(join(dir, 'space.safetensors'));
		expect(() => out.ensureSpace(1e18)).toThrow(/cannot save .*space\.safetensors: it needs about 1000000\.0 TB and the disk has [\d.]+ [KMGT]B free/);
		expect(() => out.ensureSpace(1000)).not.toThrow();
		out.release();
	});
});
