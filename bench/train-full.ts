// Not part of `npm run bench` (it takes minutes): train a preset's full schedule in the browser's /train view and
// report the wall time and the final val loss. Usage: npm run build, then
//   npx tsx bench/train-full.ts [preset] [port]      (default mlp-bn; a free port, e.g. 4177)
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { chromium } from '@playwright/test';

const preset = process.argv[2] ?? 'mlp-bn';
const port = Number(process.argv[3] ?? 4177);
const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
	for (let i = 0; i < 120; i++) {
		if (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false)) break;
		await new Promise((r) => setTimeout(r, 500));
	}
	const page = await browser.newPage();
	await page.goto(`http://127.0.0.1:${port}/train`);
	await page.getByLabel('Model preset').selectOption(preset);
	const t0 = performance.now();
	await page.getByRole('button', { name: 'Start training' }).click();
	let last = '';
	while (!(await page.getByTestId('run-status').textContent())?.includes('done')) {
		await page.waitForTimeout(10_000);
		const p = (await page.locator('.progress').textContent())?.replace(/\s+/g, ' ').trim() ?? '';
		if (p !== last) console.error(p);
		last = p;
	}
	const wall = (performance.now() - t0) / 1000;
	console.log(JSON.stringify({ preset, wallSeconds: Math.round(wall), val: await page.getByTestId('val-loss').textContent(), progress: last }));
} finally {
	await browser.close();
	if (server.pid !== undefined) process.kill(-server.pid, 'SIGTERM');
}
