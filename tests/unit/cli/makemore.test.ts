// The command line as a user runs it (a child process): train → sample → eval → grads → bench, PyTorch loading, errors.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, exampleCount, prepareData, Vocab } from '$lib/data';
import { Generator } from '$lib/engine';
import { restoreModel } from '$lib/train/checkpoint';
import { evaluate, lossGradients, sample } from '$lib/train/trainer';
import { hasTorch, PYTHON } from '../torch';

/** How `npm run makemore` runs the CLI: one node process running the CLI bundled (so Ctrl-C reaches it directly). */
const CLI = ['scripts/makemore.mjs'];
const PY = PYTHON;
const dir = mkdtempSync(join(tmpdir(), 'makemore-cli-'));
const namesFile = join(dir, 'names.txt');
const textFile = join(dir, 'text.txt');
const ckpt = join(dir, 'mlp-bn.safetensors');
let trained: Run;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
	code: number;
	stdout: string;
	stderr: string;
}

function makemore(...args: string[]): Promise<Run> {
	return new Promise((done) => {
		execFile(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
			done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
		});
	});
}

function python(...args: string[]): Promise<string> {
	return new Promise((done, fail) => execFile(PY, args, { encoding: 'utf8' }, (err, out, e) => (err ? fail(new Error(e)) : done(out))));
}

const NAMES = ['emma', 'olivia', 'ava', 'isabella', 'sophia', 'charlotte', 'mia', 'amelia', 'harper', 'evelyn', 'abigail', 'emily', 'liam', 'noah', 'oliver'];
const lines = Array.from({ length: 150 }, (_, i) => NAMES[i % 15] + NAMES[(i * 4) % 15].slice(0, i % 3));

beforeAll(async () => {
	writeFileSync(namesFile, lines.join('\n') + '\n');
	writeFileSync(textFile, 'Now is the winter of our discontent\nMade glorious summer by this sun of York;\n'.repeat(8));
	trained = await makemore('train', '--model', 'mlp-bn', '--data', namesFile, '--steps', '40', '--seed', '3', '--out', ckpt);
	if (trained.code !== 0) throw new Error(`train failed: ${trained.stderr}`);
}, 60_000);

describe('makemore CLI', () => {
	it('train reports progress and losses, and writes the checkpoint path on stdout', async () => {
		const ck = restoreModel(new Uint8Array(readFileSync(ckpt)));
		expect(ck.config).toMatchObject({ model: 'mlp-bn', preset: 'mlp-bn', steps: 40, seed: 3, blockSize: 3, nHidden: 200, lrDecayAt: 20, format: 'names', data: 'names.txt' });
		expect(trained.stdout).toBe(`${ckpt}\n`);
		expect(trained.stderr).toMatch(/step 40\/40 +loss \d+\.\d{4} +[\d.]+ steps\/s/);
		expect(trained.stderr).toMatch(/train loss \d+\.\d{4} \(\d+ examples\) +val loss \d+\.\d{4}/);
		expect(ck.vocab).toEqual(Vocab.forNames(lines));
		const ds = prepareData(lines.join('\n'), { format: 'names', blockSize: 3, seed: 3, vocab: ck.vocab });
		expect(ck.config.valLoss).toBe(evaluate(ck.model, ds, 'val').loss);
	});

	it('sample, eval (--json, --split all) and grads agree with the library on the same checkpoint', async () => {
		const gradsFile = join(dir, 'grads.safetensors');
		const [s, val, all, grads] = await Promise.all([
			makemore('sample', '--checkpoint', ckpt, '--n', '6', '--seed', '9'),
			makemore('eval', '--checkpoint', ckpt, '--data', namesFile, '--json'),
			makemore('eval', '--checkpoint', ckpt, '--data', namesFile, '--split', 'all', '--json'),
			makemore('grads', '--checkpoint', ckpt, '--data', namesFile, '--out', gradsFile)
		]);
		for (const r of [s, val, all, grads]) expect(r.code, r.stderr).toBe(0);
		const ck = restoreModel(new Uint8Array(readFileSync(ckpt)));
		const ds = prepareData(lines.join('\n'), { format: 'names', blockSize: 3, seed: 3, vocab: ck.vocab });
		expect(s.stdout.trimEnd().split('\n')).toEqual(sample(ck.model, ck.vocab, 'names', { n: 6, generator: new Generator(9) }));
		expect(val.stdout.split('\n')).toHaveLength(2); // exactly one line
		expect(JSON.parse(val.stdout)).toEqual({ ...evaluate(ck.model, ds, 'val'), total: exampleCount(ds, 'val') });
		const total = lines.reduce((n, l) => n + l.length + 1, 0);
		expect(JSON.parse(all.stdout)).toEqual({ loss: evaluate(ck.model, ds, 'all').loss, examples: total, total });
		const want = lossGradients(ck.model, ds, 'all');
		const f = decodeSafetensors(new Uint8Array(readFileSync(gradsFile)));
		expect([...f.tensors.keys()].sort()).toEqual([...want.grads.keys()].sort());
		for (const [name, g] of want.grads) expect(Array.from(f.tensors.get(name)!.data), name).toEqual(Array.from(g.values()));
		expect(Number(f.metadata.examples)).toBe(total);
	});

	it.skipIf(!hasTorch())('the checkpoint loads into the PyTorch model (strict) and gives the same loss', async () => {
		const [ours, theirs] = await Promise.all([makemore('eval', '--checkpoint', ckpt, '--data', namesFile, '--split', 'all', '--json'), python('tests/fixtures/make_checkpoint_fixtures.py', '--torch-eval', ckpt, namesFile)]);
		const a = JSON.parse(ours.stdout);
		const b = JSON.parse(theirs);
		expect(a.examples).toBe(b.examples);
		if (Math.abs(a.loss - b.loss) > 1e-5 * b.loss) console.log('maxdiff', Math.abs(a.loss - b.loss), a.loss, b.loss);
		expect(Math.abs(a.loss - b.loss)).toBeLessThanOrEqual(1e-5 * b.loss);
	});

	it("trains lecture 3's deep net without BatchNorm (--model mlp-deep-nobn): eval, sample and grads read its checkpoint, and PyTorch loads it (strict) to the same loss", async () => {
		const deep = join(dir, 'deep-nobn.safetensors');
		const t = await makemore('train', '--model', 'mlp-deep-nobn', '--data', namesFile, '--steps', '30', '--seed', '5', '--out', deep);
		expect(t.code, t.stderr).toBe(0);
		const ck = restoreModel(new Uint8Array(readFileSync(deep)));
		expect(ck.config).toMatchObject({ model: 'mlp-deep-nobn', preset: 'mlp-deep-nobn', nLayer: 5, nHidden: 100, steps: 30, seed: 5 });
		expect(ck.model.stateDict().has('12.bias')).toBe(true);
		const gradsFile = join(dir, 'deep-grads.safetensors');
		const [s, e, g, torchLoss] = await Promise.all([
			makemore('sample', '--checkpoint', deep, '--n', '4', '--seed', '2'),
			makemore('eval', '--checkpoint', deep, '--data', namesFile, '--split', 'all', '--json'),
			makemore('grads', '--checkpoint', deep, '--data', namesFile, '--out', gradsFile),
			hasTorch() ? python('tests/fixtures/make_checkpoint_fixtures.py', '--torch-eval', deep, namesFile) : Promise.resolve(null)
		]);
		for (const r of [s, e, g]) expect(r.code, r.stderr).toBe(0);
		const ds = prepareData(lines.join('\n'), { format: 'names', blockSize: 3, seed: 5, vocab: ck.vocab });
		expect(s.stdout.trimEnd().split('\n')).toEqual(sample(ck.model, ck.vocab, 'names', { n: 4, generator: new Generator(2) }));
		const ours = JSON.parse(e.stdout);
		expect(ours.loss).toBe(evaluate(ck.model, ds, 'all').loss);
		const want = lossGradients(ck.model, ds, 'all');
		const f = decodeSafetensors(new Uint8Array(readFileSync(gradsFile)));
		expect([...f.tensors.keys()].sort()).toEqual([...want.grads.keys()].sort());
		for (const [name, grad] of want.grads) expect(Array.from(f.tensors.get(name)!.data), name).toEqual(Array.from(grad.values()));
		if (torchLoss !== null) {
			const b = JSON.parse(torchLoss);
			expect(ours.examples).toBe(b.examples);
			expect(Math.abs(ours.loss - b.loss)).toBeLessThanOrEqual(1e-5 * b.loss);
		}
	}, 60_000);

	it('trains gpt on free text and evaluates consecutive windows; bench prints one JSON line per model', async () => {
		const g = join(dir, 'gpt.safetensors');
		const [t, b] = await Promise.all([
			makemore('train', '--model', 'gpt-small', '--data', textFile, '--steps', '2', '--batch-size', '4', '--out', g),
			makemore('bench', '--json', '--models', 'mlp,mlp-bn', '--seconds', '0.2')
		]);
		expect(t.code, t.stderr).toBe(0);
		const e = await makemore('eval', '--checkpoint', g, '--data', textFile, '--split', 'all', '--json');
		const n = readFileSync(textFile, 'utf8').length;
		expect(JSON.parse(e.stdout).examples).toBe(Math.floor((n - 1) / 32) * 32);
		expect(b.code, b.stderr).toBe(0);
		const rows = b.stdout.trim().split('\n').map((l) => JSON.parse(l));
		expect(rows.map((r) => [r.model, r.recording])).toEqual([['mlp', false], ['mlp-bn', false]]);
		for (const r of rows) {
			expect(r.msPerStep).toBeGreaterThan(0);
			expect(r.cpuMsPerStep).toBeGreaterThan(0);
		}
	});

	it('stops at Ctrl-C and saves; --resume then ends, for SGD, exactly where an uninterrupted run does', async () => {
		const [whole, part] = [join(dir, 'whole.safetensors'), join(dir, 'part.safetensors')];
		const args = ['train', '--model', 'mlp-bn', '--data', namesFile, '--steps', '3000', '--seed', '4'];
		const uninterrupted = await makemore(...args, '--out', whole);
		expect(uninterrupted.code, uninterrupted.stderr).toBe(0);
		// Ctrl-C as soon as progress shows, sent like a terminal does to its whole process group:
		// the run stops after the step in progress, evaluates and saves
		const stopped = await new Promise<Run>((done) => {
			let sent = false;
			const child = spawn(process.execPath, [...CLI, ...args, '--out', part], { detached: true });
			const out = { stdout: '', stderr: '' };
			child.stdout.on('data', (d: Buffer) => (out.stdout += d));
			child.stderr.on('data', (d: Buffer) => {
				out.stderr += d;
				if (!sent && /step \d+\/3000/.test(out.stderr)) {
					sent = true;
					process.kill(-child.pid!, 'SIGINT');
				}
			});
			child.on('close', (code) => done({ code: code ?? 1, ...out }));
		});
		expect(stopped.code, 'interrupted').toBe(130);
		expect(stopped.stderr).toMatch(/Ctrl-C: stopping after this step/);
		expect(stopped.stderr).toMatch(new RegExp(`stopped at step \\d+ of 3000; continue with: npm run makemore -- train --resume ${part}`));
		expect(stopped.stdout).toBe(`${part}\n`);
		const cut = restoreModel(new Uint8Array(readFileSync(part))).config;
		expect(cut.steps).toBeGreaterThan(0);
		expect(cut.steps).toBeLessThan(3000);
		expect(cut.valLoss, 'evaluated before saving').toEqual(expect.any(Number));
		const resumed = await makemore('train', '--resume', part, '--data', namesFile);
		expect(resumed.code, resumed.stderr).toBe(0);
		expect(resumed.stderr).toMatch(new RegExp(`resuming at step ${cut.steps}: ${3000 - cut.steps} steps to go`));
		const [a, b] = [part, whole].map((f) => restoreModel(new Uint8Array(readFileSync(f))));
		expect(a.config.steps).toBe(3000);
		expect(a.config.valLoss).toBe(b.config.valLoss);
		const tb = new Map(b.model.namedTensors());
		for (const [name, t] of a.model.namedTensors()) expect(Array.from(t.values()), name).toEqual(Array.from(tb.get(name)!.values()));
	}, 60_000);

	it('answers bad arguments, missing files and a foreign vocabulary with one error line and exit code 1', async () => {
		const empty = join(dir, 'empty.txt');
		writeFileSync(empty, '');
		const cases: [string[], RegExp][] = [
			[['train', '--model', 'nope'], /unknown model 'nope': choose one of mlp, /],
			[['train', '--model', 'mlp', '--steps', 'ten'], /'--steps <n>' argument 'ten' is invalid/],
			// each its own --out: the runs go in parallel, and a run locks its output before it reads the data
			[['train', '--model', 'mlp', '--data', join(dir, 'missing.txt'), '--out', join(dir, 'o1.safetensors')], /no such data file/],
			[['train', '--model', 'mlp', '--data', empty, '--out', join(dir, 'o2.safetensors')], /is empty/],
			[['train', '--model', 'mlp', '--data', textFile, '--out', join(dir, 'o3.safetensors')], /looks like free text/],
			[['sample', '--checkpoint', join(dir, 'none.safetensors')], /no such checkpoint/],
			[['sample', '--checkpoint', namesFile], /invalid safetensors file/],
			[['eval', '--checkpoint', ckpt, '--data', textFile], /character 'N' on line 1 is not in the checkpoint's vocabulary/],
			[['eval', '--checkpoint', ckpt, '--split', 'nope', '--data', namesFile], /'--split <split>' argument 'nope' is invalid/],
			[['grads', '--checkpoint', ckpt, '--data', namesFile], /required option '--out <file>'/],
			[['train'], /train needs --model NAME \(or --resume FILE/],
			[['train', '--resume', ckpt], /has trained 40 of its 40 steps: pass --steps N with N > 40/],
			[['train', '--resume', ckpt, '--model', 'wavenet', '--steps', '50'], /--model wavenet differs from the checkpoint's mlp-bn/],
			[['train', '--resume', ckpt, '--steps', '50'], /which data\? pass --data names\|shakespeare\|PATH/],
			[['train', '--resume', ckpt, '--steps', '50', '--lr', '0.5'], /keeps the checkpoint's batch size and learning rate/],
			[['frobnicate'], /unknown command 'frobnicate'/]
		];
		// four at a time: sixteen CLI processes at once overran the 60 s a run gets on a busy 2-core machine
		const runs: Run[] = [];
		for (let i = 0; i < cases.length; i += 4) runs.push(...(await Promise.all(cases.slice(i, i + 4).map(([args]) => makemore(...args)))));
		runs.forEach((r, i) => {
			const label = cases[i][0].join(' ');
			expect(r.code, label).toBe(1);
			expect(r.stderr, label).toMatch(cases[i][1]);
			expect(r.stderr.trimEnd().split('\n'), `${label}: one line`).toHaveLength(1);
			expect(r.stderr, label).toMatch(/^makemore: /);
		});
	}, 120_000);
});
