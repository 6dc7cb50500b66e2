import { defineConfig } from '@playwright/test';

// Debian's chromium (never `npx playwright install`: it downloads a browser and fails offline).
export default defineConfig({
	testDir: 'tests/e2e',
	timeout: 60_000,
	retries: 0,
	workers: 1,
	reporter: [['list']],
	webServer: {
		command: 'npx vite preview --host 127.0.0.1 --port 4174 --strictPort',
		url: 'http://127.0.0.1:4174',
		reuseExistingServer: false,
		timeout: 60_000
	},
	use: {
		baseURL: 'http://127.0.0.1:4174',
		launchOptions: {
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
		}
	}
});
