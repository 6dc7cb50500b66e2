// The training view's form: the run being set up (preset, data, seed, schedule, sizes, bad init) and the learner's file.
import { validateUserText, type DataFormat, type UserTextReport } from '$lib/data';
import { getPreset } from '$lib/models';
import { checkConfig, defaultRunConfig, sizeNames, type RunConfig, type SizeName } from '$lib/train/run-config';

/** A file (or pasted text) the learner gave, checked. */
export interface UserData {
	name: string;
	bytes: Uint8Array;
	report: UserTextReport;
}

export class SetupState {
	config = $state<RunConfig>(defaultRunConfig('mlp-bn'));
	user = $state.raw<UserData | null>(null);

	preset = $derived(getPreset(this.config.preset));
	sizes = $derived(sizeNames(this.config.preset));
	/** Why the run cannot start yet (empty: it can). */
	problems = $derived.by(() => [...checkConfig(this.config), ...this.dataProblems()]);

	private dataProblems(): string[] {
		const d = this.config.data;
		if (d.source === 'builtin') {
			return this.preset.format === 'names' && d.name === 'shakespeare' ? ['the names models learn one name a line: train them on names (or your own names-style file), or pick a gpt model for Shakespeare'] : [];
		}
		if (!this.user) return ['choose or paste your own text, or pick a built-in dataset'];
		const errors = this.user.report.errors;
		if (errors.length) return errors;
		if (this.preset.format === 'names' && this.user.report.format === 'text') {
			return ['your file is read as free text; the names models learn one name a line: read it as names-style lines, or pick a gpt model'];
		}
		return [];
	}

	/** Another preset: its defaults, keeping the seed and the data. */
	choosePreset(name: string): void {
		const fresh = defaultRunConfig(name, this.config.seed);
		const data = this.config.data.source === 'user' ? this.config.data : fresh.data;
		this.config = { ...fresh, data, badInit: this.config.badInit && getPreset(name).model !== 'gpt' };
		this.recheck();
	}

	setNumber(key: 'seed' | 'steps' | 'batchSize' | 'lr', value: number): void {
		this.config = { ...this.config, [key]: value };
		if (key === 'batchSize') this.recheck();
	}

	/** The decay step or rate; NaN (an emptied field) goes back to the preset's, scaled with the steps. */
	setDecay(key: 'lrDecayAt' | 'lrAfter', value: number): void {
		this.config = { ...this.config, [key]: Number.isNaN(value) ? null : value };
	}

	setSize(key: SizeName, value: number): void {
		const sizes = { ...this.config.sizes };
		if (Number.isNaN(value) || value === (this.preset as unknown as Record<string, number>)[key]) delete sizes[key];
		else sizes[key] = value;
		this.config = { ...this.config, sizes };
		if (key === 'blockSize') this.recheck();
	}

	setBadInit(on: boolean): void {
		this.config = { ...this.config, badInit: on };
	}

	useBuiltin(name: 'names' | 'shakespeare'): void {
		this.config = { ...this.config, data: { source: 'builtin', name } };
	}

	/** Read the learner's bytes (a file, or pasted text) as `format` (omitted: as detected). */
	useOwn(name: string, bytes: Uint8Array, format?: DataFormat): void {
		const p = { ...this.preset, ...this.config.sizes };
		const report = validateUserText(bytes, { name, format, blockSize: p.blockSize, batchSize: this.config.batchSize });
		this.user = { name, bytes, report };
		this.config = { ...this.config, data: { source: 'user', name, format: report.format } };
	}

	/** Read the learner's file the other way (names-style lines ↔ free text). */
	setFormat(format: DataFormat): void {
		if (this.user) this.useOwn(this.user.name, this.user.bytes, format);
	}

	/** The checks depend on the batch and block sizes: run them again after those change. */
	private recheck(): void {
		if (this.user && this.config.data.source === 'user') this.useOwn(this.user.name, this.user.bytes, this.user.report.format);
	}
}

/** The form of the training view (module state: it keeps what the learner set while they visit the debugger). */
export const trainSetup = new SetupState();
