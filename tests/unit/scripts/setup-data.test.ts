// The data setup script: copies with a sha256 check, refuses corrupt copies, and never fails offline.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const run = (env: Record<string, string>) =>
	execFileSync('node', ['scripts/setup-data.mjs'], { env: { ...process.env, ...env }, encoding: 'utf8' });
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('setup-data', () => {
	it('copies both files from a local folder and checks their sha256', () => {
		const out = mkdtempSync(join(tmpdir(), 'mm-data-'));
		const log = run({ MAKEMORE_DATA_OUT: out, MAKEMORE_DATA_DIR: 'static/data' });
		expect(log).toContain('names.txt: copied');
		expect(sha(join(out, 'names.txt'))).toBe('0a30b5557f192f32ab962680889aac5f6fda0f4cecf40a6d0b5694f58ea8cc4d');
		expect(sha(join(out, 'tinyshakespeare.txt'))).toBe('86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed');
	});

	it('refuses a corrupt copy and, offline, says in one line how to provide the file, exiting 0', () => {
		const src = mkdtempSync(join(tmpdir(), 'mm-src-'));
		writeFileSync(join(src, 'names.txt'), 'emma\nolivia\n');
		const out = mkdtempSync(join(tmpdir(), 'mm-data-'));
		// a mirror on a closed local port: the download fails at once, as it does with no network
		const log = run({ MAKEMORE_DATA_OUT: out, MAKEMORE_DATA_DIR: src, MAKEMORE_DATA_MIRROR: 'http://127.0.0.1:9' });
		expect(existsSync(join(out, 'names.txt'))).toBe(false);
		const line = log.split('\n').find((l) => l.startsWith('data: names.txt: MISSING'));
		expect(line).toMatch(/MAKEMORE_DATA_DIR=\/that\/folder npm run data/);
	});
});
