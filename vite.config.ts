import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	server: { host: '127.0.0.1' },
	// `npm start` serves the build with vite preview, whose CORS middleware answered every origin with
	// Access-Control-Allow-Origin: * (SvelteKit's plugin gives it options without an origin, which means '*'; a plain
	// `cors: false` is overridden by them). An empty list of allowed origins: no other site may read the app or its data.
	preview: { host: '127.0.0.1', cors: { origin: [] } },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		testTimeout: 60_000
	}
});
