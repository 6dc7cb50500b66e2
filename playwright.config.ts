import { defineConfig } from '@playwright/test';

// E2E_PORT lets several checkouts run their browser tests at once.
const port = Number(process.env.E2E_PORT ?? 4174);

// Debian's chromium (never `npx playwright install`: it downloads a browser and fails offline).
export default defineConfig({
	testDir: 'tests/e2e',
	timeout: 60_000,
	retries: 0,
	// recording a step takes ~0.2 s idle but several seconds on a loaded 2-core machine: waits for the page allow 15 s
	expect: { timeout: 15_000 },
	workers: 1,
	reporter: [['list']],
	webServer: {
		command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
		url: `http://127.0.0.1:${port}`,
		reuseExistingServer: false,
		timeout: 60_000
	},
	use: {
		baseURL: `http://127.0.0.1:${port}`,
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
		}
	}
});
