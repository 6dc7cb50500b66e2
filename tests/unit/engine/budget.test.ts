// The engine's two layers: the teaching layer (everything but kernels/) stays within its line budget and leaves the
// speed to kernels/; the op table's files import no kernel internals, only the kernels' index.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ENGINE = new URL('../../../src/lib/engine/', import.meta.url).pathname;
/** The teaching layer's budget (issue 13): a learner reads all of it. */
const TEACHING_LINES = 3000;

/** Every .ts file under `dir`, with its path relative to the engine. */
function files(dir: string): string[] {
	return readdirSync(dir).flatMap((f) => {
		const p = join(dir, f);
		return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
	});
}

const lines = (p: string): number => readFileSync(p, 'utf8').split('\n').filter((l, i, all) => i < all.length - 1 || l !== '').length;

describe('the engine layers', () => {
	const all = files(ENGINE).map((p) => ({ path: relative(ENGINE, p), lines: lines(p) }));
	const teaching = all.filter((f) => !f.path.startsWith('kernels/'));

	it(`keeps the teaching layer (all but kernels/) within ${TEACHING_LINES} lines`, () => {
		const total = teaching.reduce((n, f) => n + f.lines, 0);
		const largest = [...teaching].sort((a, b) => b.lines - a.lines).slice(0, 5).map((f) => `${f.path} ${f.lines}`);
		console.log(`engine teaching layer: ${total} lines in ${teaching.length} files; kernels/: ${all.length - teaching.length} files, ${all.reduce((n, f) => n + f.lines, 0) - total} lines`);
		expect(teaching.length).toBeGreaterThan(20);
		expect(total, `largest: ${largest.join(', ')}`).toBeLessThanOrEqual(TEACHING_LINES);
	});

	it('has the op files reach the speed layer only through the kernels index', () => {
		for (const f of teaching.filter((t) => t.path.startsWith('ops/'))) {
			const deep = readFileSync(join(ENGINE, f.path), 'utf8').match(/from '\.\.\/kernels\/(?!index')[^']+'/g);
			expect(deep, `${f.path} imports kernel internals`).toBeNull();
		}
	});
});
