import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * The page's Content-Security-Policy, written into every built page as a <meta> tag. SvelteKit adds the hash of its
 * one inline bootstrap script, so no inline script runs unless it is that one. 'wasm-unsafe-eval': the engine
 * assembles its matmul kernels as WebAssembly at run time; workers (the session recorder, ELK's layout) are our own
 * files. Styles keep 'unsafe-inline': Svelte, d3 and KaTeX set style attributes. Nothing is loaded from elsewhere.
 */
const csp = {
	mode: 'hash',
	directives: {
		'default-src': ['self'],
		'script-src': ['self', 'wasm-unsafe-eval'],
		'worker-src': ['self'],
		'style-src': ['self', 'unsafe-inline'],
		'img-src': ['self', 'data:', 'blob:'],
		'font-src': ['self', 'data:'],
		'connect-src': ['self'],
		'object-src': ['none'],
		'base-uri': ['self'],
		'form-action': ['self']
	}
};

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ fallback: '200.html' }),
		csp
	}
};

export default config;
