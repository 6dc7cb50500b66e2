// The Module base (torch.nn.Module): named parameters and buffers in dotted paths, children, train/eval, scoped calls.
import { shapeStr } from '../shape';
import { Tensor } from '../tensor';
import { withScope } from '../trace';
import { dropGrad } from '../autograd';

/** Values to load into a tensor: a tensor, or a shape with row-major values. */
export type TensorLike = Tensor | { shape: readonly number[]; values: ArrayLike<number> };

/**
 * A layer or a model. Subclasses register what they own in the order PyTorch's `__init__` assigns it
 * (`this.weight = this.registerParameter('weight', w)`, `this.key = this.registerModule('key', new Linear(…))`),
 * so `namedParameters()` and `stateDict()` list the same names in the same order as PyTorch.
 */
export abstract class Module<I extends unknown[] = [Tensor], O = Tensor> {
	/** Training mode (BatchNorm uses batch statistics, Dropout drops); `eval()` turns it off. */
	training = true;
	/** The attribute name under the parent (`'key'`, `'0'`); the scope its ops are recorded under. */
	scopeName = '';
	private readonly params = new Map<string, Tensor | null>();
	private readonly buffers = new Map<string, Tensor>();
	private readonly children = new Map<string, Module<never[], unknown>>();

	/** The computation (like PyTorch's `forward`). Call modules through `call`, which records the scope. */
	abstract forward(...args: I): O;

	/** Run `forward` inside this module's scope, so every op is recorded under its dotted path. */
	call(...args: I): O {
		return withScope(this.scopeName, () => this.forward(...args));
	}

	/** Own `t` as a trainable parameter named `name` (sets `requiresGrad`); null registers an absent one (bias=False). */
	protected registerParameter<T extends Tensor | null>(name: string, t: T): T {
		this.checkName(name);
		if (t !== null) {
			t.requiresGrad = true;
			t.name = name;
		}
		this.params.set(name, t);
		return t;
	}

	/** Own `t` as state that is saved but not trained (BatchNorm's `running_mean`). */
	protected registerBuffer(name: string, t: Tensor): Tensor {
		this.checkName(name);
		t.name = name;
		this.buffers.set(name, t);
		return t;
	}

	/** Own a child module under `name`; its parameters are renamed `name.<path>`. */
	protected registerModule<M extends Module<never[], unknown>>(name: string, m: M): M {
		this.checkName(name);
		m.scopeName = name;
		this.children.set(name, m);
		for (const [path, t] of m.namedTensors()) t.name = `${name}.${path}`;
		return m;
	}

	private checkName(name: string): void {
		if (name === '' || name.includes('.')) throw new Error(`Module: the name '${name}' must be non-empty and contain no '.'`);
		if (this.params.has(name) || this.buffers.has(name) || this.children.has(name)) {
			throw new Error(`Module: '${name}' is already registered on ${this.constructor.name}`);
		}
	}

	/** The direct children in registration order. */
	namedChildren(): [string, Module<never[], unknown>][] {
		return [...this.children];
	}

	/** Every module below (and including) this one with its dotted path ('' for this one). */
	namedModules(prefix = ''): [string, Module<never[], unknown>][] {
		const out: [string, Module<never[], unknown>][] = [[prefix, this as unknown as Module<never[], unknown>]];
		for (const [name, m] of this.children) out.push(...m.namedModules(prefix ? `${prefix}.${name}` : name));
		return out;
	}

	/** Parameters with dotted paths, in PyTorch's order: own ones first, then each child's. */
	namedParameters(prefix = ''): [string, Tensor][] {
		const out: [string, Tensor][] = [];
		for (const [name, t] of this.params) if (t !== null) out.push([join(prefix, name), t]);
		for (const [name, m] of this.children) out.push(...m.namedParameters(join(prefix, name)));
		return out;
	}

	parameters(): Tensor[] {
		return this.namedParameters().map(([, t]) => t);
	}

	/** Buffers with dotted paths (own first, then each child's). */
	namedBuffers(prefix = ''): [string, Tensor][] {
		const out: [string, Tensor][] = [];
		for (const [name, t] of this.buffers) out.push([join(prefix, name), t]);
		for (const [name, m] of this.children) out.push(...m.namedBuffers(join(prefix, name)));
		return out;
	}

	/** Parameters and buffers in `state_dict()` order: per module its parameters, its buffers, then its children. */
	namedTensors(prefix = ''): [string, Tensor][] {
		const out: [string, Tensor][] = [];
		for (const [name, t] of this.params) if (t !== null) out.push([join(prefix, name), t]);
		for (const [name, t] of this.buffers) out.push([join(prefix, name), t]);
		for (const [name, m] of this.children) out.push(...m.namedTensors(join(prefix, name)));
		return out;
	}

	/** Like `state_dict()`: the checkpoint keys (PyTorch names) mapped to the live tensors. */
	stateDict(): Map<string, Tensor> {
		return new Map(this.namedTensors());
	}

	/**
	 * Copy values into the parameters and buffers, like `load_state_dict(strict=True)`: every key must be
	 * present with the same shape, and no key may be unknown.
	 */
	loadStateDict(state: Record<string, TensorLike> | Map<string, TensorLike>): void {
		const entries = state instanceof Map ? state : new Map(Object.entries(state));
		const own = this.stateDict();
		const missing = [...own.keys()].filter((k) => !entries.has(k));
		const unexpected = [...entries.keys()].filter((k) => !own.has(k));
		if (missing.length || unexpected.length) {
			throw new Error(`loadStateDict: missing keys [${missing.join(', ')}], unexpected keys [${unexpected.join(', ')}]; was the checkpoint made for this model and config?`);
		}
		for (const [key, t] of own) {
			const src = entries.get(key)!;
			const values = src instanceof Tensor ? src.values() : src.values;
			if (src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i])) {
				throw new Error(`loadStateDict: '${key}' has shape ${shapeStr(src.shape)} in the checkpoint but ${shapeStr(t.shape)} in the model`);
			}
			t.data.set(values as ArrayLike<number>, t.offset);
		}
	}

	/** Set training mode here and below (`train(false)` is `eval()`). */
	train(mode = true): this {
		for (const [, m] of this.namedModules()) m.training = mode;
		return this;
	}

	/** Evaluation mode: BatchNorm uses its running statistics, Dropout is the identity. */
	eval(): this {
		return this.train(false);
	}

	/** Forget every parameter's gradient (PyTorch's `zero_grad(set_to_none=True)`; inside a training step see dropGrad). */
	zeroGrad(): void {
		for (const t of this.parameters()) dropGrad(t);
	}

	/** The number of trainable values. */
	numParameters(): number {
		return this.parameters().reduce((n, t) => n + t.size, 0);
	}
}

function join(prefix: string, name: string): string {
	return prefix ? `${prefix}.${name}` : name;
}

/** Modules held in a list, named '0', '1', … (torch.nn.ModuleList); iterate it, it has no forward. */
export class ModuleList<M extends Module<never[], unknown>> extends Module<[], never> {
	readonly items: M[];

	constructor(modules: M[]) {
		super();
		this.items = modules.map((m, i) => this.registerModule(String(i), m));
	}

	forward(): never {
		throw new Error('ModuleList has no forward: call each module in it');
	}

	get length(): number {
		return this.items.length;
	}

	at(i: number): M {
		return this.items[i];
	}

	/** `[f(m) for m in self.heads]` inside this list's scope, so item i's ops are recorded under `<list>.i`. */
	map<T>(fn: (m: M, i: number) => T): T[] {
		return withScope(this.scopeName, () => this.items.map(fn));
	}

	[Symbol.iterator](): Iterator<M> {
		return this.items[Symbol.iterator]();
	}
}

/** Layers applied in order (torch.nn.Sequential): `layers[i]`'s tensors are named `i.weight`, … */
export class Sequential extends Module {
	readonly layers: Module[];

	constructor(...layers: Module[]) {
		super();
		this.layers = layers.map((m, i) => this.registerModule(String(i), m));
	}

	forward(x: Tensor): Tensor {
		for (const layer of this.layers) x = layer.call(x);
		return x;
	}
}
