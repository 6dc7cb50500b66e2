// Indexing ops: embedding (gather rows), cat, stack, maskedFill, where, tril. (Filled in by the ops work.)
import type { RuleTable } from './types';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface IndexAttrs {}

export const indexRules: RuleTable<keyof IndexAttrs> = {};
