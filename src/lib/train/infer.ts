// A plain PyTorch state dict (a .safetensors file without our __metadata__): which of our models its tensor names and
// shapes describe, at what sizes. The vocabulary is not in such a file: it comes from the data (see plain.ts).
import type { ModelKind } from '../models/index';

/** The sizes and kind an inferred model is built with (the preset's other fields fill the rest). */
export interface InferredArchitecture {
	model: ModelKind;
	/** The preset whose training schedule a fine-tuning run takes (`train --resume`). */
	preset: 'mlp' | 'mlp-bn' | 'mlp-deep' | 'mlp-deep-nobn' | 'seed-mlp' | 'wavenet' | 'seed-wavenet' | 'gpt-small' | 'nanogpt';
	/** The embedding's rows: the vocabulary size the data must give. */
	vocabRows: number;
	blockSize: number;
	nEmbd: number;
	nHidden?: number;
	nHead?: number;
	nLayer?: number;
	bias?: boolean;
	/** How it was recognised, for the learner: "lecture 5's WaveNet (torch.nn.Sequential, 3 FlattenConsecutive(2) stages)". */
	layout: string;
	/** Buffers the model keeps that the file may leave out (constant masks, BatchNorm's step counter). */
	optional: RegExp;
	dropout?: number;
	/** A weight saved under two names (nanoGPT's lm_head.weight is transformer.wte.weight): [the alias, the model's name]. */
	tied?: [string, string];
}

type Shapes = ReadonlyMap<string, readonly number[]>;

const dims = (s: readonly number[] | undefined): string => (s ? `(${s.join(', ')})` : 'absent');

/** Refuse with what was found and what was expected. */
function refuse(found: string, expected: string): never {
	throw new Error(`${found}; ${expected}`);
}

/** One entry of a torch.nn.Sequential state dict: a layer with tensors at index `i`. */
interface SeqLayer {
	i: number;
	kind: 'E' | 'L' | 'l' | 'B';
	weight: readonly number[];
}

const SEQ_NAME = /^(\d+)\.(weight|bias|running_mean|running_var|num_batches_tracked)$/;

/** The Sequential's layers with tensors, in index order: an Embedding, Linear with (L) or without (l) bias, BatchNorm1d (B). */
function seqLayers(shapes: Shapes): SeqLayer[] {
	const byIndex = new Map<number, Set<string>>();
	for (const name of shapes.keys()) {
		const m = SEQ_NAME.exec(name)!;
		const i = Number(m[1]);
		if (!byIndex.has(i)) byIndex.set(i, new Set());
		byIndex.get(i)!.add(m[2]);
	}
	return [...byIndex.keys()].sort((a, b) => a - b).map((i) => {
		const fields = byIndex.get(i)!;
		const weight = shapes.get(`${i}.weight`);
		if (!weight) refuse(`layer ${i} has ${[...fields].join(', ')} but no weight`, 'every layer with tensors has a weight');
		if (fields.has('running_mean') || fields.has('running_var')) {
			if (!fields.has('running_mean') || !fields.has('running_var') || !fields.has('bias') || weight.length !== 1) {
				refuse(`layer ${i} has ${[...fields].sort().join(', ')} (weight ${dims(weight)})`, 'a BatchNorm1d has a 1-D weight, bias, running_mean and running_var');
			}
			return { i, kind: 'B', weight };
		}
		if (weight.length !== 2) refuse(`layer ${i}'s weight is ${dims(weight)}`, 'an Embedding or Linear weight is 2-D (a BatchNorm1d has running statistics)');
		if (i === 0) {
			if (fields.has('bias')) refuse('layer 0 has a bias', 'layer 0 of a makemore model is the Embedding, which has none');
			return { i, kind: 'E', weight };
		}
		return { i, kind: fields.has('bias') ? 'L' : 'l', weight };
	});
}

/** The layers as a string, each index without tensors (Flatten, FlattenConsecutive, Tanh) as '_': "E_lB__lB__lB_L". */
function signature(layers: SeqLayer[]): string {
	let s = '';
	let next = 0;
	for (const l of layers) {
		s += '_'.repeat(l.i - next) + l.kind;
		next = l.i + 1;
	}
	return s;
}

/** The README's Sequential layouts, most specific first (a one-stage WaveNet is the MLP it equals). */
const LAYOUTS: { re: RegExp; preset: InferredArchitecture['preset']; model: ModelKind; text: string }[] = [
	{ re: /^E_L_L$/, preset: 'mlp', model: 'mlp', text: "lecture 2's MLP: Embedding, Flatten, Linear, Tanh, Linear" },
	{ re: /^E_lB_L$/, preset: 'mlp-bn', model: 'mlp-bn', text: "lecture 3's MLP: Embedding, Flatten, Linear (no bias), BatchNorm1d, Tanh, Linear" },
	{ re: /^E_LB_L$/, preset: 'seed-mlp', model: 'seed-mlp', text: "lecture 5's MLP: Embedding, Flatten, Linear, BatchNorm1d, Tanh, Linear" },
	{ re: /^E_(lB_)+lB$/, preset: 'mlp-deep', model: 'mlp-deep', text: "lecture 3's deep MLP: Embedding, Flatten, n × [Linear (no bias), BatchNorm1d, Tanh], Linear (no bias), BatchNorm1d" },
	{ re: /^E_L_(L_)+L$/, preset: 'mlp-deep-nobn', model: 'mlp-deep-nobn', text: "lecture 3's deep MLP before BatchNorm: Embedding, Flatten, n × [Linear, Tanh], Linear" },
	{ re: /^E_(lB__)+lB_L$/, preset: 'wavenet', model: 'wavenet', text: "lecture 5's WaveNet: Embedding, n × [FlattenConsecutive(2), Linear (no bias), BatchNorm1d, Tanh], Linear" },
	{ re: /^E_(LB__)+LB_L$/, preset: 'seed-wavenet', model: 'wavenet', text: "lecture 5's WaveNet with biases: Embedding, n × [FlattenConsecutive(2), Linear, BatchNorm1d, Tanh], Linear" }
];

const LAYOUT_HELP =
	'the makemore layouts are (README, Checkpoints) Embedding at 0, then Linear/BatchNorm1d layers at their torch.nn.Sequential indices, ' +
	'Flatten, FlattenConsecutive and Tanh counting as indices without tensors';

/** A makemore torch.nn.Sequential: its layout from the indices, its sizes from the shapes (every one checked). */
function inferSequential(shapes: Shapes): InferredArchitecture {
	const layers = seqLayers(shapes);
	const sig = signature(layers);
	const layout = LAYOUTS.find((l) => l.re.test(sig));
	const shown = layers.map((l) => `${l.i}: ${{ E: 'Embedding', L: 'Linear', l: 'Linear (no bias)', B: 'BatchNorm1d' }[l.kind]} ${dims(l.weight)}`).join(', ');
	if (!layout) refuse(`the layers with tensors are ${shown}`, `that is none of the makemore layouts: ${LAYOUT_HELP}`);
	const [V, E] = layers[0].weight;
	const linears = layers.filter((l) => l.kind !== 'E' && l.kind !== 'B');
	const hidden = linears.slice(0, -1); // the last Linear is the output layer
	const H = hidden[0].weight[0];
	const isWave = layout.model === 'wavenet';
	const firstIn = hidden[0].weight[1];
	const T = isWave ? 2 ** hidden.length : firstIn / E;
	if (!Number.isInteger(T) || T < 1) refuse(`the first Linear takes ${firstIn} inputs`, `after an Embedding of width ${E} it takes blockSize × ${E}`);
	hidden.forEach((l, k) => {
		const fanIn = k === 0 ? (isWave ? 2 * E : T * E) : isWave ? 2 * H : H;
		if (l.weight[0] !== H || l.weight[1] !== fanIn) refuse(`layer ${l.i} is Linear ${dims(l.weight)} (out, in)`, `this ${layout.preset} needs (${H}, ${fanIn}): one hidden width, each layer taking the previous one's output`);
	});
	for (const b of layers.filter((l) => l.kind === 'B')) {
		const want = b === layers[layers.length - 1] && layout.model === 'mlp-deep' ? V : H;
		if (b.weight[0] !== want) refuse(`layer ${b.i} is BatchNorm1d(${b.weight[0]})`, `it normalises the ${want} outputs of the Linear before it`);
	}
	const out = linears[linears.length - 1];
	if (out.weight[0] !== V || out.weight[1] !== H) refuse(`the output layer ${out.i} is Linear ${dims(out.weight)}`, `it maps the hidden width ${H} to the embedding's ${V} rows: (${V}, ${H})`);
	const deep = layout.model === 'mlp-deep' || layout.model === 'mlp-deep-nobn';
	const stages = isWave ? `, ${hidden.length} FlattenConsecutive(2) stages` : deep ? `, ${hidden.length} hidden layers` : '';
	const sizes = `blockSize ${T}, nEmbd ${E}, nHidden ${H}`;
	return {
		model: layout.model, preset: layout.preset, vocabRows: V, blockSize: T, nEmbd: E, nHidden: H,
		...(deep ? { nLayer: hidden.length } : {}),
		...(isWave ? { bias: layout.preset === 'seed-wavenet' } : {}),
		layout: `${layout.text} (torch.nn.Sequential${stages}; ${sizes})`,
		optional: /\.num_batches_tracked$/
	};
}

/** The count of `prefix{i}.` indices among the names (0 … n−1 must all be there). */
function countIndexed(names: string[], prefix: string): number {
	const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}(\\d+)\\.`);
	const seen = new Set(names.map((n) => re.exec(n)?.[1]).filter((x) => x !== undefined).map(Number));
	const n = seen.size;
	for (let i = 0; i < n; i++) if (!seen.has(i)) refuse(`${prefix}{i} has indices ${[...seen].sort((a, b) => a - b).join(', ')}`, 'they must run 0, 1, 2, … without gaps');
	return n;
}

/** gpt.py's names: token and position tables, blocks of heads, ln_f, lm_head (the load then checks every name and shape). */
function inferGptPy(shapes: Shapes): InferredArchitecture {
	const names = [...shapes.keys()];
	const tok = shapes.get('token_embedding_table.weight')!;
	const pos = shapes.get('position_embedding_table.weight');
	if (tok.length !== 2 || !pos || pos.length !== 2 || pos[1] !== tok[1]) {
		refuse(`token_embedding_table.weight is ${dims(tok)} and position_embedding_table.weight ${dims(pos)}`, 'gpt.py has (vocab, nEmbd) and (blockSize, nEmbd)');
	}
	const nLayer = countIndexed(names, 'blocks.');
	if (nLayer === 0) refuse('there are no blocks.{i} tensors', "gpt.py's model has at least one Block");
	const nHead = countIndexed(names, 'blocks.0.sa.heads.');
	const key = shapes.get('blocks.0.sa.heads.0.key.weight');
	const E = tok[1];
	if (nHead === 0 || !key || key[0] * nHead !== E) {
		refuse(`block 0 has ${nHead} heads with key weights ${dims(key)}`, `gpt.py splits nEmbd ${E} into nHead heads of nEmbd / nHead channels each`);
	}
	return {
		model: 'gpt', preset: 'gpt-small', vocabRows: tok[0], blockSize: pos[0], nEmbd: E, nHead, nLayer, dropout: 0,
		layout: `the GPT lecture's gpt.py (${nLayer} layers of ${nHead} heads, nEmbd ${E}, block ${pos[0]})`,
		optional: /\.tril$/
	};
}

/** nanoGPT's head size in all its configs (GPT-2's 768/12 … 1600/25, shakespeare_char's 384/6). */
const NANOGPT_HEAD_SIZE = 64;

/**
 * nanoGPT's names (`transformer.wte`, `transformer.h.{i}.attn.c_attn`, …). The number of heads is not in the
 * tensors' shapes: it is read from the file's metadata `n_head` (the README's conversion writes it) or, without it,
 * taken as nEmbd / 64, the head size of every nanoGPT config (and said so).
 */
function inferNanoGpt(shapes: Shapes, metadata: Readonly<Record<string, string>>): InferredArchitecture {
	const names = [...shapes.keys()];
	const wte = shapes.get('transformer.wte.weight') ?? shapes.get('lm_head.weight');
	const wpe = shapes.get('transformer.wpe.weight');
	if (!wte || wte.length !== 2 || !wpe || wpe.length !== 2 || wpe[1] !== wte[1]) {
		refuse(`transformer.wte.weight (or lm_head.weight) is ${dims(wte)} and transformer.wpe.weight ${dims(wpe)}`, 'nanoGPT has (vocab, nEmbd) and (blockSize, nEmbd)');
	}
	const C = wte[1];
	const nLayer = countIndexed(names, 'transformer.h.');
	if (nLayer === 0) refuse('there are no transformer.h.{i} tensors', "nanoGPT's model has at least one Block");
	const given = metadata.n_head;
	const nHead = given !== undefined ? Number(given) : C / NANOGPT_HEAD_SIZE;
	if (!Number.isInteger(nHead) || nHead < 1 || C % nHead !== 0) {
		refuse(
			given !== undefined ? `the metadata's n_head is '${given}'` : `nEmbd is ${C}, not a multiple of nanoGPT's head size 64`,
			`nEmbd ${C} must split into n_head heads: save the file with metadata={'n_head': str(model_args['n_head'])} (README, nanoGPT)`
		);
	}
	const bias = shapes.has('transformer.h.0.ln_1.bias');
	const heads = given !== undefined ? `${nHead} heads` : `${nHead} heads of 64 (assumed: the file has no n_head)`;
	return {
		model: 'nanogpt', preset: 'nanogpt', vocabRows: wte[0], blockSize: wpe[0], nEmbd: C, nHead, nLayer, bias, dropout: 0,
		layout: `nanoGPT (${nLayer} layers of ${heads}, nEmbd ${C}, block ${wpe[0]}, ${bias ? 'with' : 'without'} biases)`,
		optional: /\.attn\.bias$/,
		tied: ['lm_head.weight', 'transformer.wte.weight']
	};
}

/**
 * Which model a plain state dict holds: a makemore torch.nn.Sequential (names `0.weight`, `2.weight`, …) or gpt.py
 * (`token_embedding_table.weight`, …). Anything else is refused with the names found; a wrong model is never built.
 */
export function inferArchitecture(shapes: Shapes, metadata: Readonly<Record<string, string>> = {}): InferredArchitecture {
	const names = [...shapes.keys()];
	if (names.length === 0) refuse('the file holds no tensors', 'a model needs its weights');
	if (names.every((n) => SEQ_NAME.test(n))) return inferSequential(shapes);
	if (shapes.has('token_embedding_table.weight')) return inferGptPy(shapes);
	if (shapes.has('transformer.wpe.weight')) return inferNanoGpt(shapes, metadata);
	const some = names.slice(0, 4).join(', ') + (names.length > 4 ? `, … (${names.length} tensors)` : '');
	return refuse(
		`its tensor names (${some}) are none this version knows`,
		"it reads the makemore torch.nn.Sequential names (0.weight, 2.weight, …), gpt.py's (token_embedding_table.weight, blocks.0.sa.heads.0.key.weight, …) and nanoGPT's (transformer.wte.weight, transformer.h.0.attn.c_attn.weight, …)"
	);
}
