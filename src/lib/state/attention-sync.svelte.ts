// Wire the attention explorer to the page URL: open the view in the address bar, write it back (replaceState) on change.
import { untrack } from 'svelte';
import { replaceState } from '$app/navigation';
import { resolve } from '$app/paths';
import type { AttentionState } from './attention.svelte';
import { decodeAttention, encodeAttention } from './attention-url';

/** Call during component setup. */
export function useAttentionUrl(att: AttentionState): void {
	let ready = $state(false);
	$effect(() => {
		const notices: string[] = [];
		untrack(() => att.open(decodeAttention(window.location.search, notices), notices)).then(() => (ready = true));
	});
	$effect(() => {
		const q = encodeAttention(att.view);
		if (!ready || `?${q}` === window.location.search) return;
		// NOTE: debounced: typing changes the text on every key, and browsers throttle frequent replaceState calls
		const timer = setTimeout(() => {
			// never over another page's history entry (Back pressed meanwhile)
			if (window.location.pathname !== resolve('/attention')) return;
			// eslint-disable-next-line svelte/no-navigation-without-resolve -- same resolved page, only the query string changes
			replaceState(resolve('/attention') + '?' + q, {});
		}, 200);
		return () => clearTimeout(timer);
	});
}
