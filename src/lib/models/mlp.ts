// The makemore MLPs: lecture 2's (Bengio et al. 2003, "A Neural Probabilistic Language Model") and lecture 3's, with and without BatchNorm.
import { BatchNorm1d, Embedding, Flatten, Generator, Linear, scaleInPlace, Tanh } from '../engine/index';
import { SequentialModel } from './model';
import type { MlpConfig } from './presets';

/**
 * `mlp`: C[idx] → concat → tanh(· W1 + b1) → · W2 + b2, lecture 2's network with its init (every tensor randn).
 * `mlp-bn`: lecture 3's: W1 without bias, BatchNorm1d, tanh; W1 · (5/3)/√fan_in, W2 · 0.01, b2 = 0,
 * and the lecture's running-statistics momentum 0.001.
 * Layers: 0 Embedding, 1 Flatten, 2 Linear, [3 BatchNorm1d,] Tanh, Linear.
 */
export class MLP extends SequentialModel<MlpConfig> {
	constructor(config: MlpConfig, vocabSize: number, g: Generator) {
		super(config, vocabSize);
		const { blockSize, nEmbd, nHidden } = config;
		const bn = config.model === 'mlp-bn';
		const fanIn = nEmbd * blockSize;
		this.add(new Embedding(vocabSize, nEmbd, g)); // C: (vocab, nEmbd), randn
		this.add(new Flatten()); // (B, T, nEmbd) → (B, T·nEmbd)
		const l1 = this.add(new Linear(fanIn, nHidden, g, { bias: !bn })); // W1
		if (bn) this.add(new BatchNorm1d(nHidden, { momentum: 0.001 }));
		this.add(new Tanh());
		const l2 = this.add(new Linear(nHidden, vocabSize, g)); // W2, b2
		if (bn) {
			// lecture 3: W1 = randn · (5/3)/√fan_in, W2 = randn · 0.01, b2 = 0
			l1.weight.data.set(g.randn(l1.weight.shape).data);
			scaleInPlace(l1.weight, 5 / 3 / Math.sqrt(fanIn));
			l2.weight.data.set(g.randn(l2.weight.shape).data);
			scaleInPlace(l2.weight, 0.01);
			scaleInPlace(l2.bias!, 0);
		} else {
			// lecture 2: W1, b1, W2, b2 = randn
			for (const p of [l1.weight, l1.bias!, l2.weight, l2.bias!]) p.data.set(g.randn(p.shape).data);
		}
	}
}

/**
 * `mlp-deep`: lecture 3's closing network, 5 × (Linear(no bias) → BatchNorm1d → Tanh) then Linear → BatchNorm1d,
 * Linear weights randn/√fan_in (the lecture's own Linear), the last BatchNorm's γ scaled by 0.1.
 * Layers: 0 Embedding, 1 Flatten, then 3 per hidden layer, then the output Linear and BatchNorm1d.
 */
export class DeepMLP extends SequentialModel<MlpConfig> {
	constructor(config: MlpConfig, vocabSize: number, g: Generator) {
		super(config, vocabSize);
		const { blockSize, nEmbd, nHidden, nLayer = 5 } = config;
		this.add(new Embedding(vocabSize, nEmbd, g)); // C: (vocab, nEmbd)
		this.add(new Flatten()); // (B, T·nEmbd)
		let fanIn = nEmbd * blockSize;
		for (let i = 0; i < nLayer; i++) {
			for (const layer of tanhLayer(fanIn, nHidden, false, g)) this.add(layer); // (B, nHidden)
			fanIn = nHidden;
		}
		lectureLinear(this.add(new Linear(fanIn, vocabSize, g, { bias: false })), g);
		const last = this.add(new BatchNorm1d(vocabSize));
		scaleInPlace(last.weight, 0.1); // last layer: make it less confident
	}
}

/**
 * `mlp-deep-nobn`: lecture 3's deep net before BatchNorm, 5 × (Linear → Tanh) then Linear, each Linear with a bias.
 * The lecture's init: weights randn/√fan_in, the tanh layers' × 5/3 (tanh's gain), the output layer's × 0.1 (less
 * confident), biases 0. Layers: 0 Embedding, 1 Flatten, then 2 per hidden layer (Linear, Tanh), then the output Linear.
 */
export class DeepMLPNoBN extends SequentialModel<MlpConfig> {
	constructor(config: MlpConfig, vocabSize: number, g: Generator) {
		super(config, vocabSize);
		const { blockSize, nEmbd, nHidden, nLayer = 5 } = config;
		this.add(new Embedding(vocabSize, nEmbd, g)); // C: (vocab, nEmbd)
		this.add(new Flatten()); // (B, T·nEmbd)
		let fanIn = nEmbd * blockSize;
		for (let i = 0; i < nLayer; i++) {
			const l = lectureLinear(this.add(new Linear(fanIn, nHidden, g)), g); // (B, nHidden)
			scaleInPlace(l.weight, 5 / 3); // tanh's gain: keeps the activations' spread through depth
			this.add(new Tanh());
			fanIn = nHidden;
		}
		this.add(outputLayer(fanIn, vocabSize, g)); // (B, vocab): randn/√fan_in × 0.1, bias 0
	}
}

/**
 * `seed-mlp`: the seed project's MLP, which is lecture 5's starting network: Embedding → Flatten →
 * Linear → BatchNorm1d → Tanh → Linear, Linear weights randn/√fan_in, biases 0, the last weight scaled by 0.1,
 * BatchNorm γ = 1, β = 0 and torch's momentum 0.1. Unlike the seed, whose Linear never handed its bias to the
 * optimizer, both biases train (the first does nothing useful: the BatchNorm after it subtracts it again).
 * Layers: 0 Embedding, 1 Flatten, 2 Linear, 3 BatchNorm1d, 4 Tanh, 5 Linear.
 */
export class SeedMLP extends SequentialModel<MlpConfig> {
	constructor(config: MlpConfig, vocabSize: number, g: Generator) {
		super(config, vocabSize);
		const { blockSize, nEmbd, nHidden } = config;
		this.add(new Embedding(vocabSize, nEmbd, g)); // (B, T) → (B, T, nEmbd)
		this.add(new Flatten()); // (B, T·nEmbd)
		for (const layer of tanhLayer(nEmbd * blockSize, nHidden, true, g)) this.add(layer); // (B, nHidden)
		this.add(outputLayer(nHidden, vocabSize, g)); // (B, vocab)
	}
}

/** Lecture 5's hidden layer: Linear (randn/√fan_in, bias 0 if any) → BatchNorm1d → Tanh. */
export function tanhLayer(fanIn: number, nHidden: number, bias: boolean, g: Generator): [Linear, BatchNorm1d, Tanh] {
	return [lectureLinear(new Linear(fanIn, nHidden, g, { bias }), g), new BatchNorm1d(nHidden), new Tanh()];
}

/** Lecture 5's output layer: Linear (randn/√fan_in, bias 0) with its weight scaled by 0.1, to make it less confident at init. */
export function outputLayer(nHidden: number, vocabSize: number, g: Generator): Linear {
	const head = lectureLinear(new Linear(nHidden, vocabSize, g), g);
	scaleInPlace(head.weight, 0.1);
	return head;
}

/** The lectures' Linear init: weight = randn/√fan_in, bias = 0. */
export function lectureLinear(l: Linear, g: Generator): Linear {
	l.weight.data.set(g.randn(l.weight.shape).data);
	scaleInPlace(l.weight, 1 / Math.sqrt(l.inFeatures));
	if (l.bias) l.bias.data.fill(0);
	return l;
}
