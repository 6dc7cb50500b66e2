// Puts the two datasets into static/data/: from MAKEMORE_DATA_DIR or ../shared/data when present,
// otherwise downloaded from their public sources; the sha256 is always checked. Never fails `npm install`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// MAKEMORE_DATA_OUT: where to put the files (default static/data). MAKEMORE_DATA_DIR: a folder that holds them.
// MAKEMORE_DATA_MIRROR: a base URL to download <file> from instead of the public sources.
const outDir = resolve(process.env.MAKEMORE_DATA_OUT ?? join(root, 'static', 'data'));

/** The datasets, their public sources and the sha256 in ../shared/data/SHA256SUMS. */
export const DATASETS = [
	{
		file: 'names.txt',
		url: 'https://raw.githubusercontent.com/karpathy/makemore/master/names.txt',
		sha256: '0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d'
	},
	{
		file: 'tinyshakespeare.txt',
		url: 'https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt',
		sha256: '86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed'
	}
];

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** The folder given in MAKEMORE_DATA_DIR, else ../shared/data when it exists. */
function localDirs() {
	if (process.env.MAKEMORE_DATA_DIR) return [resolve(process.env.MAKEMORE_DATA_DIR)];
	return [resolve(root, '..', 'shared', 'data')];
}

async function download(url) {
	const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
	if (!res.ok) throw new Error(`HTTP ${res.status}`);
	return Buffer.from(await res.arrayBuffer());
}

async function provide({ file, url, sha256: want }) {
	const target = join(outDir, file);
	if (existsSync(target) && sha256(readFileSync(target)) === want) return `${file}: present`;
	for (const dir of localDirs()) {
		const src = join(dir, file);
		if (!existsSync(src)) continue;
		const buf = readFileSync(src);
		if (sha256(buf) !== want) {
			console.warn(`data: ${src} has the wrong sha256, skipping it`);
			continue;
		}
		writeFileSync(target, buf);
		return `${file}: copied from ${dir}`;
	}
	const from = process.env.MAKEMORE_DATA_MIRROR ? `${process.env.MAKEMORE_DATA_MIRROR.replace(/\/$/, '')}/${file}` : url;
	try {
		const buf = await download(from);
		if (sha256(buf) !== want) return `${file}: MISSING (the download from ${from} had the wrong sha256)`;
		writeFileSync(target, buf);
		return `${file}: downloaded`;
	} catch (err) {
		return (
			`${file}: MISSING (no local copy and the download from ${from} failed: ${err.cause?.code ?? err.message}). ` +
			`Download it from ${url}, put it in a folder and run: MAKEMORE_DATA_DIR=/that/folder npm run data`
		);
	}
}

mkdirSync(outDir, { recursive: true });
for (const d of DATASETS) console.log(`data: ${await provide(d)}`);
