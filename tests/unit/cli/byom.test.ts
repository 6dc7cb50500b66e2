// The command line on models trained in PyTorch and saved without our metadata (tests/fixtures/make_byom_fixtures.py).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '$lib/data';

const CLI = ['--import', 'tsx', 'src/cli/makemore.ts'];
const fx = (name: string) => fileURLToPath(new URL(`../../fixtures/byom/${name}`, import.meta.url));
const fixtures = JSON.parse(readFileSync(fx('plain.json'), 'utf8')) as { name: string; allLoss: number }[];
const allLoss = (name: string) => fixtures.find((f) => f.name === name)!.allLoss;
const dir = mkdtempSync(join(tmpdir(), 'makemore-byom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makemore(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((done) => {
		execFile(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
			done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
		});
	});
}

describe('the CLI on plain PyTorch files', () => {
	it("eval infers gpt.py's model, prints what it inferred and gives PyTorch's loss over the whole file", async () => {
		const r = await makemore('eval', '--checkpoint', fx('plain-gpt.safetensors'), '--data', fx('prose.txt'), '--split', 'all', '--json');
		expect(r.stderr).toContain("no __metadata__, read as the GPT lecture's gpt.py (2 layers of 3 heads, nEmbd 12, block 9), vocabulary of 33");
		expect(r.code).toBe(0);
		const { loss } = JSON.parse(r.stdout) as { loss: number };
		expect(Math.abs(loss - allLoss('plain-gpt'))).toBeLessThan(1e-5);
	}, 60_000);

	it("reads a torch.compile model's file ('_orig_mod.' keys) as the same model without the prefix, and says so", async () => {
		const file = decodeSafetensors(new Uint8Array(readFileSync(fx('plain-nanogpt-compiled.safetensors'))));
		const plain = join(dir, 'uncompiled.safetensors');
		writeFileSync(plain, encodeSafetensors(new Map([...file.tensors].map(([k, t]) => [k.replace(/^_orig_mod\./, ''), t])), file.metadata));
		const [compiled, bare] = await Promise.all([fx('plain-nanogpt-compiled.safetensors'), plain].map((f) => makemore('eval', '--checkpoint', f, '--data', fx('prose.txt'), '--split', 'all', '--json')));
		expect(compiled.code).toBe(0);
		expect(compiled.stderr).toMatch(/no __metadata__, read as nanoGPT \(2 layers of 2 heads.*; every key's '_orig_mod\.' prefix removed \(a torch\.compile model's state dict\)/);
		expect(bare.stderr).not.toContain('_orig_mod');
		expect(JSON.parse(compiled.stdout).loss).toBe(JSON.parse(bare.stdout).loss);
	}, 60_000);

	it('without --data says what the file holds and what to pass', async () => {
		const r = await makemore('sample', '--checkpoint', fx('plain-wavenet.safetensors'));
		expect(r.code).toBe(1);
		expect(r.stderr).toMatch(/no __metadata__ \(a plain PyTorch state dict\): it holds lecture 5's WaveNet.*pass --data names\|shakespeare\|PATH/);
	}, 60_000);

	it('train --resume fine-tunes one beside it with our metadata, which then opens without --data', async () => {
		const out = join(dir, 'tuned.safetensors');
		const before = statSync(fx('plain-mlp-bn.safetensors')).mtimeMs;
		const t = await makemore('train', '--resume', fx('plain-mlp-bn.safetensors'), '--data', fx('people.txt'), '--steps', '5', '--lr', '0.01', '--out', out, '--quiet');
		expect(t.stderr).toContain("read as lecture 3's MLP");
		expect(t.code).toBe(0);
		expect(statSync(fx('plain-mlp-bn.safetensors')).mtimeMs).toBe(before);
		const config = JSON.parse(decodeSafetensors(new Uint8Array(readFileSync(out))).metadata.config) as Record<string, unknown>;
		expect(config).toMatchObject({ model: 'mlp-bn', blockSize: 3, nEmbd: 7, nHidden: 11, steps: 5, lr: 0.01, data: 'people.txt' });
		const e = await makemore('eval', '--checkpoint', out, '--data', fx('people.txt'), '--split', 'all', '--json');
		expect(e.code).toBe(0);
		expect(e.stderr).not.toContain('no __metadata__');
		expect(JSON.parse(e.stdout).loss).toBeLessThan(allLoss('plain-mlp-bn'));
	}, 60_000);
});
