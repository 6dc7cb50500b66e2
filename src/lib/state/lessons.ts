// The lessons: every data file in src/lib/lessons/ whose name starts with a number, in file-name order.
import type { Lesson } from '$lib/lessons/types';

// NOTE: a glob, not a list of imports: a teacher adds a lesson by adding a file, without touching code
const files = import.meta.glob<{ default: Lesson }>('../lessons/[0-9]*.ts', { eager: true });

export const LESSONS: Lesson[] = Object.keys(files)
	.sort()
	.map((path) => files[path].default);

/** The lesson at `/lessons/<slug>`, or undefined. */
export function lessonBySlug(slug: string): Lesson | undefined {
	return LESSONS.find((l) => l.slug === slug);
}

/**
 * The stop a link's `?stop=` names (1-based; none: the first), as an index from 0, and a short notice when the link
 * named anything but a stop of this lesson ("stop '40': this lesson has stops 1 to 9: showing stop 9").
 */
export function stopFromLink(raw: string | null, count: number): { index: number; notice: string | null } {
	if (raw === null) return { index: 0, notice: null };
	const n = Number(raw);
	if (Number.isInteger(n) && n >= 1 && n <= count && raw.trim() !== '') return { index: n - 1, notice: null };
	const index = Number.isInteger(n) && n > count ? count - 1 : 0;
	return { index, notice: `stop '${raw}': this lesson has stops 1 to ${count}: showing stop ${index + 1}` };
}
