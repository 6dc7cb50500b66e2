// The kernels the op rules call: the speed layer of the engine (SIMD loops, gemm, strided walks, the storage pool).
export { add, addInto, binary, div, empty, fastTanh, full, mul, pow, reluBackward, sameBits, scale, sgdStep, sub, sumTo, tanh32, tanhBackward, unary, uninit, valuesAs, zip } from './elementwise';
export { matmul, matmulGradB, gemm, setSimdEnabled, type MatrixView } from './gemm';
export { lanes, maxLanes, scatterAtArg, shareAmongTies, spread, sumDims } from './reduce';
export { crossEntropy, crossEntropyBackward, softmax, softmaxBackward } from './softmax';
export { moments, normalize, normBackward, type Groups, type NormSaved } from './norm';
export { addRows, catBlocks, checkIndex, gatherOffsets, joinDType, select, splitBlocks, takeRows, trilValues } from './gather';
export { rowStarts, gatherInto, scatterInto, broadcastStrides } from './strided';
export { erf, gelu, geluBackward } from './gelu';
export { SIMD_MODULES } from './simd-base';
export { moduleBytes } from './wasm';
export { simdAdamW, type AdamWConstants } from './simd-adamw';
