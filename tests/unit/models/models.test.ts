import { afterAll, describe, expect, it } from 'vitest';
import { AdamW, backward, SGD, stepLr, type Optimizer } from '$lib/engine';
import type { LanguageModel } from '$lib/models';
import { fromFx, loadFixture, maxRelDiff, modelFor, type ModelFixture } from './compare';
import { expectClose, PARITY } from '../expect';

function optimizerFor(fx: ModelFixture, model: LanguageModel): Optimizer {
	// the fixture's SGD runs the lectures' step decay at step 5 (0.1 → 0.01); the GPTs run AdamW with torch's defaults
	return fx.config.model === 'gpt' ? new AdamW(model.parameters(), { lr: 1e-3 }) : new SGD(model.parameters(), { lr: stepLr(0.1, 5, 0.01) });
}

const report: string[] = [];
afterAll(() => console.log(report.join('\n')));

// the lectures' models, the seed's (built the seed's way), and the seed's GPT with both attention scales
describe.each(['mlp', 'mlp-bn', 'mlp-deep', 'mlp-deep-nobn', 'wavenet', 'gpt', 'seed-mlp', 'seed-wavenet', 'seed-gpt', 'seed-gpt-head'])('%s matches PyTorch', (name) => {
	const fx = loadFixture<ModelFixture>(name);

	it('has the state dict names of the PyTorch model, in order', () => {
		const model = modelFor(fx);
		expect([...model.stateDict().keys()]).toEqual(Object.keys(fx.state));
		expect(Object.keys(fx.grads)).toEqual(model.namedParameters().map(([n]) => n));
		for (const [n, t] of model.namedParameters()) expect(t.name).toBe(n);
	});

	it('gives the same logits, loss and every parameter gradient after one backward', () => {
		const model = modelFor(fx);
		const { logits, loss } = model.forward(fromFx(fx.batches[0].x, 'int32'), fromFx(fx.batches[0].y, 'int32'));
		expectClose(logits.values(), fx.logits.values, `${name} logits`, PARITY);
		expectClose([loss!.item()], [fx.loss], `${name} loss`, PARITY);
		backward(loss!);
		let worst = 0;
		for (const [n, p] of model.namedParameters()) {
			expectClose(p.grad!.values(), fx.grads[n].values, `${name} grad ${n}`, PARITY);
			worst = Math.max(worst, maxRelDiff(p.grad!.values(), fx.grads[n].values));
		}
		report.push(`${name}: logits maxrel ${maxRelDiff(logits.values(), fx.logits.values).toExponential(2)}, grads maxrel ${worst.toExponential(2)}`);
	});

	it('gives the same losses over 10 optimizer steps, the same state after them, and the same eval loss', () => {
		const model = modelFor(fx);
		const opt = optimizerFor(fx, model);
		const losses: number[] = [];
		for (let i = 0; i < fx.losses.length; i++) {
			const { loss } = model.forward(fromFx(fx.batches[i].x, 'int32'), fromFx(fx.batches[i].y, 'int32'));
			opt.zeroGrad();
			backward(loss!);
			opt.step();
			losses.push(loss!.item());
		}
		expectClose(losses, fx.losses, `${name} 10-step losses`, { rtol: 1e-5, atol: 0 });
		const state = model.stateDict();
		for (const [k, v] of Object.entries(fx.stateAfter)) expectClose(state.get(k)!.values(), v.values, `${name} ${k} after 10 steps`, { rtol: 1e-4, atol: 1e-5 });
		model.eval();
		const last = fx.batches[fx.losses.length];
		const out = model.forward(fromFx(last.x, 'int32'), fromFx(last.y, 'int32'));
		expectClose(out.logits.values(), fx.evalLogits.values, `${name} eval logits`, { rtol: 1e-4, atol: 1e-5 });
		expectClose([out.loss!.item()], [fx.evalLoss], `${name} eval loss`, { rtol: 1e-5, atol: 0 });
		report.push(`${name}: 10-step losses maxrel ${maxRelDiff(losses, fx.losses).toExponential(2)}, eval loss ${out.loss!.item().toFixed(6)} vs ${fx.evalLoss.toFixed(6)}`);
	});
});
