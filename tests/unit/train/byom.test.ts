// Models trained in PyTorch and saved the way their users save them (tests/fixtures/make_byom_fixtures.py): plain
// state dicts without metadata, inferred from their tensors, and the notebooks' models saved by scripts/export_notebook.py.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backward } from '$lib/engine';
import { decodeSafetensors, encodeSafetensors } from '$lib/data';
import { restoreModel, saveModel } from '$lib/train/checkpoint';
import { Generator } from '$lib/engine';
import { NanoGPT, getPreset, type NanoGptConfig } from '$lib/models';
import { NeedsData } from '$lib/train/plain';
import { createSession } from '$lib/train/session';
import { attentionFromTrace, attentionWeights, recordRun } from '$lib/viz/attention';
import { expectClose, PARITY } from '../expect';
import { fromFx, type Fx } from '../models/compare';

interface Pass {
	logits: Fx;
	loss: number;
	grads: Record<string, Fx>;
}
interface ByomFixture {
	name: string;
	data: string;
	expect: Record<string, string | number | boolean>;
	x: Fx;
	y: Fx;
	train?: Pass;
	eval: Pass;
	/** nanoGPT: block 0's attention and MLP on their inputs. */
	modules?: Record<'attnIn' | 'attnOut' | 'mlpIn' | 'mlpOut', Fx>;
}

const dir = new URL('../../fixtures/byom/', import.meta.url);
const bytesOf = (name: string) => new Uint8Array(readFileSync(new URL(name, dir)));
const textOf = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const fixtures = (name: string) => JSON.parse(textOf(`${name}.json`)) as ByomFixture[];
const dataOf = (fx: ByomFixture) => ({ text: textOf(fx.data), label: fx.data });

/** One forward and backward in the model's current mode, against PyTorch's. */
function compare(r: ReturnType<typeof restoreModel>, fx: ByomFixture, pass: Pass, label: string): void {
	for (const p of r.model.parameters()) p.grad = null;
	const { logits, loss } = r.model.forward(fromFx(fx.x, 'int32'), fromFx(fx.y, 'int32'));
	expectClose(logits.values(), pass.logits.values, `${label} logits`, { rtol: 1e-5, atol: 1e-6 });
	expectClose([loss!.item()], [pass.loss], `${label} loss`);
	backward(loss!);
	const params = r.model.namedParameters();
	expect(params.map(([n]) => n).sort()).toEqual(Object.keys(pass.grads).sort());
	for (const [n, p] of params) expectClose(p.grad!.values(), pass.grads[n].values, `${label} grad ${n}`, { rtol: 1e-5, atol: 1e-6 });
}

describe.each(fixtures('plain'))('a plain PyTorch state dict: $name', (fx) => {
	it('is read with the architecture inferred from its tensors and the vocabulary from its data', () => {
		const r = restoreModel(bytesOf(`${fx.name}.safetensors`), dataOf(fx));
		for (const [k, v] of Object.entries(fx.expect)) expect(r.config[k], k).toBe(v);
		expect(r.inferred).toMatch(/vocabulary of \d+ from/);
		compare(r, fx, fx.eval, `${fx.name} eval`);
		r.model.train();
		compare(r, fx, fx.train!, `${fx.name} train`);
	});

	it('is saved with our metadata, and then opens without the data', () => {
		const r = restoreModel(bytesOf(`${fx.name}.safetensors`), dataOf(fx));
		const again = restoreModel(saveModel(r.model, r.config));
		expect(again.inferred).toBeNull();
		expect(again.config.vocab).toBe(r.config.vocab);
		compare(again, fx, fx.eval, `${fx.name} saved`);
	});
});

describe('a plain file that does not fit', () => {
	const plain = (name: string) => decodeSafetensors(bytesOf(`${name}.safetensors`)).tensors;
	const encode = (tensors: Map<string, { shape: number[]; data: Float32Array | Float64Array | Int32Array }>) => encodeSafetensors(tensors);
	const names = { text: textOf('people.txt'), label: 'people.txt' };
	const text = { text: textOf('prose.txt'), label: 'prose.txt' };

	it('without data says what it holds and that its vocabulary needs the data', () => {
		expect(() => restoreModel(bytesOf('plain-wavenet.safetensors'))).toThrow(NeedsData);
		expect(() => restoreModel(bytesOf('plain-wavenet.safetensors'))).toThrow(/WaveNet.*2 FlattenConsecutive\(2\) stages.*vocabulary must be built from the data/);
	});

	it('with the wrong data names both vocabulary sizes', () => {
		expect(() => restoreModel(bytesOf('plain-gpt.safetensors'), names)).toThrow(/embedding has 33 rows .* sorted characters of people.txt .* give 27: use the data the model was trained on/);
		expect(() => restoreModel(bytesOf('plain-mlp.safetensors'), text)).toThrow(/prose.txt cannot be a names model's data: line 1 .* contains '\.'/);
	});

	it('with names and shapes of no known model lists what it found', () => {
		const t = plain('plain-mlp-bn');
		t.delete('3.running_var');
		expect(() => restoreModel(encode(t), names)).toThrow(/layer 3 has .*running_mean.*; a BatchNorm1d has a 1-D weight, bias, running_mean and running_var/);
		const u = plain('plain-mlp-bn');
		u.delete('5.bias');
		expect(() => restoreModel(encode(u), names)).toThrow(/the layers with tensors are 0: Embedding \(27, 7\), 2: Linear \(no bias\) \(11, 21\), 3: BatchNorm1d \(11\), 5: Linear \(no bias\) \(27, 11\); that is none of the makemore layouts/);
		const w = plain('plain-wavenet');
		const l6 = w.get('6.weight')!;
		w.set('6.weight', { ...l6, shape: [l6.shape[0] / 2, l6.shape[1] * 2] });
		expect(() => restoreModel(encode(w), names)).toThrow(/layer 6 is Linear \(6, 48\) \(out, in\); this wavenet needs \(12, 24\)/);
		const renamed = new Map([...plain('plain-gpt')].map(([k, v]) => [k.replace('token_embedding_table', 'wte'), v]));
		expect(() => restoreModel(encode(renamed), text)).toThrow(/tensor names \(.*\) are none this version knows/);
	});

	it('with a gpt.py tensor missing says which, as read', () => {
		const t = plain('plain-gpt');
		t.delete('blocks.1.ffwd.net.2.bias');
		expect(() => restoreModel(encode(t), text)).toThrow(/read as the GPT lecture's gpt.py \(2 layers of 3 heads, nEmbd 12, block 9\).*missing blocks.1.ffwd.net.2.bias/);
	});
});

describe.each(fixtures('notebook'))("a notebook's model saved by scripts/export_notebook.py: $name", (fx) => {
	it('opens with its metadata and gives PyTorch’s logits, loss and gradients (eval mode)', () => {
		const r = restoreModel(bytesOf(`${fx.name}.safetensors`));
		expect(r.inferred).toBeNull();
		for (const [k, v] of Object.entries(fx.expect)) if (v !== null) expect(r.config[k], k).toBe(v);
		compare(r, fx, fx.eval, fx.name);
	});
});

describe('the debugger on a plain file', () => {
	it('takes the model the file holds, its vocabulary from the chosen data, and records PyTorch’s loss', () => {
		const fx = fixtures('plain').find((f) => f.name === 'plain-gpt')!;
		const text = textOf('prose.txt');
		const file = { name: 'plain-gpt.safetensors', bytes: bytesOf('plain-gpt.safetensors') };
		const s = createSession({ preset: 'mlp', dataset: 'shakespeare', seed: 1, batch: 4, text: text.slice(0, 10) }, text, file);
		expect(s.config.preset).toBe('gpt-small');
		expect(s.weights).toMatch(/^plain-gpt.safetensors: no metadata, read as the GPT lecture's gpt.py \(2 layers of 3 heads, nEmbd 12, block 9\), vocabulary of 33/);
		expectClose([s.loss], [fx.eval.loss], 'recorded loss');
	});
});

describe("a torch.compile model's state dict ('_orig_mod.' before every key)", () => {
	const data = { text: textOf('prose.txt'), label: 'prose.txt' };

	it('loses the prefix when read, and says so where it says what was inferred', () => {
		expect([...decodeSafetensors(bytesOf('plain-nanogpt-compiled.safetensors')).tensors.keys()].every((k) => k.startsWith('_orig_mod.'))).toBe(true);
		const r = restoreModel(bytesOf('plain-nanogpt-compiled.safetensors'), data);
		expect(r.inferred).toMatch(/^nanoGPT \(2 layers of 2 heads.*; every key's '_orig_mod\.' prefix removed \(a torch\.compile model's state dict\)$/);
		expect(restoreModel(bytesOf('plain-nanogpt.safetensors'), data).inferred).not.toMatch(/_orig_mod/);
		const s = createSession({ preset: 'gpt-small', dataset: 'shakespeare', seed: 1, batch: 4, text: data.text.slice(0, 9) }, data.text, { name: 'ckpt.safetensors', bytes: bytesOf('plain-nanogpt-compiled.safetensors') });
		expect(s.weights).toMatch(/^ckpt.safetensors: no metadata, read as nanoGPT .*'_orig_mod\.' prefix removed/);
	});

	it('refuses a file with a key both with and without the prefix', () => {
		const t = decodeSafetensors(bytesOf('plain-nanogpt-compiled.safetensors')).tensors;
		t.set('lm_head.weight', t.get('_orig_mod.lm_head.weight')!);
		expect(() => restoreModel(encodeSafetensors(t), data)).toThrow(/holds both 'lm_head.weight' and '_orig_mod.lm_head.weight'/);
	});
});

describe('the debugger recording the same file again', () => {
	const text = textOf('prose.txt');
	const file = () => ({ name: 'plain-nanogpt.safetensors', bytes: bytesOf('plain-nanogpt.safetensors') });
	const at = (seed: number) => ({ preset: 'nanogpt' as const, dataset: 'shakespeare' as const, seed, batch: 8 });
	const fresh = (seed: number) => {
		createSession({ preset: 'mlp', seed: 1, batch: 1 }, 'ab\nba\n'); // no file: the kept one is let go
		return createSession(at(seed), text, file());
	};

	it('records what a fresh restore records (weights put back, dropout drawn again from the seed)', () => {
		const a = fresh(1);
		const b = createSession(at(2), text, file()); // kept: another seed (dropout 0.2 draws other masks)
		const again = createSession(at(1), text, file());
		expect(again.loss).toBe(a.loss);
		expect(b.loss).not.toBe(a.loss);
		const snap = (s: ReturnType<typeof createSession>) => s.trace.nodes.map((n) => Array.from(s.trace.tensors.get(n.output)?.values ?? []));
		expect(snap(again)).toEqual(snap(a));
		const b2 = fresh(2);
		expect(b2.loss).toBe(b.loss);
		expect(snap(b2)).toEqual(snap(b));
	});

	it('draws the same dropout masks again: the model\'s generator is put back at its seed', () => {
		// our own file of the same model with dropout 0.2 (a plain file is read for inference: dropout 0)
		const r = restoreModel(bytesOf('plain-nanogpt.safetensors'), { text, label: 'prose.txt' });
		const own = { name: 'own.safetensors', bytes: saveModel(r.model, { ...r.config, dropout: 0.2 }) };
		const a = createSession(at(1), text, own);
		const again = createSession(at(1), text, own);
		const plainLoss = createSession(at(1), text, file()).loss;
		expect(a.loss).not.toBe(plainLoss); // dropout did draw
		expect(again.loss).toBe(a.loss);
	});
});

describe("nanoGPT's modules against PyTorch", () => {
	it.each(fixtures('plain').filter((f) => f.modules))('$name: block 0’s CausalSelfAttention and MLP', (fx) => {
		const r = restoreModel(bytesOf(`${fx.name}.safetensors`), dataOf(fx));
		const block = (r.model as NanoGPT).transformer.h.at(0);
		const m = fx.modules!;
		// float32 sums in another order: PARITY's absolute part for the values near 0
		expectClose(block.attn.call(fromFx(m.attnIn)).values(), m.attnOut.values, `${fx.name} attention`, PARITY);
		expectClose(block.mlp.call(fromFx(m.mlpIn)).values(), m.mlpOut.values, `${fx.name} MLP`, PARITY);
	});

	it('takes the head count from the metadata, or 64-wide heads when it is absent', () => {
		const plain = decodeSafetensors(bytesOf('plain-nanogpt-nobias.safetensors')).tensors;
		expect(() => restoreModel(encodeSafetensors(plain), { text: textOf('prose.txt'), label: 'prose.txt' })).toThrow(/nEmbd is 10, not a multiple of nanoGPT's head size 64.*metadata=\{'n_head'/);
		const config: NanoGptConfig = { ...(getPreset('nanogpt') as NanoGptConfig), nEmbd: 128, nHead: 2, nLayer: 1, blockSize: 8 };
		const model = new NanoGPT(config, 33, new Generator(3));
		const bytes = encodeSafetensors(model.namedTensors().map(([k, t]) => [k, { shape: [...t.shape], data: t.data as Float32Array }]));
		const r = restoreModel(bytes, { text: textOf('prose.txt'), label: 'prose.txt' });
		expect(r.inferred).toMatch(/^nanoGPT \(1 layers of 2 heads of 64 \(assumed: the file has no n_head\), nEmbd 128, block 8, without biases\)/);
		expect(r.config).toMatchObject({ model: 'nanogpt', nHead: 2, nEmbd: 128, bias: false });
	});

	it('refuses an lm_head that is not the token embedding', () => {
		const t = decodeSafetensors(bytesOf('plain-nanogpt.safetensors'));
		const head = t.tensors.get('lm_head.weight')!;
		t.tensors.set('lm_head.weight', { ...head, data: head.data.map((v) => v + 1) as Float32Array });
		expect(() => restoreModel(encodeSafetensors(t.tensors, t.metadata), { text: textOf('prose.txt'), label: 'prose.txt' })).toThrow(/'lm_head.weight' differs from 'transformer.wte.weight'/);
	});
});

describe("the attention explorer on nanoGPT's fused heads", () => {
	it('reads each head out of the (1, nh, T, ·) tensors: its weights are softmax(q·kᵀ/√hs) over the past, its output weights·v', () => {
		const fx = fixtures('plain').find((f) => f.name === 'plain-nanogpt')!;
		const r = restoreModel(bytesOf('plain-nanogpt.safetensors'), dataOf(fx));
		const ids = Int32Array.from(fx.x.values);
		const text = r.vocab.decode(ids);
		const { trace, loss } = recordRun(r.model, ids);
		const maps = attentionFromTrace(trace, { nLayer: 2, nHead: 3, nEmbd: 12, blockSize: 9, fused: true }, text, loss);
		expect(maps.heads).toHaveLength(6);
		const T = ids.length;
		for (const h of maps.heads) {
			expect(h.scale).toBeCloseTo(0.5, 7);
			expectClose(h.weights, attentionWeights(h.q, h.k, T, 4, h.scale).weights, `layer ${h.layer} head ${h.head} weights`);
			const out = new Float32Array(T * 4);
			for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) for (let c = 0; c < 4; c++) out[i * 4 + c] += h.weights[i * T + j] * h.v[j * 4 + c];
			expectClose(h.out, out, `layer ${h.layer} head ${h.head} output`);
			expect(h.gradWeights).not.toBeNull();
		}
		// each head is its own slice
		expect(maps.heads[0].weights).not.toEqual(maps.heads[1].weights);
	});
});
