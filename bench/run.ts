// `npm run bench`: runs each bench module, prints one table, writes bench/results/<timestamp>.json.
// Usage: npm run bench [-- <suite>[:<part>] …]   (default: every suite; `browser:training` runs one part of a suite)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineBench } from './engine';
import { modelsBench } from './models';
import { debuggerBench } from './debugger';
import { browserBench } from './browser';
import { vsTorchBench } from './vs-torch';
import type { Bench, BenchRow } from './types';

/** Every bench module; add new ones (training steps, graph layout) here. */
const SUITES: Bench[] = [engineBench, modelsBench, debuggerBench, browserBench, vsTorchBench];

const fmt = (v: number | undefined, digits: number): string => (v === undefined ? '' : v.toFixed(digits));

function msStr(ms: number): string {
	return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4);
}

/** A plain-text table: group, case, wall ms, CPU ms, GFLOP/s, × reference, CPU ms recording, recording ratio (CPU). */
function table(rows: BenchRow[]): string {
	const head = ['group', 'case', 'ms', 'cpu ms', 'GFLOP/s', '× ref', 'cpu ms rec', 'rec ×'];
	const body = rows.map((r) => [
		`${r.suite}/${r.group}`,
		r.name + (r.note ? ` (${r.note})` : ''),
		msStr(r.ms),
		r.cpuMs === undefined ? '' : msStr(r.cpuMs),
		fmt(r.gflops, 2),
		fmt(r.vsRef, 1),
		r.cpuMsRecording === undefined ? '' : msStr(r.cpuMsRecording),
		r.cpuMsRecording === undefined || r.cpuMs === undefined ? '' : (r.cpuMsRecording / r.cpuMs).toFixed(2)
	]);
	const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
	const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	const legend = 'ms: median wall clock per call; cpu ms: median CPU time (robust to other processes); GFLOP/s, × ref and rec × from CPU time';
	return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line), '', legend].join('\n');
}

async function main(): Promise<void> {
	const wanted = process.argv.slice(2).map((w) => w.split(':') as [string, string?]);
	const suites = wanted.length ? SUITES.filter((s) => wanted.some(([name]) => name === s.name)) : SUITES;
	const partsOf = (s: Bench): string[] => wanted.filter(([name, part]) => name === s.name && part !== undefined).map(([, part]) => part!);
	const unknown = wanted.filter(([name, part]) => {
		const s = SUITES.find((x) => x.name === name);
		return !s || (part !== undefined && !s.parts?.includes(part));
	});
	if (suites.length === 0 || unknown.length) {
		const known = SUITES.map((s) => s.name + (s.parts ? ` (parts: ${s.parts.map((p) => `${s.name}:${p}`).join(', ')})` : '')).join(', ');
		console.error(`bench: no suite or part named ${unknown.map((u) => u.filter(Boolean).join(':')).join(', ')}; the suites are ${known}`);
		process.exit(1);
	}
	const started = new Date();
	const load = loadavg()[0];
	// timings are medians, but a busy machine still slows every row: say so next to the figures
	if (load > cpus().length / 2) console.log(`  note: load average ${load.toFixed(1)} on ${cpus().length} cores; other processes share the CPU, so figures are noisy`);
	const rows: BenchRow[] = [];
	for (const s of suites) {
		const t0 = performance.now();
		rows.push(...(await s.run((line) => console.log(`  [${s.name}] ${line}`), partsOf(s))));
		console.log(`  [${s.name}] done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
	}
	console.log(`\n${table(rows)}\n`);
	const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
	mkdirSync(dir, { recursive: true });
	const file = join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
	const meta = { date: started.toISOString(), node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadAverage: load };
	writeFileSync(file, `${JSON.stringify({ ...meta, rows }, null, '\t')}\n`);
	console.log(`wrote ${file}`);
}

await main();
