// Our training step against PyTorch's, as the speed targets are stated: `makemore bench --json` beside
// bench/torch_steps.py (one thread), interleaved model by model over three rounds, the minimum of each side.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import type { Bench, BenchRow } from './types';
import { hasTorch, PYTHON } from '../tests/unit/torch';

const MODELS = ['mlp-bn', 'wavenet', 'gpt-small'] as const;
/** The targets of issue 13: our ms per step over PyTorch's, at most. */
const TARGET: Record<(typeof MODELS)[number], number> = { 'mlp-bn': 1.0, wavenet: 1.2, 'gpt-small': 1.5 };
const ROUNDS = 3;

function ours(model: string): number {
	const out = execFileSync('node', ['--import', 'tsx', 'src/cli/makemore.ts', 'bench', '--json', '--models', model, '--seconds', '3'], { encoding: 'utf8' });
	return (JSON.parse(out.trim().split('\n').pop()!) as { msPerStep: number }).msPerStep;
}

function torch(model: string): number {
	const out = execFileSync(PYTHON, ['bench/torch_steps.py', model], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	return (JSON.parse(out.trim().split('\n').pop()!) as { msPerStep: number }).msPerStep;
}

export const vsTorchBench: Bench = {
	name: 'vs-torch',
	run(log) {
		if (!hasTorch()) {
			log(`${PYTHON} cannot import torch: skipping (apt-get install python3-torch libopenblas0-openmp)`);
			return [];
		}
		const best = new Map<string, { ours: number; torch: number }>();
		const loads: number[] = [];
		for (let r = 0; r < ROUNDS; r++) {
			for (const m of MODELS) {
				loads.push(loadavg()[0]);
				const [a, b] = [ours(m), torch(m)];
				const prev = best.get(m) ?? { ours: Infinity, torch: Infinity };
				best.set(m, { ours: Math.min(prev.ours, a), torch: Math.min(prev.torch, b) });
				log(`round ${r + 1} ${m}: ours ${a.toFixed(3)} ms, PyTorch ${b.toFixed(3)} ms (load ${loads[loads.length - 1].toFixed(2)})`);
			}
		}
		const load = `load ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`;
		return MODELS.map((m): BenchRow => {
			const { ours: o, torch: t } = best.get(m)!;
			const ratio = o / t;
			const verdict = ratio <= TARGET[m] ? 'met' : 'NOT met';
			log(`${m}: ${o.toFixed(3)} / ${t.toFixed(3)} ms = ${ratio.toFixed(2)}× (target ≤ ${TARGET[m]}×: ${verdict})`);
			return { suite: 'vs-torch', group: 'train step, min of 3', name: m, ms: o, msMin: o, refMs: t, vsRef: t / o, note: `${ratio.toFixed(2)}× PyTorch, target ≤ ${TARGET[m]}× ${verdict}; ${load}` };
		});
	}
};
