// Lecture 3's bad initialisation, to compare with the fixed one: every weight randn, no gain, no shrunk output layer.
import { BatchNorm1d, Linear, type Generator } from '../engine/index';
import type { LanguageModel, Preset } from '../models/index';

/** Whether a preset has a bad initialisation to show (the names models of lectures 2–5; not the GPTs). */
export function hasBadInit(preset: Preset): boolean {
	return preset.model !== 'gpt';
}

/** The BatchNorm models' bad-run architectures, without their BatchNorms: a preset name and its model of the same name. */
const WITHOUT_BATCHNORM: Partial<Record<string, 'mlp' | 'mlp-deep-nobn'>> = { 'mlp-bn': 'mlp', 'mlp-deep': 'mlp-deep-nobn' };

/** The preset whose architecture the bad run of `name` trains (and its checkpoint is saved under): `name` itself, or the model without BatchNorm. */
export function badInitPresetName(name: string, model: string): string {
	return WITHOUT_BATCHNORM[model] ?? name;
}

/**
 * The architecture of the bad run: lecture 3's networks lose their BatchNorms (mlp-bn becomes lecture 2's `mlp`,
 * mlp-deep `mlp-deep-nobn`, Linear with bias → Tanh); the seed's models and wavenet keep their layers (their
 * BatchNorms are part of the architecture, and show how it rescues a bad init).
 */
export function badInitPreset(preset: Preset): Preset {
	const model = WITHOUT_BATCHNORM[preset.model];
	return model ? ({ ...preset, model } as Preset) : preset;
}

/**
 * What the bad init does to a preset's run (measured at step 1, seed 42): mlp-bn loses its BatchNorm and its tanh layer
 * saturates (70%, first loss 22); mlp-deep loses its BatchNorms (mlp-deep-nobn) and its five tanh layers saturate
 * (71–82% against 3–4% with BatchNorm and 5–23% for mlp-deep-nobn's own 5/3-gain init; first loss 19.1 against 3.30);
 * the other models keep their BatchNorms, which hold the tanh layers out of saturation, so they show the hockey stick
 * only (wavenet 15.7, seed-mlp 18.4).
 */
export function badInitSummary(preset: Preset): string {
	const what = 'randn weights (no 1/√fan_in, no 5/3 gain), a full-size output layer';
	if (preset.model === 'mlp-bn') return `bad init: lecture 2's mlp (${what}, no BatchNorm): the first loss far above ln 27 and the tanh layer saturated`;
	if (preset.model === 'mlp') return `bad init: ${what}, as lecture 2 already has them`;
	const layers = 'nLayer' in preset && preset.nLayer !== undefined && preset.nLayer !== 1 ? `all ${preset.nLayer} tanh layers` : 'the tanh layer';
	const deep = `the first loss far above ln 27 (19.1 at seed 42) and ${layers} saturated (71–82% of |t| > 0.97 at seed 42)`;
	if (preset.model === 'mlp-deep') return `bad init: mlp-deep-nobn (${what}, no BatchNorm): ${deep}`;
	if (preset.model === 'mlp-deep-nobn') return `bad init: ${what}: ${deep}, where the 5/3 gain keeps them at 5–23%`;
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
