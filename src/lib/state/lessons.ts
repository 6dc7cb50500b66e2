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
