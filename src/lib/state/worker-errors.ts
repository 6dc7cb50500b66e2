// Telling an out-of-memory failure from other errors, for the recording worker and its client alike.

/** Whether an error message is an allocation failure (V8's RangeErrors for typed arrays and heaps). */
export function isOutOfMemory(message: string): boolean {
	return /allocation failed|out of memory|invalid (typed )?array length|array buffer/i.test(message);
}
