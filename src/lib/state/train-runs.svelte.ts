// The stored runs: the list (with damaged ones), rename, delete, and checkpoints imported as runs.
import { RunStore, type RunRecord } from '$lib/store/runs';
import type { DamagedRun } from '$lib/store/runs';
import { restoreWithData, saveModel, type Restored } from '$lib/train/checkpoint';
import { datasetPath } from '$lib/train/session';
import { fetchText } from './assets';
import type { RunState } from '$lib/train/protocol';
import { defaultRunConfig, type RunConfig } from '$lib/train/run-config';
import { getPreset } from '$lib/models';
import { summarizeCurve } from '$lib/data';

let opened: Promise<RunStore> | null = null;

/** The page's connection to the runs database (opened once; a failure is kept and reported). */
export function runStore(): Promise<RunStore> {
	opened ??= RunStore.open();
	return opened;
}

/** A fresh id for a run. */
export function newRunId(): string {
	return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A checkpoint's config as a run config (its preset, seed, data and schedule; sizes where they differ). */
function configOf(ck: Restored, data: RunConfig['data']): RunConfig {
	const base = getPreset(ck.config.preset);
	const c = ck.config;
	const sizes: RunConfig['sizes'] = {};
	for (const k of ['blockSize', 'nEmbd', 'nHidden', 'nHead', 'nLayer'] as const) {
		const v = c[k];
		if (typeof v === 'number' && v !== (base as unknown as Record<string, unknown>)[k]) sizes[k] = v;
	}
	const steps = typeof c.scheduleSteps === 'number' ? c.scheduleSteps : Math.max(c.steps, 1);
	const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
	return { ...defaultRunConfig(c.preset, c.seed), data, steps, batchSize: num(c.batchSize, base.batchSize), lr: num(c.lr, base.lr), sizes };
}

export class RunsState {
	runs = $state.raw<RunRecord[]>([]);
	damaged = $state.raw<DamagedRun[]>([]);
	/** Why runs cannot be stored or listed (no IndexedDB, a failure), or null. */
	problem = $state<string | null>(null);
	error = $state<string | null>(null);

	/** Counts refreshes begun: a list read before a later one began may resolve after it, and must not win. */
	private begun = 0;

	async refresh(): Promise<void> {
		const mine = ++this.begun;
		try {
			const { runs, damaged } = await (await runStore()).list();
			// NOTE: a run saved at step 50 and then at its end triggers two refreshes; the first's older list could
			// otherwise arrive last and show the run as at step 50 (its diagnostics, its curve) until the next one
			if (mine !== this.begun) return;
			this.runs = runs;
			this.damaged = damaged;
			this.problem = null;
		} catch (e) {
			if (mine === this.begun) this.problem = message(e);
		}
	}

	private async act(fn: (s: RunStore) => Promise<unknown>): Promise<void> {
		this.error = null;
		try {
			await fn(await runStore());
		} catch (e) {
			this.error = message(e);
		}
		await this.refresh();
	}

	rename(id: string, name: string): Promise<void> {
		return this.act((s) => s.rename(id, name));
	}

	delete(id: string): Promise<void> {
		return this.act((s) => s.delete(id));
	}

	/**
	 * A CLI checkpoint as a run: its weights, its schedule to go on with (SGD's step count; AdamW's moments start
	 * afresh, as with `train --resume`), on its built-in data, or on the learner's file of the same name. A plain
	 * PyTorch file is read with the learner's own data (or the built-in dataset of its format) and stored with our metadata.
	 */
	async importCheckpoint(name: string, bytes: Uint8Array, own: { name: string; text: string } | null): Promise<string | null> {
		let id: string | null = null;
		await this.act(async (s) => {
			let ck;
			try {
				// a plain PyTorch file's vocabulary: the learner's own data, else the built-in dataset of its format
				ck = await restoreWithData(bytes, async (format) => {
					if (own) return { text: own.text, label: own.name };
					const builtin = format === 'text' ? 'shakespeare' : 'names';
					return { text: await fetchText(datasetPath(builtin)), label: builtin };
				});
			} catch (e) {
				throw new Error(`${name} is not a checkpoint this app can read: ${message(e)}`);
			}
			const label = String(ck.config.data ?? '');
			const builtin = label === 'names' || label === 'shakespeare';
			if (!builtin && own?.name !== label) {
				throw new Error(`${name} was trained on '${label || 'unknown data'}', which this page does not have: choose that file as your own data, then import again`);
			}
			const data: RunConfig['data'] = builtin ? { source: 'builtin', name: label as 'names' | 'shakespeare' } : { source: 'user', name: label, format: ck.config.format };
			const config = configOf(ck, data);
			const step = ck.config.steps;
			const losses = new Float32Array(step).fill(NaN); // the CLI does not keep the per-step losses
			const vals = ck.config.valLoss !== null ? [{ step, loss: ck.config.valLoss, estimate: false }] : [];
			const weights = ck.inferred ? saveModel(ck.model, ck.config) : bytes; // stored with our metadata
			const state: RunState = { step, weights, optimizer: { stepCount: step, moments: null }, losses, vals, ratios: null, seconds: typeof ck.config.seconds === 'number' ? ck.config.seconds : 0 };
			id = newRunId();
			const now = Date.now();
			const record: RunRecord = {
				id, name: name.replace(/\.safetensors$/, ''), created: now, updated: now, config, status: step >= config.steps ? 'done' : 'paused', step, steps: config.steps,
				seconds: state.seconds, lastLoss: ck.config.finalLoss, vals, curve: summarizeCurve(losses, step), samples: null, diagnostics: null, origin: { kind: 'imported', file: name }
			};
			await s.create(record, builtin ? undefined : { id, name: label, text: own!.text });
			await s.saveState(id, state, {});
		});
		return this.error ? null : id;
	}
}
