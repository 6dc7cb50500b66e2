// An element's width for the charts that draw at it, reported by a ResizeObserver.
import type { Attachment } from 'svelte/attachments';

/**
 * Report the element's clientWidth whenever it changes. NOTE: unlike `bind:clientWidth`, which reads the width as the
 * element is created (a forced layout of the whole page while the training view is building its panels), the
 * observer reads it after the browser's own layout, when it costs nothing.
 */
export function observeWidth(set: (width: number) => void): Attachment<HTMLElement> {
	return (node) => {
		const ro = new ResizeObserver(() => set(node.clientWidth));
		ro.observe(node);
		return () => ro.disconnect();
	};
}
