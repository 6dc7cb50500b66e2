// The attention explorer's worker: holds one restored GPT and runs it on each text (record, backward, read the heads).
import * as Comlink from 'comlink';
import { restoreWithData, type Restored } from '$lib/train/checkpoint';
import { datasetPath } from '$lib/train/session';
import { attentionOfText, type AttentionMaps } from '$lib/viz/attention';
import { textProblem } from '$lib/viz/attention-text';
import type { AttentionApi, AttentionSource, ModelInfo } from './attention-api';
import { fetchCheckpoint, fetchText } from './assets';

let loaded: { restored: Restored; info: ModelInfo } | null = null;

function numberOf(v: unknown): number {
	if (typeof v !== 'number') throw new Error(`the checkpoint's config has no number for a GPT size (${String(v)})`);
	return v;
}

/** A plain PyTorch GPT's vocabulary: tinyshakespeare's characters, as gpt.py builds it (the explorer reads GPTs only). */
function plainData(name: string) {
	return async (format: 'names' | 'text') => {
		if (format !== 'text') throw new Error(`${name} holds a names model (a plain PyTorch file): the attention explorer reads GPT checkpoints; open it in the debugger`);
		return { text: await fetchText(datasetPath('shakespeare')), label: 'shakespeare' };
	};
}

const api: AttentionApi = {
	async load(source: AttentionSource): Promise<ModelInfo> {
		const file = source.kind === 'shipped' ? await fetchCheckpoint(source.preset) : source;
		const restored = await restoreWithData(file.bytes, plainData(file.name));
		const c = restored.config;
		if (c.model !== 'gpt' && c.model !== 'nanogpt') throw new Error(`${file.name} holds a '${c.preset}' model: the attention explorer reads GPT checkpoints (gpt-small, gpt, nanoGPT)`);
		const info: ModelInfo = {
			name: file.name, preset: c.preset, steps: c.steps, valLoss: c.valLoss, blockSize: c.blockSize,
			nLayer: numberOf(c.nLayer), nHead: numberOf(c.nHead), nEmbd: numberOf(c.nEmbd), vocab: c.vocab, data: typeof c.data === 'string' ? c.data : 'shakespeare',
			inferred: restored.inferred, fused: c.model === 'nanogpt'
		};
		loaded = { restored, info };
		// NOTE: a few runs at full length let the JIT compile the model's ops before the learner types (the first runs are
		// several times slower); a large model (nanoGPT's 10.7M parameters) spends its time in the kernels instead: no warm-up
		const warm = restored.vocab.encode(c.vocab.slice(0, 1).repeat(c.blockSize));
		if (restored.model.numParameters() < 1_000_000) for (let i = 0; i < 3; i++) attentionOfText(restored.model, warm, info, c.vocab.slice(0, 1).repeat(c.blockSize));
		return info;
	},

	async run(text: string): Promise<AttentionMaps> {
		if (!loaded) throw new Error('no model loaded yet');
		const { restored, info } = loaded;
		const problem = textProblem(text, info.vocab, info.blockSize);
		if (problem) throw new Error(problem);
		const maps = attentionOfText(restored.model, restored.vocab.encode(text), info, text);
		// hand the arrays over instead of copying them
		const buffers = new Set<ArrayBuffer>();
		for (const h of maps.heads) {
			for (const v of [...Object.values(h), ...Object.values(h.whatIf).flatMap((r) => [r.scaled, r.weights])]) if (v instanceof Float32Array) buffers.add(v.buffer as ArrayBuffer);
		}
		return Comlink.transfer(maps, [...buffers]);
	}
};

Comlink.expose(api);
