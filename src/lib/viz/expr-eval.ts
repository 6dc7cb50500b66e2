// Evaluate the gradient language (expr-parse.ts) over a step's named tensors with the engine's own ops, like the
// lecture's notebook: broadcasting arithmetic, @, .T, .sum(dim, keepdim=True), .max, exp/log/tanh, zeros_like,
// indexing by the targets. Every error names the place (a column span) and what to do.
import { add, argmax, div, exp, gather, log, matmul, max, mean, mul, neg, pow, shapeStr, sub, sum, tanh, tensor, Tensor, transpose, view, full } from '../engine/index';
import { ExprError, parseProgram, type Expr, type Span, type Statement } from './expr-parse';

type MaxOut = { kind: 'max'; values: Tensor; indices: Tensor };
type Range = { kind: 'range'; n: number };
type Builtin = { kind: 'fn'; name: string };
type Namespace = { kind: 'ns'; name: string };
type Method = { kind: 'method'; self: Tensor; name: string };
export type Value = Tensor | number | boolean | number[] | MaxOut | Range | Builtin | Namespace | Method;

const FUNCTIONS = new Set(['zeros_like', 'ones_like', 'exp', 'log', 'tanh', 'one_hot', 'tensor', 'range', 'ones', 'zeros']);
const METHODS = new Set(['sum', 'mean', 'max', 'exp', 'log', 'tanh', 'view', 'reshape', 'clone', 't', 'float', 'index_add', 'index_add_', 'argmax']);

const isTensor = (v: Value): v is Tensor => v instanceof Tensor;
const describe = (v: Value): string =>
	isTensor(v) ? `a tensor of shape ${shapeStr(v.shape)}` : typeof v === 'number' ? `the number ${v}` : Array.isArray(v) ? `a shape (${v.join(', ')})` : typeof v === 'boolean' ? String(v) : `a ${v.kind}`;

function fail(message: string, at: Span): never {
	throw new ExprError(message, at);
}

/** Run an engine op; its own error (a shape that does not broadcast) is reported at `at`. */
function op<T>(at: Span, f: () => T): T {
	try {
		return f();
	} catch (e) {
		if (e instanceof ExprError) throw e;
		throw new ExprError(e instanceof Error ? e.message : String(e), at);
	}
}

function asTensor(v: Value, at: Span, what = 'a tensor'): Tensor {
	if (isTensor(v)) return v;
	if (typeof v === 'number') return full([], v);
	if (typeof v === 'object' && !Array.isArray(v) && v.kind === 'max') fail(`.max(dim) gives values and indices: write .max(dim).values (or .indices)`, at);
	return fail(`expected ${what}, got ${describe(v)}`, at);
}

function asInt(v: Value, at: Span, what: string): number {
	if (typeof v === 'number' && Number.isInteger(v)) return v;
	if (isTensor(v) && v.size === 1) return v.values()[0];
	return fail(`${what} must be a whole number, got ${describe(v)}`, at);
}

export class Evaluator {
	/** The variables: the step's tensors by name (lecture names and their gradients `dlogits`), and what lines assign. */
	readonly vars: Map<string, Value>;

	constructor(env: ReadonlyMap<string, Tensor | number>) {
		this.vars = new Map<string, Value>(env);
	}

	/** Run every statement; the value is the last one assigned to `result` if any, else the last line's. */
	run(src: string, result: string): { value: Value; at: Span } {
		let last: { value: Value; at: Span } | null = null;
		let named: { value: Value; at: Span } | null = null;
		for (const s of parseProgram(src)) {
			const v = this.statement(s);
			last = { value: v, at: s.at };
			if (s.kind === 'assign' && s.target === result) named = last;
		}
		return named ?? last!;
	}

	private statement(s: Statement): Value {
		if (s.kind === 'expr') return this.eval(s.value);
		const rhs = this.eval(s.value);
		if (s.index) return this.assignIndexed(s, rhs);
		if (s.op === '=') {
			this.vars.set(s.target, rhs);
			return rhs;
		}
		const prev = this.vars.get(s.target);
		if (prev === undefined) fail(`'${s.target}' has no value yet to add to: assign it with = first`, [s.at[0], s.at[0] + s.target.length]);
		const next = this.binary('+', prev, rhs, s.at);
		this.vars.set(s.target, next);
		return next;
	}

	/** `x[range(n), Yb] = v` (or `+=`): a copy of x with those elements set (added to); v is a number or one per row. */
	private assignIndexed(s: Extract<Statement, { kind: 'assign' }>, rhs: Value): Value {
		const at: Span = [s.at[0], s.at[0] + s.target.length];
		const base = asTensor(this.vars.get(s.target) ?? fail(`'${s.target}' has no value yet: start from torch.zeros_like(…)`, at), at);
		const [rows, cols] = this.pairIndex(base, s.index!);
		const out = new Tensor(Float32Array.from(base.values()), [...base.shape]);
		const v = typeof rhs === 'number' ? null : asTensor(rhs, s.value.at).values();
		if (v && v.length !== 1 && v.length !== rows.length) fail(`${rows.length} elements are indexed but the value has ${v.length}`, s.value.at);
		rows.forEach((r, k) => {
			const x = typeof rhs === 'number' ? rhs : v!.length === 1 ? v![0] : v![k];
			const i = r * base.shape[1] + cols[k];
			out.data[i] = s.op === '=' ? x : out.data[i] + x;
		});
		this.vars.set(s.target, out);
		return out;
	}

	/** `[range(n), Yb]` on a 2-D tensor: the (row, column) pairs it picks. */
	private pairIndex(x: Tensor, items: Expr[]): [number[], number[]] {
		const at: Span = [items[0].at[0], items[items.length - 1].at[1]];
		if (items.length !== 2 || x.ndim !== 2) fail(`index a 2-D tensor by rows and columns, as logprobs[range(n), Yb] (this one has shape ${shapeStr(x.shape)}); for the embedding's dC use dC.index_add_(0, Xb.view(-1), demb.view(-1, demb.shape[2]))`, at);
		const list = (e: Expr): number[] => {
			const v = this.eval(e);
			if (typeof v === 'object' && !Array.isArray(v) && !isTensor(v) && v.kind === 'range') return Array.from({ length: v.n }, (_, i) => i);
			if (isTensor(v) && v.dtype === 'int32') return Array.from(v.values());
			return fail(`an index is range(n) or a tensor of whole numbers (Yb), got ${describe(v)}`, e.at);
		};
		const rows = list(items[0]);
		const cols = list(items[1]);
		if (rows.length !== cols.length) fail(`the row index has ${rows.length} entries and the column index ${cols.length}: they must match`, at);
		rows.forEach((r, k) => {
			if (r < 0 || r >= x.shape[0] || cols[k] < 0 || cols[k] >= x.shape[1]) fail(`index (${r}, ${cols[k]}) is outside shape ${shapeStr(x.shape)}`, at);
		});
		return [rows, cols];
	}

	eval(e: Expr): Value {
		switch (e.kind) {
			case 'num':
			case 'bool':
				return e.value;
			case 'name':
				return this.name(e.id, e.at);
			case 'list':
				return op(e.at, () => tensor(literal(e)));
			case 'unary': {
				const x = this.eval(e.x);
				if (e.op === '+') return x;
				return typeof x === 'number' ? -x : op(e.at, () => neg(asTensor(x, e.x.at)));
			}
			case 'bin':
				return this.binary(e.op, this.eval(e.a), this.eval(e.b), e.at, e);
			case 'attr':
				return this.attr(this.eval(e.x), e.name, e.at);
			case 'call':
				return this.call(e);
			case 'index':
				return this.index(this.eval(e.x), e.items, e.at);
		}
	}

	private name(id: string, at: Span): Value {
		const v = this.vars.get(id);
		if (v !== undefined) return v;
		if (id === 'torch' || id === 'F') return { kind: 'ns', name: id };
		if (FUNCTIONS.has(id)) return { kind: 'fn', name: id };
		const known = [...this.vars.keys()].filter((k) => !k.startsWith('d')).slice(0, 12);
		return fail(`unknown name '${id}'${id.startsWith('d') ? ': that gradient is not computed yet at this step' : ''} (known here: ${known.join(', ')}, and their gradients d…)`, at);
	}

	private binary(o: string, a: Value, b: Value, at: Span, e?: Extract<Expr, { kind: 'bin' }>): Value {
		if (typeof a === 'number' && typeof b === 'number') return o === '+' ? a + b : o === '-' ? a - b : o === '*' ? a * b : o === '/' ? a / b : o === '**' ? a ** b : fail('@ needs two tensors', at);
		const atA = e?.a.at ?? at;
		const atB = e?.b.at ?? at;
		if (o === '**') {
			if (typeof b !== 'number') fail(`the exponent must be a number, got ${describe(b)}`, atB);
			return op(at, () => pow(asTensor(a, atA), b));
		}
		if (o === '@') return op(at, () => matmul(asTensor(a, atA), asTensor(b, atB)));
		const x = typeof a === 'number' ? a : asTensor(a, atA);
		const y = typeof b === 'number' ? b : asTensor(b, atB);
		const f = o === '+' ? add : o === '-' ? sub : o === '*' ? mul : div;
		return op(at, () => {
			try {
				return f(x, y);
			} catch (err) {
				throw new ExprError(`${describe(a)} ${o} ${describe(b)}: ${err instanceof Error ? err.message : String(err)}`, at);
			}
		});
	}

	private attr(x: Value, name: string, at: Span): Value {
		if (typeof x === 'object' && !Array.isArray(x) && !isTensor(x)) {
			if (x.kind === 'ns' && FUNCTIONS.has(name)) return { kind: 'fn', name };
			if (x.kind === 'max' && (name === 'values' || name === 'indices')) return x[name];
		}
		if (!isTensor(x)) return fail(`${describe(x)} has no '.${name}'`, at);
		if (name === 'T') return op(at, () => transpose(x, 0, 1));
		if (name === 'shape') return [...x.shape];
		if (METHODS.has(name)) return { kind: 'method', self: x, name };
		return fail(`a tensor has no '.${name}' here (try .T, .shape, .sum, .max, .exp, .log, .tanh, .view, .clone)`, at);
	}

	private index(x: Value, items: Expr[], at: Span): Value {
		if (Array.isArray(x)) {
			const k = asInt(this.eval(items[0]), items[0].at, 'a shape index');
			return x[k < 0 ? x.length + k : k] ?? fail(`shape (${x.join(', ')}) has no dimension ${k}`, items[0].at);
		}
		const t = asTensor(x, at);
		const [rows, cols] = this.pairIndex(t, items);
		const idx = new Tensor(Int32Array.from(cols), [cols.length, 1]);
		const picked = op(at, () => gather(t, 1, idx)); // (n, 1): row k's column cols[k] (rows are 0…n−1 in order)
		if (rows.some((r, k) => r !== k) || rows.length !== t.shape[0]) fail('index every row in order: x[range(n), Yb]', items[0].at);
		return op(at, () => view(picked, rows.length));
	}

	private call(e: Extract<Expr, { kind: 'call' }>): Value {
		const fn = this.eval(e.fn);
		const args = e.args.map((a) => this.eval(a));
		const kw = Object.fromEntries(Object.entries(e.kwargs).map(([k, v]) => [k, this.eval(v)]));
		if (typeof fn === 'object' && !Array.isArray(fn) && !isTensor(fn)) {
			if (fn.kind === 'fn') return callFunction(fn.name, args, kw, e);
			if (fn.kind === 'method') return callMethod(fn.self, fn.name, args, kw, e);
		}
		return fail(`${describe(fn)} cannot be called`, e.fn.at);
	}
}

function literal(e: Expr): unknown {
	if (e.kind === 'list') return e.items.map(literal);
	if (e.kind === 'num') return e.value;
	if (e.kind === 'unary' && e.x.kind === 'num') return e.op === '-' ? -e.x.value : e.x.value;
	return fail('a pasted list holds numbers only', e.at);
}

function dimArg(args: Value[], kw: Record<string, Value>, e: Extract<Expr, { kind: 'call' }>): { dim: number | undefined; keepdim: boolean } {
	const d = args[0] ?? kw.dim;
	const k = args[1] ?? kw.keepdim ?? kw.keepdims ?? false;
	return { dim: d === undefined ? undefined : asInt(d, e.args[0]?.at ?? e.at, 'dim'), keepdim: k === true };
}

function callFunction(name: string, args: Value[], kw: Record<string, Value>, e: Extract<Expr, { kind: 'call' }>): Value {
	const at0 = e.args[0]?.at ?? e.at;
	const x = () => asTensor(args[0] ?? fail(`${name}() needs an argument`, e.at), at0);
	switch (name) {
		case 'zeros_like':
		case 'ones_like':
			return full(x().shape, name === 'zeros_like' ? 0 : 1);
		case 'zeros':
		case 'ones':
			return full(Array.isArray(args[0]) ? args[0] : args.map((a, i) => asInt(a, e.args[i].at, 'a size')), name === 'zeros' ? 0 : 1);
		case 'exp':
		case 'log':
		case 'tanh':
			return callMethod(x(), name, [], {}, e);
		case 'range':
			return { kind: 'range', n: asInt(args[0] ?? fail('range(n) needs n', e.at), at0, 'range(n)') };
		case 'tensor':
			return x();
		default:
			return oneHot(x(), args[1] ?? kw.num_classes, e);
	}
}

/** F.one_hot(idx, num_classes=k): float32 rows with a 1 at each index. */
function oneHot(idx: Tensor, k: Value | undefined, e: Extract<Expr, { kind: 'call' }>): Tensor {
	const at0 = e.args[0]?.at ?? e.at;
	if (idx.dtype !== 'int32') fail(`one_hot takes whole-number indices (like logits.max(1).indices), got a ${idx.dtype} tensor`, at0);
	const n = k === undefined ? Math.max(...idx.values()) + 1 : asInt(k, e.at, 'num_classes');
	const out = new Tensor(new Float32Array(idx.size * n), [...idx.shape, n]);
	idx.values().forEach((c, i) => {
		if (c < 0 || c >= n) fail(`index ${c} is not below num_classes ${n}`, at0);
		out.data[i * n + c] = 1;
	});
	return out;
}

function callMethod(x: Tensor, name: string, args: Value[], kw: Record<string, Value>, e: Extract<Expr, { kind: 'call' }>): Value {
	const { dim, keepdim } = name === 'sum' || name === 'mean' || name === 'max' || name === 'argmax' ? dimArg(args, kw, e) : { dim: undefined, keepdim: false };
	return op(e.at, (): Value => {
		switch (name) {
			case 'sum':
				return sum(x, dim, keepdim);
			case 'mean':
				return mean(x, dim, keepdim);
			case 'max':
				return dim === undefined ? max(x) : { kind: 'max', values: max(x, dim, keepdim), indices: argmax(x, dim, keepdim) };
			case 'argmax':
				return argmax(x, dim, keepdim);
			case 'exp':
				return exp(x);
			case 'log':
				return log(x);
			case 'tanh':
				return tanh(x);
			case 't':
				return transpose(x, 0, 1);
			case 'view':
			case 'reshape':
				return view(x, ...shapeArgs(x, args, e));
			case 'index_add':
			case 'index_add_':
				return indexAdd(x, args, e, name === 'index_add_');
			default: // clone, float
				return x;
		}
	});
}

/** .view(emb.shape), .view(-1, 30), .view(32, 3, 10): the shape, with one −1 inferred. */
function shapeArgs(x: Tensor, args: Value[], e: Extract<Expr, { kind: 'call' }>): number[] {
	const dims = args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : args.map((a, i) => asInt(a, e.args[i].at, 'a size'));
	const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
	const shape = dims.map((d) => (d === -1 ? x.size / known : d));
	if (shape.reduce((p, d) => p * d, 1) !== x.size || shape.some((d) => !Number.isInteger(d))) fail(`cannot view a tensor of shape ${shapeStr(x.shape)} (${x.size} values) as (${dims.join(', ')})`, e.at);
	return shape;
}

/** x.index_add_(0, index, source): row source[k] added to row index[k] (the embedding's backward), into x itself
 * (`index_add_`, as PyTorch's trailing underscore says) or into a copy (`index_add`). */
function indexAdd(x: Tensor, args: Value[], e: Extract<Expr, { kind: 'call' }>, inPlace: boolean): Tensor {
	const [d, index, source] = args;
	if (asInt(d ?? -1, e.args[0]?.at ?? e.at, 'dim') !== 0) fail('index_add_ is supported over dim 0 (rows)', e.args[0]?.at ?? e.at);
	const idx = asTensor(index ?? fail('index_add_(0, index, source) needs an index', e.at), e.args[1]?.at ?? e.at);
	const src = asTensor(source ?? fail('index_add_(0, index, source) needs a source', e.at), e.args[2]?.at ?? e.at);
	const row = x.size / x.shape[0];
	if (idx.ndim !== 1 || src.shape[0] !== idx.size || src.size !== idx.size * row) fail(`index ${shapeStr(idx.shape)} and source ${shapeStr(src.shape)} do not fit rows of ${shapeStr(x.shape)}: flatten them, as index_add_(0, Xb.view(-1), demb.view(-1, ${row}))`, e.at);
	const contiguous = x.offset === 0 && x.data.length === x.size && x.strides.every((st, i) => st === x.strides.slice(i + 1).reduce((p, _, j) => p * x.shape[i + 1 + j], 1));
	if (inPlace && !contiguous) fail('index_add_ writes into a fresh tensor: start from torch.zeros_like(C)', e.at);
	const out = inPlace ? x : new Tensor(Float32Array.from(x.values()), [...x.shape]);
	const s = src.values();
	idx.values().forEach((r, k) => {
		for (let j = 0; j < row; j++) out.data[r * row + j] += s[k * row + j];
	});
	return out;
}

export { isTensor, describe };
