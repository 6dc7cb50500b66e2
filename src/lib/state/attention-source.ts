// The attention explorer's models besides the shipped checkpoints: GPT runs trained in this browser (read from the
// runs store) and a loaded file handed to the step debugger; and where the explorer's debugger links point for each.
import { getPreset, isPresetName } from '$lib/models';
import { checkpointPreset } from '$lib/train/run-config';
import { defaultDataset, PRESETS, type CheckpointFile, type DatasetName, type Preset } from '$lib/train/session';
import { runStore } from './train-runs.svelte';

/** A GPT run of this browser the explorer can open. */
export interface RunChoice {
	id: string;
	name: string;
	/** Its latest saved step. */
	step: number;
	preset: string;
}

/** The GPT runs stored in this browser with saved weights, newest first (none when the browser cannot store runs). */
export async function gptRuns(): Promise<RunChoice[]> {
	try {
		const { runs } = await (await runStore()).list();
		return runs.flatMap((r) => {
			const preset = checkpointPreset(r.config);
			return r.step > 0 && isPresetName(preset) && getPreset(preset).model === 'gpt' ? [{ id: r.id, name: r.name, step: r.step, preset }] : [];
		});
	} catch {
		return [];
	}
}

/** Characters → ids in a checkpoint's vocabulary (unknown ones dropped), as a one-row batch x → y. */
function textBatch(text: string, vocab: string): { x: { data: Int32Array; shape: number[] }; y: { data: Int32Array; shape: number[] } } {
	let ids = Array.from(text, (c) => vocab.indexOf(c)).filter((i) => i >= 0);
	if (ids.length < 2) ids = [0, 0];
	const T = ids.length - 1;
	return { x: { data: Int32Array.from(ids.slice(0, T)), shape: [1, T] }, y: { data: Int32Array.from(ids.slice(1)), shape: [1, T] } };
}

/**
 * The weights of run `id` at `step` (a step kept for the debugger), or at its latest saved step when `step` is null;
 * null when this browser does not have them. The weights are read from the run's saved state (every 20 s and at pause
 * while it trains), not from a worker that may be training it now.
 */
export async function runWeightsAt(id: string, step: number | null): Promise<{ file: CheckpointFile; step: number; name: string } | null> {
	const store = await runStore();
	const record = await store.get(id);
	if (!record) return null;
	const at = step !== null ? await store.snapshot(id, step) : await store.loadState(id);
	if (!at) return null;
	const label = `run '${record.name}' at step ${at.step.toLocaleString('en')}`;
	return { file: { name: `${record.name}.safetensors`, bytes: at.weights, label }, step: at.step, name: record.name };
}

/**
 * Keep run `id`'s weights at `step` as a debug snapshot (unless one is kept already), so that the debugger's link to
 * that step (`run=ID&runstep=N`) opens them even after the run has trained on. Its batch is the explorer's text.
 */
export async function keepRunStep(id: string, step: number, weights: Uint8Array, text: string, vocab: string): Promise<void> {
	const store = await runStore();
	if (await store.snapshot(id, step)) return;
	await store.saveSnapshot(id, { step, weights, ...textBatch(text, vocab) });
}

/** What the debugger needs to open the explorer's model: a preset it records, and the weights named in its URL. */
export type LinkWeights = { weights: 'trained' } | { run: { id: string; step: number } } | { handOff: CheckpointFile };
export type LinkBase = { preset: Preset; dataset: DatasetName } & LinkWeights;

const isDebuggerPreset = (p: string): p is Preset => (PRESETS as string[]).includes(p);

/**
 * The debugger link's base for a model of `preset` trained on `data` (a built-in dataset's name, or a file's), or why
 * there is none (the debugger records its own presets only).
 */
export function linkBase(preset: string, data: string, weights: LinkWeights): LinkBase | string {
	if (!isDebuggerPreset(preset)) return `the step debugger records ${PRESETS.filter((p) => getPreset(p).model === 'gpt').join(' and ')}, not a '${preset}' model: its links are off`;
	return { preset, dataset: data === 'names' || data === 'shakespeare' ? data : defaultDataset(preset), ...weights };
}

let handed: CheckpointFile | null = null;

/** Give the debugger page a checkpoint file to open with (a file the explorer loaded: it is not in any URL). */
export function handCheckpoint(file: CheckpointFile): void {
	handed = file;
}

/** The checkpoint handed over for the debugger's next open, once. */
export function takeHandedCheckpoint(): CheckpointFile | null {
	const f = handed;
	handed = null;
	return f;
}
