// What can go wrong with the browser's storage, as messages that say what happened and what to do.

export type StoreErrorKind = 'unavailable' | 'quota' | 'corrupt' | 'missing' | 'failed';

export class StoreError extends Error {
	constructor(readonly kind: StoreErrorKind, message: string) {
		super(message);
		this.name = 'StoreError';
	}
}

export const UNAVAILABLE =
	'This browser does not let the page store data (a private window, or site data turned off): runs train, but a reload loses them. Export a run as .safetensors to keep it.';

/** A failed storage call as a StoreError: a full quota, storage that is gone, or anything else (named). */
export function toStoreError(e: unknown, doing: string): StoreError {
	if (e instanceof StoreError) return e;
	const name = e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException) ? (e as Error).name : '';
	const detail = e instanceof Error ? e.message : String(e);
	if (name === 'QuotaExceededError' || /quota/i.test(detail)) {
		return new StoreError('quota', `The browser's storage for this site is full, so ${doing} failed; what was stored before is unchanged. Delete or export old runs, then try again.`);
	}
	if (name === 'InvalidStateError' || name === 'SecurityError' || name === 'UnknownError') return new StoreError('unavailable', `${UNAVAILABLE} (${doing}: ${detail})`);
	return new StoreError('failed', `${doing} failed: ${detail}`);
}
