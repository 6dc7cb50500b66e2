// Lecture 3's bad initialisation, to compare with the fixed one: every weight randn, no gain, no shrunk output layer.
import { BatchNorm1d, Linear, type Generator } from '../engine/index';
import type { LanguageModel, Preset } from '../models/index';

/** Whether a preset has a bad initialisation to show (the names models of lectures 2–5; not the GPTs). */
export function hasBadInit(preset: Preset): boolean {
	return preset.model !== 'gpt';
}

/**
 * The architecture of the bad run: mlp-bn without its BatchNorm is lecture 2's `mlp` (Linear with bias, tanh); the
 * other models keep their layers (their BatchNorms are part of the architecture, and show how it rescues a bad init).
 */
export function badInitPreset(preset: Preset): Preset {
	return preset.model === 'mlp-bn' ? ({ ...preset, model: 'mlp' } as Preset) : preset;
}

/**
 * What the bad init does to a preset's run (measured at step 1, seed 42): mlp-bn loses its BatchNorm and its tanh layer
 * saturates (70%, first loss 22); the other models keep their BatchNorms, which hold the tanh layers out of saturation,
 * so they show the hockey stick only (wavenet 15.7, seed-mlp 18.4), and mlp-deep, whose output ends in a BatchNorm, little.
 */
export function badInitSummary(preset: Preset): string {
	const what = 'randn weights (no 1/√fan_in, no 5/3 gain), a full-size output layer';
	if (preset.model === 'mlp-bn') return `bad init: lecture 2's mlp (${what}, no BatchNorm): the first loss far above ln 27 and the tanh layer saturated`;
	if (preset.model === 'mlp') return `bad init: ${what}, as lecture 2 already has them`;
	if (preset.model === 'mlp-deep') return `bad init: ${what}; its BatchNorms (the output's too) undo most of it: lecture 3's point about BatchNorm`;
	return `bad init: ${what}; the first loss far above ln 27 (the hockey stick), while its BatchNorms keep the tanh layers out of saturation`;
}

/**
 * Redraw the weights as lecture 2 did and lecture 3 fixes: every Linear weight (and bias) randn, with no 1/√fan_in and
 * no 5/3 gain, and the output layer as large as the rest (no ×0.01 or ×0.1, a final BatchNorm's γ back to 1), so the
 * first loss is far above −ln(1/vocab) and the tanh layers saturate.
 */
export function applyBadInit(model: LanguageModel, g: Generator): void {
	for (const [, m] of model.namedModules()) {
		if (m instanceof Linear) {
			m.weight.data.set(g.randn(m.weight.shape).data);
			if (m.bias) m.bias.data.set(g.randn(m.bias.shape).data);
		} else if (m instanceof BatchNorm1d) m.weight.data.fill(1);
	}
}
