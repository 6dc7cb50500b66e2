// Lesson 2: BatchNorm in training mode (batch statistics) and in eval mode (running statistics), and why it matters.
import type { Lesson } from './types';

export default {
	slug: 'batchnorm-train-eval',
	title: 'BatchNorm: training vs evaluation',
	summary: 'Batch statistics in training, running statistics in eval mode, and why sampling needs eval mode.',
	lecture: 'makemore part 3: Activations & Gradients, BatchNorm',
	preset: 'mlp-bn',
	seed: 42,
	batch: 4,
	stops: [
		{
			title: 'hprebn: unnormalised',
			text: 'The first layer\'s pre-activations `hprebn = embcat @ W1`, one column per hidden unit. Each column has its own mean and spread: look at the statistics and the heatmap\'s stripes.',
			at: { phase: 'forward', node: { op: 'matmul', scope: '2' } }
		},
		{
			title: 'Training mode: batch statistics',
			text: 'In training mode every column is normalised with this batch\'s own mean and variance over dim 0 (the n examples), then scaled by bngain and shifted by bnbias. The output has mean 0 and std about 1.',
			at: { phase: 'forward', node: { op: 'batchNorm' } }
		},
		{
			title: 'Eval mode: running statistics',
			text: 'A sampled name is a batch of one: there are no batch statistics to use. Eval mode normalises with `running_mean` and `running_var` instead; open them under Training vs eval mode and compare with the batch mean and variance.',
			at: { phase: 'forward', node: { op: 'batchNorm' } }
		},
		{
			title: 'The running statistics lag',
			text: 'Each training step moves the running statistics only by the momentum (0.001 in the lecture), so on a fresh network they are still the initial 0 and 1. Here eval mode barely normalises: compare "output in eval mode" with the training output, and the two losses.',
			at: { phase: 'forward', node: { op: 'batchNorm' } }
		},
		{
			title: 'Why sampling needs eval mode',
			text: 'In training mode one example\'s output depends on the other examples in its batch, and a batch of one has variance 0. Before sampling or measuring the loss, switch to eval mode (`model.eval()`, or `layer.training = False` in the lecture).',
			at: { phase: 'forward', node: { op: 'crossEntropy' } }
		},
		{
			title: 'Parameters vs buffers',
			text: 'bngain and bnbias are parameters: the optimizer updates them from their gradients. The running statistics are buffers: the forward pass itself updates them, with no gradient.',
			at: { phase: 'update', node: { tensor: '3.weight' } }
		}
	]
} satisfies Lesson;
