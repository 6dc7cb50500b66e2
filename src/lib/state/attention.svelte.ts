// The attention explorer as runes state: the model source, the text, the maps the worker computed, the selected head,
// the cursor the pointer and the keyboard move, and the view that goes into the URL.
import { datasetPath, displayChar, type CheckpointFile, type DatasetName } from '$lib/train/session';
import type { AttentionMaps } from '$lib/viz/attention';
import { moveCursor, type GridCursor } from '$lib/viz/attention-layout';
import { lineStarts, lineWindow, textProblem } from '$lib/viz/attention-text';
import { cellReading, gradLimit, type AttentionPhase, type CellReading } from '$lib/viz/attention-view';
import type { ScaleChoice } from '$lib/viz/attention';
import { attentionWorker, type AttentionSource, type ModelInfo } from './attention-api';
import { gptRuns, keepRunStep, linkBase, runWeightsAt, type LinkBase, type LinkWeights, type RunChoice } from './attention-source';
import { DEFAULT_ATTENTION, type AttentionView } from './attention-url';
import { fetchText } from './assets';

/** Where the explorer's model came from. */
export type Origin = { kind: 'shipped' } | { kind: 'run'; id: string; step: number } | { kind: 'file'; file: CheckpointFile };

/** A random line's window: a block of 256 (nanoGPT's) would record 36 heads of 256² weights for every change. */
const RANDOM_TEXT_MAX = 64;

export class AttentionState {
	view = $state<AttentionView>({ ...DEFAULT_ATTENTION });
	/** The loaded model's file and sizes (null until the first load). */
	info = $state.raw<ModelInfo | null>(null);
	/** Where the model in use came from: the shipped checkpoint, a run of this browser (both in the URL), a loaded file (not). */
	origin = $state.raw<Origin>({ kind: 'shipped' });
	/** The GPT runs stored in this browser, to pick from. */
	runs = $state.raw<RunChoice[]>([]);
	/** What a link asked for that could not be shown (a run this browser does not have), or null. */
	notice = $state<string | null>(null);
	maps = $state.raw<AttentionMaps | null>(null);
	error = $state<string | null>(null);
	/** What a link's unknown or malformed parameters fell back to, until dismissed. */
	notices = $state<string[]>([]);
	loading = $state(false);
	/** The cell the pointer is over, or null (then the keyboard cursor is read). */
	hovered = $state<GridCursor | null>(null);
	cursor = $state<GridCursor>({ layer: 0, head: 0, row: 0, col: 0 });
	private latest = 0;

	/** Axis labels: the text's characters, newline and space made visible. */
	labels = $derived(Array.from(this.maps?.text ?? '', displayChar));
	/** What is wrong with the typed text for this model (checked before the worker runs). */
	problem = $derived(this.info ? textProblem(this.view.text, this.info.vocab, this.info.blockSize) : null);
	limit = $derived(this.maps ? gradLimit(this.maps) : 1);
	reading = $derived<CellReading | null>(this.maps ? cellReading(this.maps, this.hovered ?? this.cursor, this.view.phase, this.view.scale, this.labels) : null);
	selectedHead = $derived(this.maps?.heads[this.view.layer * this.maps.nHead + this.view.head] ?? null);
	/** Where the debugger links go (the same weights), or why there are none. */
	link = $derived<LinkBase | string>(this.info ? linkBase(this.info.preset, this.info.data, this.linkWeights()) : 'loading the model');

	/** Open a view (with the notices its link gave): load its run (or its shipped checkpoint), then run on its text. */
	async open(view: AttentionView, notices: string[] = []): Promise<void> {
		this.view = { ...view };
		this.notices = notices;
		this.cursor = { layer: view.layer, head: view.head, row: 0, col: 0 };
		void this.refreshRuns();
		await (view.run ? this.useRun(view.run.id, view.run.step) : this.useShipped(view.ckpt));
	}

	async refreshRuns(): Promise<void> {
		this.runs = await gptRuns();
	}

	/** The model picker's choice: `ckpt:NAME` (a shipped checkpoint) or `run:ID` (a run of this browser, at its latest save). */
	choose(value: string): Promise<boolean> {
		this.notice = null;
		const [kind, name] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
		return kind === 'run' ? this.useRun(name, null) : this.useShipped(name as AttentionView['ckpt']);
	}

	/** The preset's shipped trained checkpoint. */
	useShipped(preset: AttentionView['ckpt']): Promise<boolean> {
		this.view.ckpt = preset;
		this.view.run = null;
		return this.useSource({ kind: 'shipped', preset }, { kind: 'shipped' });
	}

	/**
	 * A run of this browser at `step` (null: its latest saved step), kept as a step of the run so that links to it
	 * keep working; a run this browser does not have falls back to the shipped checkpoint and says so.
	 */
	async useRun(id: string, step: number | null): Promise<boolean> {
		const w = await runWeightsAt(id, step).catch(() => null);
		if (!w) {
			this.notice = `This link shows run ${id}${step !== null ? ` at step ${step}` : ''}, which this browser does not have (runs are kept in the browser that trained them): showing the shipped ${this.view.ckpt} instead.`;
			return this.useShipped(this.view.ckpt);
		}
		this.notice = null;
		const ok = await this.useSource({ kind: 'file', name: w.file.label ?? w.file.name, bytes: w.file.bytes }, { kind: 'run', id, step: w.step });
		if (ok) {
			this.view.run = { id, step: w.step };
			keepRunStep(id, w.step, w.file.bytes, this.view.text, this.info!.vocab).catch(() => {});
		}
		return ok;
	}

	/** Explore a .safetensors file (from "Load checkpoint…"); it is not in the URL, and its debugger links hand it over. */
	loadFile(name: string, bytes: Uint8Array): Promise<boolean> {
		return this.useSource({ kind: 'file', name, bytes }, { kind: 'file', file: { name, bytes } });
	}

	/** Load a model source in the worker, then run it on the current text. Returns whether the model loaded. */
	private async useSource(source: AttentionSource, origin: Origin): Promise<boolean> {
		this.loading = true;
		this.error = null;
		const id = ++this.latest;
		try {
			const info = await attentionWorker().load(source);
			if (id !== this.latest) return false;
			this.info = info;
			this.origin = origin;
			if (origin.kind === 'file') this.view.run = null;
			this.clampHead(info);
		} catch (e) {
			if (id === this.latest) this.fail(e);
			return false;
		}
		await this.run();
		return true;
	}

	private linkWeights(): LinkWeights {
		const o = this.origin;
		return o.kind === 'run' ? { run: { id: o.id, step: o.step } } : o.kind === 'file' ? { handOff: o.file } : { weights: 'trained' };
	}

	/** Run the model on the view's text (the newest request wins; an older reply is dropped). */
	async run(): Promise<void> {
		if (!this.info) return;
		if (this.problem) {
			this.loading = false;
			return;
		}
		const id = ++this.latest;
		this.loading = true;
		try {
			const maps = await attentionWorker().run(this.view.text);
			if (id !== this.latest) return;
			this.maps = maps;
			this.error = null;
			this.cursor = { ...this.cursor, row: Math.min(this.cursor.row, maps.T - 1), col: Math.min(this.cursor.col, maps.T - 1) };
		} catch (e) {
			if (id === this.latest) this.fail(e);
		} finally {
			if (id === this.latest) this.loading = false;
		}
	}

	setText(text: string): Promise<void> {
		this.view.text = text;
		return this.run();
	}

	/** A window of the training file that starts at a random line (as long as the model's block, at most 64 characters). */
	async pickLine(random: () => number = Math.random): Promise<void> {
		if (!this.info) return;
		try {
			const data: DatasetName = this.info.data === 'names' ? 'names' : 'shakespeare';
			const text = await fetchText(datasetPath(data));
			const starts = lineStarts(text);
			await this.setText(lineWindow(text, starts, Math.floor(random() * starts.length), Math.min(this.info.blockSize, RANDOM_TEXT_MAX)));
		} catch (e) {
			this.fail(e);
		}
	}

	setPhase(phase: AttentionPhase): void {
		this.view.phase = phase;
	}

	setScale(scale: ScaleChoice): void {
		this.view.scale = scale;
	}

	/** Enlarge a map (and dissect its head). */
	select(layer: number, head: number): void {
		this.view.layer = layer;
		this.view.head = head;
	}

	hover(c: GridCursor | null): void {
		this.hovered = c;
	}

	/** A key on the grid: move the cursor (see moveCursor); Enter selects its map. Returns whether it was handled. */
	key(key: string, shift: boolean): boolean {
		const m = this.maps;
		if (!m) return false;
		if (key === 'Enter' || key === ' ') {
			this.select(this.cursor.layer, this.cursor.head);
			return true;
		}
		const next = moveCursor(this.cursor, key, shift, m.T, m.nLayer, m.nHead);
		if (!next) return false;
		this.cursor = next;
		this.hovered = null;
		return true;
	}

	private clampHead(info: ModelInfo): void {
		for (const [key, n] of [['layer', info.nLayer], ['head', info.nHead]] as const)
			if (this.view[key] >= n) this.notices = [...this.notices, `${key} ${this.view[key]}: the model has ${key}s 0 to ${n - 1}: showing ${key} ${n - 1}`];
		this.view.layer = Math.min(this.view.layer, info.nLayer - 1);
		this.view.head = Math.min(this.view.head, info.nHead - 1);
		this.cursor = { ...this.cursor, layer: Math.min(this.cursor.layer, info.nLayer - 1), head: Math.min(this.cursor.head, info.nHead - 1) };
	}

	private fail(e: unknown): void {
		this.error = e instanceof Error ? e.message : String(e);
		this.loading = false;
	}
}
