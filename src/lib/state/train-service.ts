// The training worker's side of the protocol: drives a TrainingRun in slices between which messages (Pause, Stop,
// Sample now) are handled, reports progress a few times a second, saves the run to the store now and then and at pause.
import type { RunStore } from '$lib/store/runs';
import { summarizeCurve } from '$lib/data';
import type { DebugSnapshot, DiagnosticsSnapshot, Progress, RunState, RunStatus, SampleSet, StartInfo, StartRequest, TrainerApi, TrainEvent } from '$lib/train/protocol';
import { TrainingRun } from '$lib/train/run';
import type { RunRecord } from '$lib/store/records';
import { isOutOfMemory } from './worker-errors';

export interface ServiceOptions {
	/** The run store (null: the browser cannot store; runs still train). */
	store: () => Promise<RunStore | null>;
	now?: () => number;
	/** Let the worker's event loop run (messages arrive in between). */
	yieldTo?: () => Promise<void>;
	/** Milliseconds of training between yields (default 100: Pause answers within that), between progress reports, between saves. */
	sliceMs?: number;
	progressMs?: number;
	saveMs?: number;
}

/** Steps per second over the last few seconds of training time (pauses do not count). */
class RateMeter {
	private marks: { seconds: number; step: number }[] = [];
	add(seconds: number, step: number): void {
		this.marks.push({ seconds, step });
		while (this.marks.length > 2 && seconds - this.marks[1].seconds > 3) this.marks.shift();
	}
	rate(): number {
		const a = this.marks[0];
		const b = this.marks[this.marks.length - 1];
		return a && b && b.seconds > a.seconds ? (b.step - a.step) / (b.seconds - a.seconds) : 0;
	}
	reset(): void {
		this.marks = [];
	}
}

/**
 * Let queued messages run: a message to ourselves, which (unlike setTimeout, clamped to 4 ms once nested) costs
 * microseconds between two slices of training.
 */
function messageYield(): Promise<void> {
	if (typeof MessageChannel === 'undefined') return new Promise((go) => setTimeout(go, 0));
	const ch = new MessageChannel();
	return new Promise((go) => {
		ch.port1.onmessage = () => {
			ch.port1.close();
			go();
		};
		ch.port2.postMessage(0);
	});
}

export class TrainerService implements TrainerApi {
	private run: TrainingRun | null = null;
	private id = '';
	private status: RunStatus = 'paused';
	private emit: (e: TrainEvent) => void = () => {};
	private looping: Promise<void> | null = null;
	private readonly rate = new RateMeter();
	private lastProgress = -Infinity;
	private lastSave = 0;
	private samples: SampleSet | null = null;
	private diagnostics: DiagnosticsSnapshot | null = null;
	private readonly now: () => number;
	private readonly yieldTo: () => Promise<void>;

	constructor(private readonly o: ServiceOptions) {
		this.now = o.now ?? (() => performance.now());
		this.yieldTo = o.yieldTo ?? messageYield;
	}

	async open(req: StartRequest, onEvent: (e: TrainEvent) => void): Promise<StartInfo> {
		if (this.status === 'running') await this.pause();
		this.run = new TrainingRun(req.config, req.text, req.state, req.temperature);
		this.id = req.id;
		this.emit = onEvent;
		this.status = this.run.finished ? 'done' : 'paused';
		this.samples = null;
		this.diagnostics = null;
		this.rate.reset();
		return this.run.info();
	}

	private need(): TrainingRun {
		if (!this.run) throw new Error('no run is open: start or open one first');
		return this.run;
	}

	async resume(): Promise<void> {
		const run = this.need();
		if (this.status === 'running' || run.finished) return;
		this.status = 'running';
		this.emit({ type: 'status', status: 'running', step: run.step });
		this.lastSave = this.now();
		this.looping = this.loop(run);
	}

	/** Train until paused, stopped or done; a step that throws (out of memory, most likely) ends the run here, saying so. */
	private async loop(run: TrainingRun): Promise<void> {
		try {
			await this.slices(run);
		} catch (e) {
			this.fail(run, e);
		}
	}

	/**
	 * After a step threw, its weights may be half updated: drop the run from the worker (nothing more is saved over
	 * its last save in the store) and tell the page, which offers to open the stored run again.
	 */
	private fail(run: TrainingRun, e: unknown): void {
		const detail = e instanceof Error ? e.message : String(e);
		const oom = isOutOfMemory(detail);
		const what = oom ? 'ran out of memory' : 'stopped with an error';
		const hint = oom ? ' A smaller batch, block or model needs less.' : '';
		this.status = 'paused';
		this.run = null;
		this.emit({ type: 'error', fatal: true, message: `Training ${what} at step ${run.step + 1} (${detail}).${hint} The stored run keeps its last save: open it again to go on from there.` });
		this.emit({ type: 'status', status: 'paused', step: run.step });
	}

	/** Train in slices until paused, stopped or done. */
	private async slices(run: TrainingRun): Promise<void> {
		while (this.status === 'running') {
			const t0 = this.now();
			let more = true;
			while (more && this.now() - t0 < (this.o.sliceMs ?? 100)) more = run.next();
			run.seconds += (this.now() - t0) / 1000;
			this.rate.add(run.seconds, run.step);
			this.flush(run);
			if (!more) {
				this.status = 'done';
				this.report(run);
				await this.save(run);
				this.emit({ type: 'status', status: 'done', step: run.step });
				return;
			}
			if (this.now() - this.lastProgress >= (this.o.progressMs ?? 200)) this.report(run);
			if (this.now() - this.lastSave >= (this.o.saveMs ?? 20_000)) await this.save(run);
			await this.yieldTo();
		}
	}

	private flush(run: TrainingRun): void {
		for (const e of run.take()) {
			if (e.type === 'samples') this.samples = e.samples;
			if (e.type === 'diagnostics') this.diagnostics = e.diagnostics;
			this.emit(e);
		}
	}

	private progress(run: TrainingRun): Progress {
		const sps = this.rate.rate();
		return {
			step: run.step,
			steps: run.total,
			loss: run.step ? run.losses[run.step - 1] : NaN,
			stepsPerSecond: sps,
			secondsLeft: sps > 0 ? (run.total - run.step) / sps : NaN,
			seconds: run.seconds,
			curve: summarizeCurve(run.losses, run.step)
		};
	}

	private report(run: TrainingRun): void {
		this.lastProgress = this.now();
		this.emit({ type: 'progress', progress: this.progress(run) });
	}

	/** What the runs list shows, saved with the state. */
	private record(run: TrainingRun): Partial<RunRecord> {
		return {
			status: this.status, step: run.step, steps: run.total, seconds: run.seconds, lastLoss: run.step ? run.losses[run.step - 1] : null,
			vals: run.vals, curve: summarizeCurve(run.losses, run.step, 120), ...(this.samples ? { samples: this.samples } : {}), ...(this.diagnostics ? { diagnostics: this.diagnostics } : {})
		};
	}

	private async save(run: TrainingRun): Promise<void> {
		this.lastSave = this.now();
		const store = await this.o.store();
		if (!store) return;
		try {
			const state: RunState = run.state();
			await store.saveState(this.id, state, this.record(run));
			this.emit({ type: 'saved', step: run.step });
		} catch (e) {
			this.emit({ type: 'error', message: e instanceof Error ? e.message : String(e), fatal: false });
		}
	}

	async pause(): Promise<void> {
		const run = this.need();
		if (this.status !== 'running') return;
		this.status = 'paused';
		await this.looping;
		this.report(run);
		await this.save(run);
		this.emit({ type: 'status', status: 'paused', step: run.step });
	}

	async stop(): Promise<void> {
		const run = this.need();
		if (this.status === 'running') {
			this.status = 'paused';
			await this.looping;
		}
		if (run.finished) return;
		this.status = 'stopped';
		this.emit({ type: 'val', point: run.validate(false) });
		this.report(run);
		await this.save(run);
		this.emit({ type: 'status', status: 'stopped', step: run.step });
	}

	async sampleNow(temperature: number): Promise<SampleSet> {
		this.samples = this.need().sample(temperature);
		return this.samples;
	}

	async exportCheckpoint(): Promise<Uint8Array> {
		return this.need().exportCheckpoint();
	}

	async debugSnapshot(): Promise<DebugSnapshot> {
		return this.need().debugSnapshot();
	}
}
