// Immutable set helpers: the debugger's sets live in $state.raw and are replaced, never mutated in place.

/** A new set with `x` added when absent, removed when present. */
export function toggled<T>(set: ReadonlySet<T>, x: T): ReadonlySet<T> {
	const s = new Set(set);
	if (s.has(x)) s.delete(x);
	else s.add(x);
	return s;
}

/** A new set of the items of `set` that pass `keep`. */
export function filtered<T>(set: Iterable<T>, keep: (x: T) => boolean): ReadonlySet<T> {
	return new Set([...set].filter(keep));
}

/** A new set from items. */
export function setOf<T>(items: Iterable<T> = []): ReadonlySet<T> {
	return new Set(items);
}

/** `base` with `add` added and `remove` removed. */
export function adjusted<T>(base: Iterable<T>, add: Iterable<T>, remove: Iterable<T>): ReadonlySet<T> {
	const s = new Set(base);
	for (const x of remove) s.delete(x);
	for (const x of add) s.add(x);
	return s;
}
