import { expect, test } from '@playwright/test';
import { moduleBytes, SIMD_MODULES } from '../../src/lib/engine/kernels/index';

// The engine's WebAssembly SIMD kernels run in Chromium's workers (where the debugger records and the browser trains):
// every module the kernels assemble validates and instantiates over a memory in a dedicated worker, as in Node.
test('every SIMD kernel module compiles and instantiates in a Chromium worker', async ({ page }) => {
	const modules = SIMD_MODULES.map((m) => ({ name: m.name, bytes: Array.from(moduleBytes(m.build())) }));
	expect(modules.length).toBeGreaterThanOrEqual(7);
	// a bare page of the app's origin: the app's own pages forbid blob workers (CSP worker-src 'self'), which this probe needs
	await page.route('**/kernel-probe', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>kernel probe</title>' }));
	await page.goto('/kernel-probe');
	const results = await page.evaluate(async (mods) => {
		const source = `onmessage = (e) => postMessage(e.data.map(({ name, bytes }) => {
			const b = new Uint8Array(bytes);
			if (!WebAssembly.validate(b)) return { name, ok: false };
			const mem = new WebAssembly.Memory({ initial: 16 });
			const exports = new WebAssembly.Instance(new WebAssembly.Module(b), { m: { mem } }).exports;
			return { name, ok: true, functions: Object.keys(exports).length };
		}));`;
		const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
		const reply = await new Promise<{ name: string; ok: boolean; functions?: number }[]>((done) => {
			worker.onmessage = (e) => done(e.data);
			worker.postMessage(mods);
		});
		worker.terminate();
		return reply;
	}, modules);
	for (const r of results) {
		expect(r.ok, `${r.name} validates in Chromium`).toBe(true);
		expect(r.functions, `${r.name} exports its functions`).toBeGreaterThan(0);
	}
});
