// The trained checkpoints the app ships: each preset's full schedule (seed 42), and its validation loss, measured again
// here, matches the README's results table within 0.01.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareData } from '$lib/data';
import { getPreset } from '$lib/models';
import { restoreModel } from '$lib/train/checkpoint';
import { checkpointPath, TRAINED_PRESETS, type Preset } from '$lib/train/session';
import { evaluate } from '$lib/train/trainer';
import { CHECKPOINT_PRESETS, CHECKPOINT_SEED } from '../../../scripts/checkpoints.mjs';

/** The README's results table: model → val loss (the bold figure). */
function readmeVal(): Map<string, number> {
	const rows = new Map<string, number>();
	for (const line of readFileSync('README.md', 'utf8').split('\n')) {
		const m = /^\| `([\w-]+)` \|[^|]*\|[^|]*\| \*\*([\d.]+)\*\*/.exec(line);
		if (m) rows.set(m[1], Number(m[2]));
	}
	return rows;
}

const DATA: Record<string, string> = { names: 'static/data/names.txt', shakespeare: 'static/data/tinyshakespeare.txt' };

describe('shipped checkpoints', () => {
	const table = readmeVal();

	it('cover every debugger preset that has trained weights, with the seed of `npm run checkpoints`', () => {
		expect([...CHECKPOINT_PRESETS].sort()).toEqual([...TRAINED_PRESETS].sort());
		expect(CHECKPOINT_SEED).toBe(42);
	});

	for (const name of TRAINED_PRESETS) {
		it(`${name}: trained on its full schedule; val loss within 0.01 of the README's`, () => {
			const bytes = new Uint8Array(readFileSync(`static${checkpointPath(name as Preset)}`));
			const { model, config, vocab } = restoreModel(bytes);
			expect(config.preset).toBe(name);
			expect(config.seed).toBe(42);
			expect(config.steps).toBe(getPreset(name).steps);
			const data = typeof config.data === 'string' ? config.data : '';
			const ds = prepareData(readFileSync(DATA[data], 'utf8'), { format: config.format, blockSize: config.blockSize, seed: config.seed, vocab });
			const { loss } = evaluate(model, ds, 'val');
			const readme = table.get(name);
			expect(readme, `README has no results row for ${name}`).toBeDefined();
			expect(Math.abs(loss - readme!), `val loss ${loss} vs README ${readme}`).toBeLessThanOrEqual(0.01);
			expect(config.valLoss).toBeCloseTo(loss, 6);
		});
	}
});
