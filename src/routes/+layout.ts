// The app is fully client-side: prerendered shell, no server rendering.
export const prerender = true;
export const ssr = false;
