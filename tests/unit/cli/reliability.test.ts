// The CLI as a user runs it, when things go wrong: bad --out paths, a crash or a full disk while saving, two runs on one
// file, signals, divergence, NaN weights and binary data. No trained model is lost; no wrong result exits 0.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint, firstNonFinite, Vocab } from '$lib/data';
import { Generator } from '$lib/engine';
import { createModel, getPreset } from '$lib/models';
import { checkpointConfig, restoreModel } from '$lib/train/checkpoint';

const CLI = ['--import', 'tsx', 'src/cli/makemore.ts'];
const dir = mkdtempSync(join(tmpdir(), 'makemore-reliab-'));
const names = join(dir, 'names.txt');
const bigNames = join(dir, 'big-names.txt');
const hasStrace = spawnSync('strace', ['-V']).status === 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

function makemore(args: string[], prefix: string[] = []): Promise<Run> {
	const [cmd, ...rest] = prefix.length ? [...prefix, process.execPath, ...CLI, ...args] : [process.execPath, ...CLI, ...args];
	return new Promise((done) => {
		execFile(cmd, rest, { encoding: 'utf8', timeout: 90_000 }, (err, stdout, stderr) => {
			const e = err as { code?: number; signal?: NodeJS.Signals } | null;
			done({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
		});
	});
}

/** Start a run and call `when(stderr)` on its output until it returns true (then `act` runs once). */
function startRun(args: string[], when: (stderr: string) => boolean, act: (child: ChildProcess) => void): Promise<Run> {
	return new Promise((done) => {
		const child = spawn(process.execPath, [...CLI, ...args]);
		const out = { stdout: '', stderr: '' };
		let acted = false;
		child.stdout.on('data', (d: Buffer) => (out.stdout += d));
		child.stderr.on('data', (d: Buffer) => {
			out.stderr += d;
			if (!acted && when(out.stderr)) {
				acted = true;
				act(child);
			}
		});
		child.on('close', (code, signal) => done({ code, signal, ...out }));
	});
}

/** The banner printed just before the first step: a signal after it arrives during training. */
const training = (stderr: string) => stderr.includes('Ctrl-C stops early');
const ckpt = (file: string) => restoreModel(new Uint8Array(readFileSync(file)));
const temps = () => readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'));
const NAMES = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'charlotte', 'mia', 'amelia', 'harper', 'evelyn', 'abigail', 'liam', 'noah'];

beforeAll(() => {
	writeFileSync(names, Array.from({ length: 200 }, (_, i) => NAMES[i % 13] + NAMES[(i * 5) % 13].slice(0, i % 4)).join('\n') + '\n');
	// enough examples that the final evaluation takes a while (it is capped at 1,000,000 examples a part)
	writeFileSync(bigNames, Array.from({ length: 160_000 }, (_, i) => NAMES[(i * 7) % 13] + NAMES[i % 13].slice(0, i % 5)).join('\n') + '\n');
});

describe('saving', () => {
	it('checks --out before loading any data: bad paths fail with one line, nothing trained', async () => {
		const runs = await Promise.all(['', dir, '/dev/null', '/proc/1/x/y.safetensors'].map((out) => makemore(['train', '--model', 'mlp', '--data', names, '--steps', '5', '--out', out])));
		for (const r of runs) {
			expect(r.code, r.stderr).toBe(1);
			expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
			expect(r.stderr).not.toMatch(/parameters|step/); // failed before the model was built
		}
		expect(runs.map((r) => r.stderr.split(':')[1].trim())).toEqual(['--out is empty', `--out ${dir} is a folder`, '--out /dev/null is not a regular file (a device, pipe or socket)', 'cannot save /proc/1/x/y.safetensors']);
	});

	it.skipIf(!hasStrace)('a full disk or kill -9 while saving leaves the old checkpoint byte-identical; the next run cleans up', async () => {
		const [full, killed] = [join(dir, 'full.safetensors'), join(dir, 'killed.safetensors')];
		const first = await makemore(['train', '--model', 'mlp', '--data', names, '--steps', '5', '--out', full, '--quiet']);
		expect(first.code, first.stderr).toBe(0);
		writeFileSync(killed, readFileSync(full));
		const old = readFileSync(full);
		const args = (out: string) => ['train', '--model', 'mlp', '--data', names, '--steps', '5', '--seed', '9', '--out', out, '--quiet'];
		// the checkpoint's data is written with pwrite64 at its offsets; fsync comes just before the rename
		const [enospc, kill] = await Promise.all([
			makemore(args(full), ['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=pwrite64', '-e', 'inject=pwrite64:error=ENOSPC']),
			makemore(args(killed), ['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=fsync', '-e', 'inject=fsync:signal=KILL'])
		]);
		expect(enospc.code).toBe(1);
		expect(enospc.stderr).toBe(`makemore: could not save ${full}: the disk is full; the previous full.safetensors is unchanged\n`);
		expect(kill.code === 137 || kill.signal === 'SIGKILL', kill.stderr).toBe(true);
		expect(readFileSync(full).equals(old)).toBe(true);
		expect(readFileSync(killed).equals(old)).toBe(true);
		expect(temps().some((n) => n.startsWith('.killed.safetensors.'))).toBe(true); // the killed save's temporary file and lock
		const again = await makemore(args(killed));
		expect(again.code, again.stderr).toBe(0);
		expect(ckpt(killed).config.seed).toBe(9);
		expect(temps()).toEqual([]);
	}, 120_000);

	it('a second run on the same --out refuses while the first trains; SIGTERM then saves the first', async () => {
		const out = join(dir, 'shared.safetensors');
		let second: Promise<Run> | null = null;
		const first = await startRun(['train', '--model', 'mlp', '--data', names, '--steps', '100000', '--out', out], training, (child) => {
			second = makemore(['train', '--model', 'mlp-bn', '--data', names, '--steps', '5', '--out', out]);
			second.then(() => child.kill('SIGTERM'));
		});
		const r2 = await second!;
		expect(r2.code).toBe(1);
		expect(r2.stderr).toMatch(new RegExp(`^makemore: ${out} is being written by another makemore run \\(pid \\d+, started .*\\): wait for it to finish or choose another --out`));
		expect(first.code, first.stderr).toBe(143);
		expect(first.stderr).toMatch(/SIGTERM: stopping after this step/);
		const c = ckpt(out).config;
		expect(c.model).toBe('mlp');
		expect(c.steps).toBeGreaterThan(0);
		expect(c.valLoss).toEqual(expect.any(Number));
		expect(existsSync(`${out}.lock`)).toBe(false);
	}, 120_000);
});

describe('signals', () => {
	it('Ctrl-C during the final evaluation skips it and saves; two close Ctrl-Cs in training still evaluate and save; SIGHUP with the terminal gone saves', async () => {
		const [evalOut, twiceOut, hupOut] = ['eval', 'twice', 'hup'].map((n) => join(dir, `${n}.safetensors`));
		const [during, twice, hup] = await Promise.all([
			startRun(['train', '--model', 'mlp-deep', '--data', bigNames, '--steps', '3', '--out', evalOut], (e) => /trained 3 steps/.test(e), (c) => c.kill('SIGINT')),
			startRun(['train', '--model', 'mlp', '--data', names, '--steps', '100000', '--out', twiceOut], training, (c) => {
				c.kill('SIGINT');
				setTimeout(() => c.kill('SIGINT'), 200);
			}),
			startRun(['train', '--model', 'mlp', '--data', names, '--steps', '100000', '--out', hupOut], training, (c) => {
				c.stdout!.destroy();
				c.stderr!.destroy();
				c.kill('SIGHUP');
			})
		]);
		expect(during.code, during.stderr).toBe(130);
		expect(during.stderr).toMatch(/Ctrl-C: skipping the evaluation and saving what was trained now \(press Ctrl-C again to quit without saving\)/);
		expect(ckpt(evalOut).config).toMatchObject({ steps: 3, trainLoss: null, valLoss: null });
		expect(twice.code, twice.stderr).toBe(130);
		expect(twice.stderr.match(/stopping after this step/g)?.length).toBe(1); // the two signals are one press
		expect(twice.stderr).not.toMatch(/skipping the evaluation/);
		expect(ckpt(twiceOut).config.valLoss).toEqual(expect.any(Number));
		expect(hup.code).toBe(129);
		expect(ckpt(hupOut).config.steps).toBeGreaterThan(0);
	}, 150_000);
});

describe('divergence and non-finite weights', () => {
	/** A checkpoint of mlp whose embedding holds NaN and Inf, as a diverged run would have saved before. */
	function nanCheckpoint(): string {
		const vocab = Vocab.forNames(NAMES);
		const model = createModel('mlp', vocab.size, new Generator(1));
		const [, emb] = model.namedTensors()[0];
		emb.data.set([NaN, Infinity, NaN]);
		const file = join(dir, 'nan.safetensors');
		writeFileSync(file, encodeCheckpoint(model.namedTensors(), checkpointConfig('mlp', getPreset('mlp'), vocab, { seed: 1, steps: 9, finalLoss: null, trainLoss: null, valLoss: null })));
		return file;
	}

	it('lr 1e30 stops at the first NaN loss, exits 1 and saves nothing; --save-on-diverge keeps the last finite weights apart', async () => {
		const [out, kept] = [join(dir, 'div.safetensors'), join(dir, 'kept.safetensors')];
		const [plain, saved, high] = await Promise.all([
			makemore(['train', '--model', 'mlp-bn', '--data', names, '--steps', '50', '--lr', '1e30', '--out', out]),
			makemore(['train', '--model', 'mlp-bn', '--data', names, '--steps', '50', '--lr', '1e30', '--out', kept, '--save-on-diverge']),
			makemore(['train', '--model', 'mlp', '--data', names, '--steps', '20', '--lr', '30', '--out', join(dir, 'high.safetensors'), '--quiet'])
		]);
		// a loss far above ln(vocab) but finite: a warning naming the learning rate, and the run goes on
		expect(high.code, high.stderr).toBe(0);
		expect(high.stderr).toMatch(/^\nwarning: the loss is [\d.]+ at step \d+, over ten times ln \d+ = [\d.]+ \(a uniform guess's\): the learning rate 30 may be too high\n$/);
		expect(plain.code).toBe(1);
		expect(plain.stderr).toMatch(/makemore: training diverged at step 2: the loss is NaN, with learning rate 1e\+30; lower it \(--lr\)/);
		expect(plain.stdout).toBe('');
		expect(existsSync(out)).toBe(false);
		expect(saved.code).toBe(1);
		const diverged = join(dir, 'kept.diverged.safetensors');
		expect(existsSync(kept)).toBe(false);
		const c = ckpt(diverged);
		expect(c.config).toMatchObject({ steps: 1, divergedAt: 2, valLoss: null });
		expect(c.nonFinite).toBeNull();
		// its weights are finite but overflow on the data: eval fails rather than print a loss of null
		const [e, s] = await Promise.all([makemore(['eval', '--checkpoint', diverged, '--data', names, '--json']), makemore(['sample', '--checkpoint', diverged])]);
		expect([e.code, e.stdout]).toEqual([1, '']);
		expect(e.stderr).toMatch(/the val loss is NaN: the weights overflow on this data/);
		expect([s.code, s.stdout]).toEqual([1, '']);
		expect(s.stderr).toMatch(/the model's probabilities are not finite .*: its weights overflow, as after a diverged run/);
	}, 120_000);

	it('eval, grads, sample and --resume refuse NaN weights with exit 1 and print no result', async () => {
		const file = nanCheckpoint();
		expect(firstNonFinite(ckpt(file).model.namedTensors())).toEqual({ name: '0.weight', count: 3, nan: true });
		const runs = await Promise.all([
			makemore(['eval', '--checkpoint', file, '--data', names, '--json']),
			makemore(['grads', '--checkpoint', file, '--data', names, '--out', join(dir, 'g.safetensors')]),
			makemore(['sample', '--checkpoint', file]),
			makemore(['train', '--resume', file, '--data', names, '--steps', '20'])
		]);
		for (const r of runs) {
			expect([r.code, r.stdout]).toEqual([1, '']);
			expect(r.stderr).toBe(`makemore: ${file}: its weights are not finite: tensor '0.weight' holds 3 NaN values (training diverged: retrain with a lower --lr)\n`);
		}
		expect(existsSync(join(dir, 'g.safetensors'))).toBe(false);
	}, 120_000);
});

describe('data that is not text', () => {
	it('refuses random bytes and UTF-16 as training data instead of training on replacement characters', async () => {
		const bin = join(dir, 'random.bin');
		writeFileSync(bin, Uint8Array.from({ length: 20_000 }, (_, i) => (i * 2654435761 + 12345) >>> 24));
		const u16 = join(dir, 'u16.txt');
		writeFileSync(u16, Buffer.from('\ufeffemma\nava\nmia\n', 'utf16le'));
		const runs = await Promise.all([makemore(['train', '--model', 'gpt-small', '--data', bin, '--steps', '2']), makemore(['train', '--model', 'mlp', '--data', u16, '--steps', '2'])]);
		expect(runs.map((r) => [r.code, r.stderr])).toEqual([
			[1, `makemore: ${bin} looks binary (a NUL byte at offset ${readFileSync(bin).indexOf(0).toLocaleString('en-US')}), not text: choose a plain-text file\n`],
			[1, `makemore: ${u16} is UTF-16 text: save it as UTF-8\n`]
		]);
	}, 120_000);
});
