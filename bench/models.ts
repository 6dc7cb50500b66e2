// Training-step time of each makemore preset, recording off and on, against PyTorch's time for the same step.
import { execFileSync } from 'node:child_process';
import { Generator, record, recycle } from '../src/lib/engine/index';
import { createModel, getPreset } from '../src/lib/models/index';
import { makeOptimizer, trainStep } from '../src/lib/train/trainer';
import { randomBatch } from '../src/cli/bench';
import { time } from './timing';
import type { Bench, BenchRow } from './types';
import { hasTorch, PYTHON } from '../tests/unit/torch';

const MODELS = ['mlp', 'mlp-bn', 'wavenet', 'gpt-small'] as const;

/** PyTorch's CPU ms per step for each model (bench/torch_steps.py, one thread), or an empty map without torch. */
function torchTimes(log: (line: string) => void): Map<string, number> {
	const out = new Map<string, number>();
	if (!hasTorch()) {
		log(`${PYTHON} cannot import torch: skipping the PyTorch reference (apt-get install python3-torch libopenblas0-openmp)`);
		return out;
	}
	try {
		const text = execFileSync(PYTHON, ['bench/torch_steps.py', ...MODELS], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		for (const line of text.trim().split('\n')) {
			const { model, cpuMsPerStep } = JSON.parse(line) as { model: string; cpuMsPerStep: number };
			out.set(model, cpuMsPerStep);
		}
	} catch (err) {
		log(`PyTorch reference unavailable (${(err as Error).message.split('\n')[0]}): apt-get install python3-torch libopenblas0-openmp`);
	}
	return out;
}

function stepRow(name: (typeof MODELS)[number], torch: Map<string, number>, log: (line: string) => void): BenchRow {
	const p = getPreset(name);
	const vocab = p.format === 'names' ? 27 : 65;
	const g = new Generator(1);
	const model = createModel(name, vocab, g);
	const optimizer = makeOptimizer(model, p);
	const batch = randomBatch(p.format, p.batchSize, p.blockSize, vocab, g);
	const step = () => trainStep(model, optimizer, batch);
	const slow = name === 'gpt-small';
	const opts = slow ? { warmupMs: 500, batchMs: 300, repeats: 5 } : { warmupMs: 300, batchMs: 60, repeats: 7 };
	// recording as the training worker's probes and the attention explorer do it: each trace read, then its memory given
	// back for the next (the debugger's worker prepares memory while it waits instead); plain and recorded alternate over
	// three rounds and each side keeps its fastest, since this VM has slow phases that would otherwise fall on one side
	const rounds = [0, 1, 2].map(() => ({ off: time(step, opts), on: time(() => recycle(record(step).trace), opts) }));
	const fastest = (side: 'off' | 'on') => rounds.map((r) => r[side]).reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
	const [off, on] = [fastest('off'), fastest('on')];
	// NOTE: last, into fresh memory each time: those traces leave garbage whose collection would land in the other batches
	const fresh = time(() => record(step), opts);
	const ref = torch.get(name);
	const ratios = `recording ${(on.cpuMs / off.cpuMs).toFixed(2)}× a plain step (memory reused), ${(fresh.cpuMs / off.cpuMs).toFixed(2)}× into fresh memory`;
	log(`${name}: ${off.cpuMs.toFixed(2)} ms/step, recording ${on.cpuMs.toFixed(2)} (fresh memory ${fresh.cpuMs.toFixed(2)}): ${ratios}${ref ? `, PyTorch ${ref.toFixed(2)}` : ''}`);
	return {
		suite: 'models',
		group: 'train step',
		name: `${name} (batch ${p.batchSize}, block ${p.blockSize})`,
		ms: off.ms,
		msMin: off.minMs,
		cpuMs: off.cpuMs,
		msRecording: on.ms,
		cpuMsRecording: on.cpuMs,
		note: `${ratios} (budget 1.5×)${ref ? `; PyTorch ${ref.toFixed(2)} cpu ms, ours takes ${(off.cpuMs / ref).toFixed(1)}×` : ''}`,
		...(ref ? { refMs: ref, vsRef: ref / off.cpuMs } : {})
	};
}

export const modelsBench: Bench = {
	name: 'models',
	run(log) {
		const torch = torchTimes(log);
		return MODELS.map((m) => stepRow(m, torch, log));
	}
};
