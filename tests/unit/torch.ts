// Whether the PyTorch the fixture scripts use is here: /usr/bin/python3 that can import torch (not only python3).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The Python the fixture scripts run with (Debian's, where python3-torch installs torch). */
export const PYTHON = '/usr/bin/python3';

let cached: boolean | undefined;

/** True when PYTHON runs and `import torch` succeeds in it (checked once). */
export function hasTorch(): boolean {
	if (cached === undefined) {
		cached = false;
		if (existsSync(PYTHON)) {
			try {
				execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
				cached = true;
			} catch {
				// no torch (or a broken one): the tests that need it are skipped
			}
		}
	}
	return cached;
}
