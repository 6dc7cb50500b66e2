// Our training step against PyTorch's, as issue 13 states the targets: `makemore bench --json` beside
// bench/torch_steps.py (one thread), interleaved model by model over five rounds, the minimum of each side.
// Both wall-clock and CPU ms are compared: on a quiet machine they agree; on a loaded one the wall clock also counts
// the time each side waited for a core, and the CPU ratio is the one to trust.
// NOTE: this VM also has slow phases lasting minutes that slow both sides alike (PyTorch's wavenet step measured 1.08
// and 1.8 ms within half an hour, idle): a minimum of 3 can pair one side's fast phase with the other's slow one. So
// each round also measures the two sides back to back and the median of those paired ratios is printed beside.
// NOTE: "one thread" holds for our side only under `node --single-threaded`: plain node runs V8's garbage collector
// and its compilers on helper threads, which take a second core when there is one (the process's CPU time then
// exceeds its wall time). The one-thread run is the one the targets are judged on; the plain run is shown beside it.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import type { Bench, BenchRow } from './types';
import { hasTorch, PYTHON } from '../tests/unit/torch';

const MODELS = ['mlp-bn', 'wavenet', 'gpt-small'] as const;
/** The targets of issue 13: our ms per step over PyTorch's, at most. */
const TARGET: Record<(typeof MODELS)[number], number> = { 'mlp-bn': 1.0, wavenet: 1.2, 'gpt-small': 1.5 };
const ROUNDS = 5;
/** Seconds each side times a model for, in each round. */
const SECONDS = 1;

interface Step {
	msPerStep: number;
	cpuMsPerStep: number;
}

const lastJson = (out: string): Step => JSON.parse(out.trim().split('\n').pop()!) as Step;

/** Node's flags for our side: one thread (GC and compilers on the main thread), or plain node. */
const NODE_FLAGS = { one: ['--single-threaded'], plain: [] as string[] };

function ours(model: string, threads: keyof typeof NODE_FLAGS): Step {
	const args = [...NODE_FLAGS[threads], 'scripts/makemore.mjs', 'bench', '--json', '--models', model, '--seconds', String(SECONDS)];
	return lastJson(execFileSync('node', args, { encoding: 'utf8' }));
}

function torch(model: string): Step {
	return lastJson(execFileSync(PYTHON, ['bench/torch_steps.py', model, '--seconds', String(SECONDS)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

const min = (a: Step, b: Step): Step => ({ msPerStep: Math.min(a.msPerStep, b.msPerStep), cpuMsPerStep: Math.min(a.cpuMsPerStep, b.cpuMsPerStep) });
const verdict = (ratio: number, target: number) => `${ratio.toFixed(2)}× (${ratio <= target ? 'met' : 'NOT met'})`;

export const vsTorchBench: Bench = {
	name: 'vs-torch',
	run(log) {
		if (!hasTorch()) {
			log(`${PYTHON} cannot import torch: skipping (apt-get install python3-torch libopenblas0-openmp)`);
			return [];
		}
		const none: Step = { msPerStep: Infinity, cpuMsPerStep: Infinity };
		const best = new Map<string, { one: Step; plain: Step; torch: Step }>();
		const paired = new Map<string, number[]>();
		const loads: number[] = [];
		const fmt = (x: Step) => `${x.msPerStep.toFixed(3)} ms (CPU ${x.cpuMsPerStep.toFixed(3)})`;
		for (let r = 0; r < ROUNDS; r++) {
			for (const m of MODELS) {
				loads.push(loadavg()[0]);
				// our one-thread run and PyTorch's back to back (the pair the paired ratio compares), then plain node
				const one = ours(m, 'one');
				const t = torch(m);
				const plain = ours(m, 'plain');
				paired.set(m, [...(paired.get(m) ?? []), one.msPerStep / t.msPerStep]);
				const prev = best.get(m) ?? { one: none, plain: none, torch: none };
				best.set(m, { one: min(prev.one, one), plain: min(prev.plain, plain), torch: min(prev.torch, t) });
				log(`round ${r + 1} ${m}: ours one thread ${fmt(one)}, plain node ${fmt(plain)}, PyTorch ${fmt(t)} (load ${loads[loads.length - 1].toFixed(2)})`);
			}
		}
		const load = `load ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} on ${cpus().length} cores`;
		log(`issue 13's ratios, ours / PyTorch (one thread: node --single-threaded), min of ${ROUNDS} interleaved rounds, ${load}:`);
		return MODELS.map((m): BenchRow => {
			const { one: o, plain: p, torch: t } = best.get(m)!;
			const target = TARGET[m];
			const [wall, cpu] = [o.msPerStep / t.msPerStep, o.cpuMsPerStep / t.cpuMsPerStep];
			const [plainWall, plainCpu] = [p.msPerStep / t.msPerStep, p.cpuMsPerStep / t.cpuMsPerStep];
			const plain = `plain node (GC on helper threads) wall ${plainWall.toFixed(2)}×, CPU ${plainCpu.toFixed(2)}×`;
			const pairs = [...paired.get(m)!].sort((a, b) => a - b);
			const pairedText = `paired rounds (wall, one thread): median ${verdict(pairs[Math.floor(pairs.length / 2)], target)}, each ${pairs.map((x) => x.toFixed(2)).join(', ')}`;
			const note = `target ≤ ${target}×, one thread: wall ${verdict(wall, target)}, CPU ${verdict(cpu, target)}; ${pairedText}; ${plain}; PyTorch ${t.msPerStep.toFixed(3)} ms (CPU ${t.cpuMsPerStep.toFixed(3)}); ${load}`;
			log(`  ${m.padEnd(9)} one thread: wall ${o.msPerStep.toFixed(3)} / ${t.msPerStep.toFixed(3)} ms = ${verdict(wall, target)}   CPU ${o.cpuMsPerStep.toFixed(3)} / ${t.cpuMsPerStep.toFixed(3)} ms = ${verdict(cpu, target)}   (target ≤ ${target}×)`);
			log(`  ${''.padEnd(9)} ${pairedText}`);
			log(`  ${''.padEnd(9)} plain node: wall ${p.msPerStep.toFixed(3)} ms = ${plainWall.toFixed(2)}×   CPU ${p.cpuMsPerStep.toFixed(3)} ms = ${plainCpu.toFixed(2)}×`);
			return { suite: 'vs-torch', group: `train step, one thread, min of ${ROUNDS}`, name: m, ms: o.msPerStep, msMin: o.msPerStep, cpuMs: o.cpuMsPerStep, refMs: t.cpuMsPerStep, vsRef: t.cpuMsPerStep / o.cpuMsPerStep, note };
		});
	}
};
