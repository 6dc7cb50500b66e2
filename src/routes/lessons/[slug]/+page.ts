// A lesson's page: prerendered for every lesson file; an unknown slug is a 404 that lists what exists.
import { error } from '@sveltejs/kit';
import { LESSONS, lessonBySlug } from '$lib/state/lessons';
import type { EntryGenerator, PageLoad } from './$types';

export const entries: EntryGenerator = () => LESSONS.map((l) => ({ slug: l.slug }));

export const load: PageLoad = ({ params }) => {
	const lesson = lessonBySlug(params.slug);
	if (!lesson) error(404, `There is no lesson '${params.slug}'. The lessons are: ${LESSONS.map((l) => l.slug).join(', ')}.`);
	return { lesson };
};
