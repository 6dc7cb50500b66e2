// The attention explorer as runes state: the model source, the text, the maps the worker computed, the selected head,
// the cursor the pointer and the keyboard move, and the view that goes into the URL.
import { datasetPath, displayChar, type DatasetName } from '$lib/train/session';
import type { AttentionMaps } from '$lib/viz/attention';
import { moveCursor, type GridCursor } from '$lib/viz/attention-layout';
import { lineStarts, lineWindow, textProblem } from '$lib/viz/attention-text';
import { cellReading, gradLimit, type AttentionPhase, type CellReading } from '$lib/viz/attention-view';
import type { ScaleChoice } from '$lib/viz/attention';
import { attentionWorker, type AttentionSource, type ModelInfo } from './attention-api';
import { DEFAULT_ATTENTION, type AttentionView } from './attention-url';
import { fetchText } from './assets';

export class AttentionState {
	view = $state<AttentionView>({ ...DEFAULT_ATTENTION });
	/** The loaded model's file and sizes (null until the first load). */
	info = $state.raw<ModelInfo | null>(null);
	/** A loaded .safetensors file in use instead of the shipped checkpoint (not in the URL). */
	file = $state.raw<{ name: string } | null>(null);
	maps = $state.raw<AttentionMaps | null>(null);
	error = $state<string | null>(null);
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

	/** Open a view: load its shipped checkpoint, then run on its text. */
	async open(view: AttentionView): Promise<void> {
		this.view = { ...view };
		this.cursor = { layer: view.layer, head: view.head, row: 0, col: 0 };
		await this.useSource({ kind: 'shipped', preset: view.ckpt });
	}

	/** Load a model source in the worker, then run it on the current text. */
	async useSource(source: AttentionSource): Promise<void> {
		this.loading = true;
		this.error = null;
		const id = ++this.latest;
		try {
			const info = await attentionWorker().load(source);
			if (id !== this.latest) return;
			this.info = info;
			this.file = source.kind === 'file' ? { name: source.name } : null;
			this.clampHead(info);
		} catch (e) {
			if (id === this.latest) this.fail(e);
			return;
		}
		await this.run();
	}

	/** Debug a .safetensors file (from "Load checkpoint…", or a run the training view hands over). */
	loadFile(name: string, bytes: Uint8Array): Promise<void> {
		return this.useSource({ kind: 'file', name, bytes });
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

	/** A window of the training file that starts at a random line (as long as the model's block). */
	async pickLine(random: () => number = Math.random): Promise<void> {
		if (!this.info) return;
		try {
			const data: DatasetName = this.info.data === 'names' ? 'names' : 'shakespeare';
			const text = await fetchText(datasetPath(data));
			const starts = lineStarts(text);
			await this.setText(lineWindow(text, starts, Math.floor(random() * starts.length), this.info.blockSize));
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
		this.view.layer = Math.min(this.view.layer, info.nLayer - 1);
		this.view.head = Math.min(this.view.head, info.nHead - 1);
		this.cursor = { ...this.cursor, layer: Math.min(this.cursor.layer, info.nLayer - 1), head: Math.min(this.cursor.head, info.nHead - 1) };
	}

	private fail(e: unknown): void {
		this.error = e instanceof Error ? e.message : String(e);
		this.loading = false;
	}
}
