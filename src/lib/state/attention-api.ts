// What the attention explorer asks of its worker: a model source, then runs on texts. Types and the page's client.
import * as Comlink from 'comlink';
import type { Preset } from '$lib/train/session';
import type { AttentionMaps } from '$lib/viz/attention';

/** Where the explorer's GPT comes from: a checkpoint the app ships, or the bytes of a .safetensors file. */
export type AttentionSource = { kind: 'shipped'; preset: Preset } | { kind: 'file'; name: string; bytes: Uint8Array };

/** What the page shows about the loaded model. */
export interface ModelInfo {
	/** The file name (`gpt-small.safetensors`). */
	name: string;
	preset: string;
	steps: number;
	valLoss: number | null;
	blockSize: number;
	nLayer: number;
	nHead: number;
	nEmbd: number;
	/** The vocabulary, the characters in index order. */
	vocab: string;
	/** The dataset it was trained on (`shakespeare`, `names`, or a file name). */
	data: string;
	/** nanoGPT: every head of a layer in one tensor (viz/attention.ts reads them apart). */
	fused: boolean;
	/** A plain PyTorch file: what was inferred from its tensors (null for our checkpoints). */
	inferred: string | null;
}

export interface AttentionApi {
	/** Restore the source's model (fetching a shipped checkpoint); rejects with what is wrong with a file. */
	load(source: AttentionSource): Promise<ModelInfo>;
	/** Run the loaded model on `text`, forward and backward, and read every head. */
	run(text: string): Promise<AttentionMaps>;
}

let api: Comlink.Remote<AttentionApi> | null = null;

/** The worker's API (started on first use; the model runs off the main thread). */
export function attentionWorker(): Comlink.Remote<AttentionApi> {
	api ??= Comlink.wrap<AttentionApi>(new Worker(new URL('./attention.worker.ts', import.meta.url), { type: 'module' }));
	return api;
}
