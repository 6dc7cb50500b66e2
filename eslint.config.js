import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/** The pure folders must not reach for the DOM, Svelte or UI libraries (ARCHITECTURE.md). */
const pureRestrictions = (sideways = []) => ({
	'no-restricted-imports': [
		'error',
		{
			patterns: [
				{ group: ['svelte', 'svelte/*', '$app/*', 'd3', 'd3-*', 'elkjs', 'elkjs/*', 'katex'], message: 'Pure folders (engine, models, data, train, viz) must not import UI code.' },
				{ group: ['$lib/components/*', '$lib/state/*', '**/components/**', '**/state/**', ...sideways], message: 'Imports point down: routes → components → state → {viz, train} → {models, data} → engine.' }
			]
		}
	]
});

const vizRestrictions = {
	'no-restricted-imports': [
		'error',
		{
			patterns: [
				{ group: ['svelte', 'svelte/*', '$app/*', 'd3', 'd3-selection', 'd3-zoom', 'd3-transition', 'd3-drag', 'katex'], message: 'viz/ computes; the DOM belongs to components.' },
				{ group: ['$lib/components/*', '$lib/state/*', '**/components/**', '**/state/**', '$lib/train', '$lib/train/*', '**/train/**'], message: 'Imports point down: routes → components → state → {viz, train} → {models, data} → engine (viz and train are siblings).' }
			]
		}
	]
};

export default ts.config(
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{ languageOptions: { globals: { ...globals.browser, ...globals.node } } },
	{
		files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
		languageOptions: { parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: ts.parser, svelteConfig } }
	},
	{
		rules: {
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
			'@typescript-eslint/no-non-null-assertion': 'off'
		}
	},
	{
		files: ['src/lib/engine/**/*.ts'],
		rules: {
			'no-restricted-imports': ['error', { patterns: [
				{ regex: '^(?!\\.\\.?/)', message: 'The engine imports nothing from npm or $lib: it is the lesson and stays dependency-free.' },
				{ regex: '/(models|data|train|viz|state|components|routes)/', message: 'The engine imports nothing of ours outside src/lib/engine.' }
			] }]
		}
	},
	{ files: ['src/lib/{models,data,lessons}/**/*.ts'], ignores: ['**/*.worker.ts'], rules: pureRestrictions() },
	// train/ and viz/ are siblings: what both need (statistics, the loss curve's buckets) lives below them, in data/
	{ files: ['src/lib/train/**/*.ts'], ignores: ['**/*.worker.ts'], rules: pureRestrictions(['$lib/viz', '$lib/viz/*', '**/viz/**']) },
	// viz/ turns traces and tensors into numbers: d3's pure computing modules are welcome there, its DOM ones are not
	{ files: ['src/lib/viz/**/*.ts'], rules: vizRestrictions },
	{ ignores: ['build/', '.svelte-kit/', '.cache/', 'node_modules/', 'static/', 'bench/results/', 'test-results/', 'playwright-report/'] }
);
