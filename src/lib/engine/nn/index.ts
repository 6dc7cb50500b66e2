// The nn modules (torch.nn): the Module base and the layers of the makemore and GPT lectures.
export { Module, ModuleList, Sequential, type TensorLike } from './module';
export { Linear, Embedding, Tanh, ReLU, Flatten, FlattenConsecutive, Dropout } from './layers';
export { BatchNorm1d, LayerNorm, type BatchNorm1dOptions } from './norm';
export { Head, MultiHeadAttention, FeedForward, Block, type AttentionScale } from './transformer';
export { uniformInit, normalInit, scaleInPlace, fillInPlace } from './init';
