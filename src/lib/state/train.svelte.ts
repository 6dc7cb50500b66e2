// The run the training view shows: the worker that trains it (kept across page changes, so "Debug this step" and back
// finds it paused where it was), its progress, val losses, samples and diagnostics, and the actions on it.
import * as Comlink from 'comlink';
import { resolve } from '$app/paths';
import { getPreset, isPresetName } from '$lib/models';
import type { RunRecord } from '$lib/store/runs';
import { summarizeCurve } from '$lib/data';
import type { DiagnosticsSnapshot, Progress, RunState, RunStatus, SampleSet, StartInfo, TrainEvent, ValPoint } from '$lib/train/protocol';
import type { RunConfig } from '$lib/train/run-config';
import { PRESETS } from '$lib/train/session';
import { builtinText, debuggable, debugHref, onTrainerFailure, trainerWorker } from './train-client';
import { isOutOfMemory } from './worker-errors';
import { newRunId, runStore } from './train-runs.svelte';
import type { UserData } from './train-setup.svelte';

export type Phase = 'idle' | 'starting' | RunStatus;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class TrainSession {
	runId = $state<string | null>(null);
	name = $state('');
	config = $state.raw<RunConfig | null>(null);
	status = $state<Phase>('idle');
	info = $state.raw<StartInfo | null>(null);
	progress = $state.raw<Progress | null>(null);
	vals = $state.raw<ValPoint[]>([]);
	samples = $state.raw<SampleSet | null>(null);
	diagnostics = $state.raw<DiagnosticsSnapshot | null>(null);
	temperature = $state(1);
	/** A stored run drawn beside this one (the bad init beside the good), or ''. */
	compareId = $state('');
	error = $state<string | null>(null);
	/** A failed save (full quota …): training goes on, the message stays until a save succeeds. */
	saveError = $state<string | null>(null);
	savedStep = $state<number | null>(null);
	/** Called when the runs list should be read again (a save, a new run). */
	onStored: () => void = () => {};
	private worker = trainerWorker;

	constructor() {
		// the worker died: what it trained since its last save is gone, the stored run is not; a new worker opens it
		onTrainerFailure((detail) => {
			const what = isOutOfMemory(detail) ? 'ran out of memory' : 'stopped with an error';
			this.dropRun(`The training worker ${what}${detail ? ` (${detail})` : ''}. The stored run keeps its last save: open it again to go on from there.`);
		});
	}

	/** The worker lost the run (a step that threw, or the worker died): say so; the runs list offers to open it again. */
	private dropRun(why: string): void {
		this.error = why;
		this.status = 'idle';
		this.runId = null;
		this.onStored();
	}

	private onEvent = (e: TrainEvent): void => {
		switch (e.type) {
			case 'progress':
				this.progress = e.progress;
				break;
			case 'val':
				this.vals = [...this.vals.filter((v) => v.step !== e.point.step), e.point];
				break;
			case 'samples':
				this.samples = e.samples;
				break;
			case 'diagnostics':
				this.diagnostics = e.diagnostics;
				break;
			case 'status':
				this.status = e.status;
				if (e.status !== 'running') this.onStored();
				break;
			case 'saved':
				this.savedStep = e.step;
				this.saveError = null;
				break;
			case 'error':
				if (e.fatal) this.dropRun(e.message);
				else this.saveError = e.message;
		}
	};

	/** Open a run in the worker (paused), fresh or from its saved state, and show what it has done so far. */
	private async open(id: string, name: string, config: RunConfig, text: string, state: RunState | null, record: RunRecord | null): Promise<void> {
		if (this.status === 'running') await this.pause();
		this.status = 'starting';
		this.error = null;
		this.saveError = null;
		this.runId = id;
		this.name = name;
		this.config = config;
		this.vals = state?.vals ?? [];
		this.samples = record?.samples ?? null;
		this.diagnostics = record?.diagnostics ?? null;
		this.progress = state ? { step: state.step, steps: config.steps, loss: state.losses[state.step - 1] ?? NaN, stepsPerSecond: 0, secondsLeft: NaN, seconds: state.seconds, curve: summarizeCurve(state.losses, state.step) } : null;
		try {
			const req = { id, config, text, temperature: this.temperature, ...(state ? { state } : {}) };
			this.info = await this.worker().open(req, Comlink.proxy(this.onEvent));
			this.status = state && state.step >= this.info.steps ? 'done' : record?.status === 'stopped' ? 'stopped' : 'paused';
		} catch (e) {
			this.status = 'idle';
			this.error = message(e);
		}
	}

	/** Start a new run: store it (and the learner's text), open it in the worker, train. */
	async start(edited: RunConfig, name: string, user: UserData | null): Promise<void> {
		// plain data for the worker and the store (the form's config is a reactive proxy, which cannot be cloned)
		const config = $state.snapshot(edited) as RunConfig;
		const id = newRunId();
		const text = config.data.source === 'user' ? (user?.report.text ?? '') : await builtinText(config.data.name).catch((e) => ((this.error = message(e)), null));
		if (text === null) return;
		const now = Date.now();
		const record: RunRecord = {
			id, name, created: now, updated: now, config, status: 'paused', step: 0, steps: config.steps, seconds: 0, lastLoss: null,
			vals: [], curve: [], samples: null, diagnostics: null, origin: { kind: 'trained' }
		};
		try {
			await (await runStore()).create(record, config.data.source === 'user' ? { id, name: config.data.name, text } : undefined);
		} catch (e) {
			// it still trains; the runs list says why nothing is stored
			this.saveError = message(e);
		}
		this.onStored();
		await this.open(id, name, config, text, null, null);
		if (this.status === 'paused') await this.resume();
	}

	/** Open a stored run where it was saved (paused), to resume, sample, debug or export it. */
	async openStored(record: RunRecord): Promise<void> {
		try {
			const store = await runStore();
			const state = await store.loadState(record.id);
			const own = record.config.data.source === 'user' ? await store.text(record.id) : null;
			if (record.config.data.source === 'user' && !own) throw new Error(`the data of run '${record.name}' is missing from storage: delete the run`);
			const text = own?.text ?? (await builtinText(record.config.data.name as 'names' | 'shakespeare'));
			await this.open(record.id, record.name, record.config, text, state, record);
		} catch (e) {
			this.error = message(e);
		}
	}

	async resume(): Promise<void> {
		this.error = null;
		await this.worker().resume().catch((e) => (this.error = message(e)));
	}

	async pause(): Promise<void> {
		await this.worker().pause().catch((e) => (this.error = message(e)));
	}

	async stop(): Promise<void> {
		await this.worker().stop().catch((e) => (this.error = message(e)));
	}

	async sampleNow(): Promise<void> {
		try {
			this.samples = await this.worker().sampleNow(this.temperature);
		} catch (e) {
			this.error = message(e);
		}
	}

	/** Pause, keep the current weights and batch in the store, and return the debugger's link to them. */
	async debugLink(layer?: string): Promise<string | null> {
		if (!this.runId || !this.config) return null;
		if (!debuggable(this.config)) {
			this.error = `the step debugger does not record ${this.config.preset} models yet: debug one of ${PRESETS.join(', ')}`;
			return null;
		}
		if (this.status === 'running') await this.pause();
		try {
			const snap = await this.worker().debugSnapshot();
			await (await runStore()).saveSnapshot(this.runId, snap);
			return debugHref(this.config, this.runId, snap.step, layer);
		} catch (e) {
			this.error = message(e);
			return null;
		}
	}

	/** Whether the run is a GPT, whose attention the explorer shows. */
	get isGpt(): boolean {
		return this.config !== null && isPresetName(this.config.preset) && getPreset(this.config.preset).model === 'gpt';
	}

	/** Pause (which saves the weights) and return the attention explorer's link to the run as saved. */
	async attentionLink(): Promise<string | null> {
		if (!this.runId || !this.isGpt) return null;
		if (this.status === 'running') await this.pause();
		return `${resolve('/attention')}?run=${encodeURIComponent(this.runId)}`;
	}

	/** The run as a .safetensors file in the CLI's format, downloaded. */
	async exportFile(): Promise<void> {
		try {
			const bytes = await this.worker().exportCheckpoint();
			const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
			const a = Object.assign(document.createElement('a'), { href: url, download: `${this.name.replace(/[^\w.-]+/g, '-') || 'run'}.safetensors` });
			a.click();
			setTimeout(() => URL.revokeObjectURL(url), 10_000);
		} catch (e) {
			this.error = message(e);
		}
	}
}

/** The one training session of the app (module state: it outlives the /train page, as its worker does). */
export const trainSession = new TrainSession();
