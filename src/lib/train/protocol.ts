// The training worker's protocol: what the page asks (TrainerApi, called through Comlink) and what the worker reports
// (TrainEvent). Plain data only: everything here survives structuredClone.
import type { CurvePoint, ValPoint } from '../data/index';
import type { LayerDiagnostics, RatioSeries, WeightRatio } from './diagnostics';
import type { RunConfig } from './run-config';

export type { ValPoint } from '../data/index';

export type RunStatus = 'running' | 'paused' | 'stopped' | 'done';

export interface SampleSet {
	step: number;
	temperature: number;
	/** Names (one each), or one passage of text. */
	lines: string[];
}

export interface DiagnosticsSnapshot {
	step: number;
	layers: LayerDiagnostics[];
	weights: WeightRatio[];
	/** log10(update:data) of each 2-D weight over the run so far. */
	ratios: RatioSeries;
}

export interface Progress {
	step: number;
	steps: number;
	/** The latest minibatch loss. */
	loss: number;
	/** Over the last few seconds of training (pauses excluded). */
	stepsPerSecond: number;
	secondsLeft: number;
	/** Seconds spent training, over every session of the run. */
	seconds: number;
	curve: CurvePoint[];
}

/** What an optimizer needs to go on exactly: its step count (SGD's schedule) and AdamW's moments. */
export interface OptimizerState {
	stepCount: number;
	moments: { m: Float32Array[]; v: Float32Array[] } | null;
}

/** A run's training state, saved every so often and at pause/stop: enough to resume it exactly. */
export interface RunState {
	step: number;
	/** The model in the CLI's checkpoint format (.safetensors bytes). */
	weights: Uint8Array;
	optimizer: OptimizerState;
	/** Every step's minibatch loss so far. */
	losses: Float32Array;
	vals: ValPoint[];
	ratios: RatioSeries | null;
	seconds: number;
}

export interface StartRequest {
	/** The stored run (the worker saves its state under this id). */
	id: string;
	config: RunConfig;
	/** The training text (a built-in file, or the learner's). */
	text: string;
	/** Resume from this state; omitted: fresh weights. */
	state?: RunState;
	temperature: number;
}

export interface StartInfo {
	parameters: number;
	vocabSize: number;
	/** The steps the run takes in all. */
	steps: number;
	/** Steps between validation losses, diagnostics and samples. */
	every: { val: number; diagnostics: number; samples: number };
}

/** The batch a paused run trains on next, with the weights it will update: what "Debug this step" opens. */
export interface DebugSnapshot {
	step: number;
	weights: Uint8Array;
	x: { data: Int32Array; shape: number[] };
	y: { data: Int32Array; shape: number[] };
}

export type TrainEvent =
	| { type: 'progress'; progress: Progress }
	| { type: 'val'; point: ValPoint }
	| { type: 'samples'; samples: SampleSet }
	| { type: 'diagnostics'; diagnostics: DiagnosticsSnapshot }
	| { type: 'status'; status: RunStatus; step: number }
	| { type: 'saved'; step: number }
	| { type: 'error'; message: string; fatal: boolean };

/** The worker's methods (Comlink turns each into a promise on the page). */
export interface TrainerApi {
	/** Build the run (fresh weights, or its saved state), paused; its events arrive through `onEvent`. */
	open(req: StartRequest, onEvent: (e: TrainEvent) => void): Promise<StartInfo>;
	/** Train (the first time: start), reporting progress, until done, paused or stopped. */
	resume(): Promise<void>;
	/** Stop after the step in progress and save. */
	pause(): Promise<void>;
	/** Stop for good: the final val loss, a save, status 'stopped'. */
	stop(): Promise<void>;
	/** Samples from the current weights (also the temperature of the automatic ones from now on). */
	sampleNow(temperature: number): Promise<SampleSet>;
	/** The run as a .safetensors checkpoint in the CLI's format (evaluates train and val losses first). */
	exportCheckpoint(): Promise<Uint8Array>;
	debugSnapshot(): Promise<DebugSnapshot>;
}
