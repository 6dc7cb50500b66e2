// The engine's public API: a mini PyTorch in TypeScript. Nothing outside the engine imports its internals.
export { Tensor, type DType, type Storage } from './tensor';
export { tensor, full, zeros, ones, arange, detach, type TensorOptions } from './creation';
export * from './functional';
export { backward, releaseGraph } from './autograd';
export { recycling, clearFreeStorage, freeStorageBytes } from './kernels/pool';
export { sameBits } from './kernels/index';
export { noGrad, isGradEnabled } from './grad-mode';
export { BlankGenerator, Generator } from './random';
export { record, recycle, prepareRecording, setPhase, withScope, recorder, type Trace, type TraceNode, type TraceOp, type TraceTensor, type Phase, type Attrs } from './trace';
export { numel, broadcastShapes, shapeStr } from './shape';
export { isOpKind, type OpKind, type OpAttrs } from './ops/index';
export * from './functional-nn';
export * from './nn/index';
export * from './optim/index';
/** Run one op by kind with its attrs, as a trace node records it (the debugger replays traces with it). */
export { replay as applyOp } from './ops/index';
