// Saving what the app makes: a blob as a download, an SVG document drawn into a PNG (through a canvas).

/** Offer `blob` as a download named `name`. */
export function download(blob: Blob, name: string): void {
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Rasterise an SVG document at `scale` device pixels per unit (a big graph is capped to the canvas limit). */
export async function svgToPng(svg: string, width: number, height: number, scale = 2): Promise<Blob> {
	const k = Math.min(scale, 16000 / Math.max(width, height), Math.sqrt(100e6 / (width * height)));
	const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
	try {
		const img = new Image();
		img.src = url;
		await img.decode();
		const canvas = document.createElement('canvas');
		canvas.width = Math.round(width * k);
		canvas.height = Math.round(height * k);
		const ctx = canvas.getContext('2d');
		if (!ctx) throw new Error('this browser gave no 2-D canvas to draw the PNG on');
		ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
		return await new Promise<Blob>((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error('the PNG could not be encoded (the graph may be too large)'))), 'image/png'));
	} finally {
		URL.revokeObjectURL(url);
	}
}

/** A file name from a title: `mlp-bn seed 42 backward 3` → `mlp-bn-seed-42-backward-3`. */
export function fileName(title: string, ext: string): string {
	return `${title.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'export'}.${ext}`;
}
