// `npm run makemore`: the CLI (src/cli/makemore.ts) bundled into one module by esbuild, then run in this process
// (one process, so Ctrl-C reaches it directly; node flags such as --single-threaded given to this script apply).

// NOTE: why bundle instead of running the sources through tsx: tsx compiles each TypeScript file to CommonJS, where
// every imported name is read through a getter (two, through a re-exporting index.ts) each time it is used. The engine
// crosses modules thousands of times a training step, and those reads made a step about 17% slower (mlp-bn, node
// 20) than the same code bundled into one scope, which is also how Vite ships it to the browser.
import { build } from 'esbuild';
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// two levels below the root, like src/cli/ (the CLI finds the project root from its own location)
const out = join(root, '.cache', 'cli', 'makemore.mjs');
const tmp = `${out}.${process.pid}.tmp`;
mkdirSync(dirname(out), { recursive: true });
await build({
	entryPoints: [join(root, 'src', 'cli', 'makemore.ts')],
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	packages: 'external',
	outfile: tmp,
	logLevel: 'warning'
});
// written aside, then renamed: a CLI started meanwhile in the same checkout never reads a half-written file
renameSync(tmp, out);
await import(pathToFileURL(out).href);
