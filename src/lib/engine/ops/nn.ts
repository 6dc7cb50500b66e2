// Neural-network ops: softmax, logSoftmax, fused crossEntropy, batchNorm, layerNorm. (Filled in by the ops work.)
import type { RuleTable } from './types';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface NnAttrs {}

export const nnRules: RuleTable<keyof NnAttrs> = {};
