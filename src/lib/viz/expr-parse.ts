// A small PyTorch-like expression language for writing a gradient by hand (lecture 4): tokens, then an AST with the
// column span of every node, so an error can point at the place. Evaluation is expr-eval.ts.

/** Columns [start, end) in the source (0-based; shown 1-based). */
export type Span = [number, number];

export type Expr =
	| { kind: 'num'; value: number; at: Span }
	| { kind: 'bool'; value: boolean; at: Span }
	| { kind: 'name'; id: string; at: Span }
	| { kind: 'list'; items: Expr[]; at: Span }
	| { kind: 'unary'; op: '-' | '+'; x: Expr; at: Span }
	| { kind: 'bin'; op: '+' | '-' | '*' | '/' | '@' | '**'; a: Expr; b: Expr; at: Span }
	| { kind: 'attr'; x: Expr; name: string; at: Span }
	| { kind: 'call'; fn: Expr; args: Expr[]; kwargs: Record<string, Expr>; at: Span }
	| { kind: 'index'; x: Expr; items: Expr[]; at: Span };

/** One line: `name = expr`, `name += expr`, `name[i, j] = expr` (also `+=`), or a bare expression. */
export type Statement = { kind: 'assign'; target: string; index: Expr[] | null; op: '=' | '+='; value: Expr; at: Span } | { kind: 'expr'; value: Expr; at: Span };

/** An error at a place in the source: `at` is the column span it is about. */
export class ExprError extends Error {
	constructor(
		message: string,
		readonly at: Span
	) {
		super(message);
	}
}

interface Token {
	t: 'num' | 'name' | 'op' | 'end';
	v: string;
	at: Span;
}

const OPS = ['**', '+=', '-=', '==', '+', '-', '*', '/', '@', '(', ')', '[', ']', ',', '.', '=', ':', ';'];

/** Cut the source into tokens (newlines and `;` separate statements). */
export function tokenize(src: string): Token[] {
	const out: Token[] = [];
	let i = 0;
	let depth = 0; // inside brackets a new line continues the line (a pasted list, a long call)
	while (i < src.length) {
		const c = src[i];
		if (c === '\n' && depth === 0) out.push({ t: 'op', v: ';', at: [i, i + 1] });
		if (/\s/.test(c)) {
			i++;
			continue;
		}
		if (c === '#') {
			while (i < src.length && src[i] !== '\n') i++;
			continue;
		}
		const num = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(src.slice(i));
		const name = /^[A-Za-z_][A-Za-z_0-9]*/.exec(src.slice(i));
		const op = OPS.find((o) => src.startsWith(o, i));
		const v = num?.[0] ?? name?.[0] ?? op;
		if (v === undefined) throw new ExprError(`unexpected character '${c}'`, [i, i + 1]);
		out.push({ t: num ? 'num' : name ? 'name' : 'op', v, at: [i, i + v.length] });
		if (v === '(' || v === '[') depth++;
		if (v === ')' || v === ']') depth = Math.max(0, depth - 1);
		i += v.length;
	}
	out.push({ t: 'end', v: '', at: [src.length, src.length] });
	return out;
}

const BINARY: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '@': 2 };

class Parser {
	private i = 0;
	constructor(private readonly toks: Token[]) {}

	private peek(): Token {
		return this.toks[this.i];
	}
	private take(): Token {
		return this.toks[this.i++];
	}
	private is(v: string): boolean {
		const t = this.peek();
		return t.t === 'op' && t.v === v;
	}
	private expect(v: string, what: string): Token {
		const t = this.peek();
		if (t.t === 'op' && t.v === v) return this.take();
		throw new ExprError(`expected '${v}' ${what}, found ${t.t === 'end' ? 'the end' : `'${t.v}'`}`, t.at);
	}

	statements(): Statement[] {
		const out: Statement[] = [];
		while (this.peek().t !== 'end') {
			if (this.is(';')) {
				this.take();
				continue;
			}
			out.push(this.statement());
			const t = this.peek();
			if (t.t !== 'end' && !this.is(';')) throw new ExprError(`unexpected '${t.v}': an operator or a new line is missing before it`, t.at);
		}
		return out;
	}

	private statement(): Statement {
		const start = this.i;
		const first = this.peek();
		if (first.t === 'name') {
			this.take();
			const index = this.is('[') ? this.indexItems() : null;
			if (this.is('=') || this.is('+=')) {
				const op = this.take().v as '=' | '+=';
				const value = this.expr(0);
				return { kind: 'assign', target: first.v, index, op, value, at: [first.at[0], value.at[1]] };
			}
			this.i = start;
		}
		const value = this.expr(0);
		return { kind: 'expr', value, at: value.at };
	}

	private indexItems(): Expr[] {
		this.expect('[', 'to index');
		const items = [this.expr(0)];
		while (this.is(',')) {
			this.take();
			items.push(this.expr(0));
		}
		this.expect(']', 'to close the index');
		return items;
	}

	/** Precedence climbing over + − (1) and * / @ (2); ** and unary minus bind tighter (as in Python). */
	expr(min: number): Expr {
		let a = this.unary();
		for (;;) {
			const t = this.peek();
			const p = t.t === 'op' ? BINARY[t.v] : undefined;
			if (p === undefined || p <= min) return a;
			this.take();
			const b = this.expr(p);
			a = { kind: 'bin', op: t.v as '+', a, b, at: [a.at[0], b.at[1]] };
		}
	}

	private unary(): Expr {
		const t = this.peek();
		if (this.is('-') || this.is('+')) {
			this.take();
			const x = this.unary();
			return { kind: 'unary', op: t.v as '-', x, at: [t.at[0], x.at[1]] };
		}
		const base = this.postfix(this.atom());
		if (!this.is('**')) return base;
		this.take();
		const b = this.unary(); // right-associative, and 2**-1 is allowed
		return { kind: 'bin', op: '**', a: base, b, at: [base.at[0], b.at[1]] };
	}

	private atom(): Expr {
		const t = this.take();
		if (t.t === 'num') return { kind: 'num', value: Number(t.v), at: t.at };
		if (t.t === 'name') return t.v === 'True' || t.v === 'False' ? { kind: 'bool', value: t.v === 'True', at: t.at } : { kind: 'name', id: t.v, at: t.at };
		if (t.t === 'op' && t.v === '(') {
			const e = this.expr(0);
			const close = this.expect(')', 'to close the bracket opened at column ' + (t.at[0] + 1));
			return { ...e, at: [t.at[0], close.at[1]] } as Expr;
		}
		if (t.t === 'op' && t.v === '[') return this.list(t);
		throw new ExprError(t.t === 'end' ? 'the expression ends too early' : `unexpected '${t.v}'`, t.at);
	}

	private list(open: Token): Expr {
		const items: Expr[] = [];
		while (!this.is(']')) {
			items.push(this.expr(0));
			if (!this.is(',')) break;
			this.take();
		}
		const close = this.expect(']', 'to close the list');
		return { kind: 'list', items, at: [open.at[0], close.at[1]] };
	}

	private postfix(x: Expr): Expr {
		for (;;) {
			if (this.is('.')) {
				this.take();
				const n = this.take();
				if (n.t !== 'name') throw new ExprError(`expected a name after '.', found '${n.v}'`, n.at);
				x = { kind: 'attr', x, name: n.v, at: [x.at[0], n.at[1]] };
			} else if (this.is('(')) x = this.call(x);
			else if (this.is('[')) {
				const items = this.indexItems();
				x = { kind: 'index', x, items, at: [x.at[0], this.toks[this.i - 1].at[1]] };
			} else return x;
		}
	}

	private call(fn: Expr): Expr {
		this.take();
		const args: Expr[] = [];
		const kwargs: Record<string, Expr> = {};
		while (!this.is(')')) {
			const t = this.peek();
			if (t.t === 'name' && this.toks[this.i + 1].t === 'op' && this.toks[this.i + 1].v === '=') {
				this.i += 2;
				kwargs[t.v] = this.expr(0);
			} else args.push(this.expr(0));
			if (!this.is(',')) break;
			this.take();
		}
		const close = this.expect(')', 'to close the call');
		return { kind: 'call', fn, args, kwargs, at: [fn.at[0], close.at[1]] };
	}
}

/** Parse a few lines of the gradient language into statements (throws ExprError with the place). */
export function parseProgram(src: string): Statement[] {
	const out = new Parser(tokenize(src)).statements();
	if (!out.length) throw new ExprError('write an expression for the gradient (or paste its values)', [0, 0]);
	return out;
}
