// The command line: `npm run makemore -- <train|sample|eval|grads|bench> …` (run by tsx).
import { Command, Option } from 'commander';
import { PRESET_NAMES } from '../lib/models/index';
import { bench } from './bench';
import { MAX_BATCH, MAX_STEPS } from '../lib/data/index';
import { nonNegativeInt, positiveIntUpTo, positiveNumber, UserError } from './io';
import { train } from './train';
import { evalCommand, gradsCommand, MAX_EXAMPLES, MAX_SAMPLES, PARTS, sampleCommand } from './use';

const program = new Command('makemore')
	.description("Karpathy's makemore models on our own autograd engine: train, sample, evaluate, inspect gradients, benchmark.")
	.showSuggestionAfterError()
	.configureOutput({ outputError: (s, write) => write(`makemore: ${s.split('\n')[0].replace(/^error: /, '')}\n`) });

const data = 'names | shakespeare | PATH of a text file';

program
	.command('train')
	.description("train a preset's model (without --steps: the preset's full schedule) and save a .safetensors checkpoint")
	.option('--model <name>', `one of ${PRESET_NAMES.join(', ')} (mlp-deep-nobn: lecture 3's deep net before BatchNorm, Linear-Tanh layers)`)
	.option('--resume <file>', 'train a checkpoint further, from the step it reached to its scheduled steps (or --steps); a plain PyTorch file (with --data and --steps) is fine-tuned; Ctrl-C during training saves one')
	.option('--data <data>', `${data} (default: names, or shakespeare for gpt)`)
	.option('--steps <n>', 'optimizer steps (at most 10,000,000)', positiveIntUpTo(MAX_STEPS))
	.option('--batch-size <n>', "minibatch size (at most what one step's memory allows, half of this machine's)", positiveIntUpTo(MAX_BATCH))
	.option('--lr <rate>', 'learning rate (SGD: the rate before the decay, which scales with it)', positiveNumber)
	.option('--seed <n>', 'seeds the weights, the split and the batches', nonNegativeInt, 42)
	.option('--out <file>', 'checkpoint path (default: checkpoints/<model>.safetensors, or the --resume file); checked before training')
	.option('--save-on-diverge', 'if the loss turns NaN or ±Inf, keep the last finite weights in <out>.diverged.safetensors (the run still fails)')
	.option('--quiet', 'no progress output')
	.action(async (o) => {
		await train(o);
	});

program
	.command('sample')
	.description('print samples from a checkpoint: names, or a passage of text')
	.requiredOption('--checkpoint <file>', 'a .safetensors checkpoint')
	.option('--data <data>', `${data}: the data a plain PyTorch checkpoint (no __metadata__) was trained on, for its vocabulary`)
	.option('--n <n>', `names to draw, or characters of text (default 20 / 500; at most ${MAX_SAMPLES.toLocaleString('en-US')})`, positiveIntUpTo(MAX_SAMPLES))
	.option('--temperature <t>', 'divide the logits by t before the softmax', positiveNumber, 1)
	.option('--seed <n>', 'seeds the sampling', nonNegativeInt, 42)
	.action((o) => sampleCommand(o));

program
	.command('eval')
	.description('mean cross-entropy of a checkpoint on a split, in eval mode')
	.requiredOption('--checkpoint <file>', 'a .safetensors checkpoint')
	.option('--data <data>', `${data} (default: the built-in dataset it was trained on)`)
	.addOption(new Option('--split <split>', 'which part; all = every example of the file').choices(PARTS).default('val'))
	.option('--max-examples <n>', `estimate on at most n evenly spaced examples of the split (0: all); progress shows on long runs`, nonNegativeInt, MAX_EXAMPLES)
	.option('--json', 'print one line {"loss": …, "examples": …, "total": …} (examples < total: an estimate)')
	.action((o) => evalCommand(o));

program
	.command('grads')
	.description('the gradient of the mean eval-mode loss over the data w.r.t. every parameter, as .safetensors')
	.requiredOption('--checkpoint <file>', 'a .safetensors checkpoint')
	.requiredOption('--data <data>', data)
	.requiredOption('--out <file>', 'where to write the gradients')
	.addOption(new Option('--split <split>', 'which part').choices(PARTS).default('all'))
	.action((o) => gradsCommand(o));

program
	.command('bench')
	.description('milliseconds per training step of each model (recording off)')
	.option('--json', 'one line per model: {"model": …, "msPerStep": …, "cpuMsPerStep": …, "recording": false}')
	.option('--models <list>', 'comma-separated presets (default: mlp,mlp-bn,mlp-deep,wavenet,gpt-small)')
	.option('--seconds <s>', 'time each model for at least this long, after a second of warming up', positiveNumber, 2)
	.action((o) => bench(o));

// a closed terminal (SIGHUP) or pipe must not crash a run that is about to save: its output is dropped instead
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

try {
	await program.parseAsync(process.argv);
} catch (e) {
	// A user error (or any other) is one line on stderr and exit 1; MAKEMORE_DEBUG=1 shows the stack.
	const err = e instanceof Error ? e : new Error(String(e));
	if (process.env.MAKEMORE_DEBUG) console.error(err.stack);
	else console.error(`makemore: ${err instanceof UserError ? '' : 'error: '}${err.message.split('\n')[0]}`);
	process.exitCode = 1;
}
