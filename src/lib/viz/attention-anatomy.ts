// The anatomy of one head, stage by stage (q, k, v → scores → scaled → masked → softmax → weights·v), as labelled
// matrices with their colour scales; and how sharp its softmax is under each scaling.
import { scaleFactor, sharpness, shownWeights, type HeadMaps, type ScaleChoice } from './attention';
import type { AttentionPhase } from './attention-view';
import { symmetricLimit } from './colour';

/** One matrix of the anatomy. */
export interface Stage {
	id: string;
	title: string;
	/** How it is computed, in the lecture's notation. */
	formula: string;
	values: Float32Array;
	rows: number;
	cols: number;
	/** Rows and columns are positions of the text (`text`), or columns are channels of the head (`channel`). */
	colAxis: 'text' | 'channel';
	kind: 'unit' | 'diverging';
	limit: number;
	causal: boolean;
}

/** How a scaling is written. */
export const SCALE_LABEL: Record<ScaleChoice, string> = { headSize: '1/√head_size', nEmbd: '1/√n_embd', none: 'none (×1)' };

const masked = (scaled: Float32Array, T: number): Float32Array => scaled.map((v, i) => (i % T > Math.floor(i / T) ? -Infinity : v));

/**
 * The stages of head `h` on a text of T characters. Forward: under `scale` (a what-if when it is not the model's own,
 * from the same q and k). Backward adds ∂L/∂weights and ∂L/∂(scaled scores).
 */
export function anatomyStages(h: HeadMaps, T: number, headSize: number, nEmbd: number, scale: ScaleChoice, phase: AttentionPhase): Stage[] {
	const hs = headSize;
	const w = shownWeights(h, scale);
	const f = w.whatIf ? scaleFactor(scale, headSize, nEmbd) : h.scale;
	const matrix = (id: string, title: string, formula: string, values: Float32Array, colAxis: Stage['colAxis'], kind: Stage['kind'], causal: boolean): Stage => ({
		id, title, formula, values, rows: T, cols: colAxis === 'text' ? T : hs, colAxis, kind, limit: symmetricLimit(values), causal
	});
	const stages = [
		matrix('q', 'q: what each position looks for', 'q = x · W_qᵀ', h.q, 'channel', 'diverging', false),
		matrix('k', 'k: what each position offers', 'k = x · W_kᵀ', h.k, 'channel', 'diverging', false),
		matrix('v', 'v: what each position passes on', 'v = x · W_vᵀ', h.v, 'channel', 'diverging', false),
		matrix('scores', 'scores', 'q · kᵀ', h.scores, 'text', 'diverging', false),
		matrix('scaled', `scaled by ${f.toPrecision(3)}`, `q · kᵀ × ${w.whatIf ? SCALE_LABEL[scale] : 'the model’s factor'}`, w.scaled, 'text', 'diverging', false),
		matrix('masked', 'masked', 'future → −∞', w.whatIf ? masked(w.scaled, T) : h.masked, 'text', 'diverging', true),
		matrix('weights', w.whatIf ? 'softmax (what-if)' : 'softmax: the weights', 'softmax over each row', w.weights, 'text', 'unit', true),
		// the output is the model's own: a what-if changes only the weights shown above it
		matrix('out', 'out', w.whatIf ? 'the model’s weights · v' : 'weights · v', h.out, 'channel', 'diverging', false)
	];
	if (phase === 'backward' && h.gradWeights && h.gradScores) {
		stages.push(matrix('gradWeights', '∂L/∂weights', 'from weights · v: ∂L/∂out · vᵀ', h.gradWeights, 'text', 'diverging', true));
		stages.push(matrix('gradScores', '∂L/∂scores (scaled)', 'softmax backward: w ⊙ (g − Σ w g)', h.gradScores, 'text', 'diverging', true));
	}
	return stages;
}

/** Sharpness of the head's softmax under each scaling: the mean largest weight of a row and the mean entropy (bits). */
export function scaleSharpness(h: HeadMaps, T: number): { choice: ScaleChoice; meanMax: number; meanEntropy: number; own: boolean }[] {
	return (['headSize', 'nEmbd', 'none'] as const).map((choice) => {
		const w = shownWeights(h, choice);
		return { choice, ...sharpness(w.weights, T), own: !w.whatIf };
	});
}
