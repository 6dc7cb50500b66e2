// Lecture 5's WaveNet-like model (van den Oord et al. 2016, "WaveNet: A Generative Model for Raw Audio"): a tree of pair merges.
import { Embedding, FlattenConsecutive, Generator } from '../engine/index';
import { outputLayer, tanhLayer } from './mlp';
import { SequentialModel } from './model';
import type { WaveNetConfig } from './presets';

/**
 * Embedding, then log2(blockSize) stages of FlattenConsecutive(2) → Linear → BatchNorm1d → Tanh
 * (each merges neighbouring pairs: (B, 8, 24) → (B, 4, 128) → (B, 2, 128) → (B, 128)), then Linear to the vocabulary.
 * Init as in the lecture: Linear weights randn/√fan_in, the last layer's weight scaled by 0.1. The merge layers'
 * Linear has no bias (the BatchNorm after it would cancel it) unless `bias` (the seed's WaveNet), which starts at 0.
 */
export class WaveNet extends SequentialModel<WaveNetConfig> {
	constructor(config: WaveNetConfig, vocabSize: number, g: Generator) {
		super(config, vocabSize);
		const { blockSize, nEmbd, nHidden, bias = false } = config;
		const stages = Math.log2(blockSize);
		if (!Number.isInteger(stages) || stages < 1) throw new Error(`wavenet: blockSize must be a power of 2 (≥ 2), got ${blockSize}`);
		this.add(new Embedding(vocabSize, nEmbd, g)); // (B, T) → (B, T, nEmbd)
		let channels = nEmbd;
		for (let s = 0; s < stages; s++) {
			this.add(new FlattenConsecutive(2)); // (B, T, C) → (B, T/2, 2C)
			for (const layer of tanhLayer(2 * channels, nHidden, bias, g)) this.add(layer); // (B, T/2, nHidden), BatchNorm over B and T/2
			channels = nHidden;
		}
		this.add(outputLayer(nHidden, vocabSize, g)); // (B, vocab)
	}
}
