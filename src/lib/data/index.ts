// The data layer's public API: vocabularies, names and text datasets, splits, safetensors checkpoints.
export { BOUNDARY, Vocab, showChar, distinctChars } from './vocab';
export { parseLines, buildExamples, scanNames, selectLines, contextOf, examplesAt, examplesBatch, sampleNamesBatch, type Batch, type NamesExamples } from './names';
export { encodeText, normalizeNewlines, sampleTextBatch, windowCount, windowsBatch } from './text';
export { splitLines, splitText, type SplitName, type Splits } from './split';
export {
	detectFormat,
	prepareData,
	exampleCount,
	sampleBatch,
	evalBatches,
	type DataFormat,
	type DataPart,
	type Dataset,
	type NamesData,
	type TextData,
	type PrepareOptions
} from './dataset';
export { encodeSafetensors, decodeSafetensors, type SafeTensor, type SafeDType, type SafetensorsFile } from './safetensors';
export { encodeCheckpoint, decodeCheckpoint, parseConfig, firstNonFinite, loadStateDict, type Checkpoint, type CheckpointConfig, type HyperValue } from './checkpoint';
export { validateUserText, USER_TEXT_LIMITS, type UserTextReport, type UserTextOptions } from './user-text';
export * from './limits';
export { checkDataSize, decodeText, firstInvalidUtf8, trainingNotes, loadTrainingData, type TrainingData } from './validate';
export { histogram, rms, spreadRatio, tensorStats, updateOf, type Density, type Histogram, type SpreadRatio, type TensorStats, type UpdateRatio } from './stats';
export { summarizeCurve, type CurvePoint, type ValPoint } from './curve';
