// Lecture 3's ratios of spreads, for the inspector: defined with the other statistics in data/stats.ts, which the
// training diagnostics use too.
export { spreadRatio, updateOf, type SpreadRatio, type UpdateRatio } from '../data/stats';
