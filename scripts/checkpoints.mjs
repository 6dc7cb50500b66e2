// Rebuilds the trained weights the app ships in static/checkpoints/: each debugger preset trained with the CLI's
// own full schedule, seed 42. `npm run checkpoints [-- NAME…] [--jobs N]` (default: all seven, one at a time).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The presets the debugger offers "trained" weights for (all but seed-gpt, too large to train here), and their seed. */
export const CHECKPOINT_PRESETS = ['mlp', 'mlp-bn', 'mlp-deep', 'wavenet', 'gpt-small', 'seed-mlp', 'seed-wavenet'];
export const CHECKPOINT_SEED = 42;

/**
 * The argument list of the CLI's train command for one preset.
 * @param {string} name
 */
export function trainArgs(name) {
	return ['--import', 'tsx', 'src/cli/makemore.ts', 'train', '--model', name, '--seed', String(CHECKPOINT_SEED), '--out', join('static', 'checkpoints', `${name}.safetensors`)];
}

/**
 * Parse `[NAME…] [--jobs N]`; unknown names and a bad --jobs are errors that say what to pass.
 * @param {string[]} argv
 */
export function parseArgs(argv) {
	const names = [];
	let jobs = 1;
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--jobs') {
			jobs = Number(argv[++i]);
			if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs wants a whole number ≥ 1, not '${argv[i]}'`);
		} else if (CHECKPOINT_PRESETS.includes(argv[i])) names.push(argv[i]);
		else throw new Error(`unknown preset '${argv[i]}': choose from ${CHECKPOINT_PRESETS.join(', ')}`);
	}
	return { names: names.length ? names : CHECKPOINT_PRESETS, jobs };
}

/**
 * @param {string} name
 * @returns {Promise<void>}
 */
function trainOne(name) {
	return new Promise((done, fail) => {
		const t0 = Date.now();
		console.error(`checkpoints: training ${name}`);
		const child = spawn(process.execPath, trainArgs(name), { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
		child.on('error', fail);
		child.on('exit', (code) => {
			if (code === 0) {
				console.error(`checkpoints: ${name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
				done();
			} else fail(new Error(`training ${name} exited with ${code}`));
		});
	});
}

async function main() {
	const { names, jobs } = parseArgs(process.argv.slice(2));
	mkdirSync(join(root, 'static', 'checkpoints'), { recursive: true });
	const queue = [...names];
	const worker = async () => {
		while (queue.length) await trainOne(/** @type {string} */ (queue.shift()));
	};
	await Promise.all(Array.from({ length: Math.min(jobs, names.length) }, worker));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	main().catch((e) => {
		console.error(`checkpoints: ${e.message}`);
		process.exit(1);
	});
}
