// The lesson files as the app finds them (every src/lib/lessons/<number>*.ts, in name order), for the browser tests.
import { readdirSync } from 'node:fs';
import type { Lesson } from '../../src/lib/lessons/types';

export async function lessonFiles(): Promise<Lesson[]> {
	const dir = new URL('../../src/lib/lessons/', import.meta.url);
	const files = readdirSync(dir).filter((f) => /^\d.*\.ts$/.test(f)).sort();
	return Promise.all(files.map(async (f) => ((await import(new URL(f, dir).href)) as { default: Lesson }).default));
}
