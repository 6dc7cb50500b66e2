// Whether ops build the autograd graph (PyTorch's grad mode).

let enabled = true;

export function isGradEnabled(): boolean {
	return enabled;
}

/** Run `fn` without building the graph: results never require grad (like `with torch.no_grad()`). */
export function noGrad<T>(fn: () => T): T {
	const prev = enabled;
	enabled = false;
	try {
		return fn();
	} finally {
		enabled = prev;
	}
}
