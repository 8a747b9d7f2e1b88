// The container contract of a task: ExecutorInput provisioning, placeholder resolution, output
// collection, cache fingerprint and the final status handed to exit tasks.
export type { ArtifactList, ExecutorInput, ExecutorOutput, RuntimeArtifact } from './types.ts';
export { buildExecutorInput, executorInputJson, outputArtifactUri, EXECUTOR_OUTPUT_FILE, type BuildExecutorInputOptions } from './executor-input.ts';
export { resolveCommand, resolveValuePlaceholders, resolveExecutorInput, PlaceholderError, type PlaceholderContext } from './placeholders.ts';
export { readOutputs, readExecutorOutput, mergeRuntimeArtifact, OutputError, type ReadOutputsOptions, type TaskOutputs } from './executor-output.ts';
export { cacheKey, cacheKeyMessage, goJson, type CacheKeyOptions } from './cache-key.ts';
export { finalStatus, finalState, type FinalState, type FinalStatusOptions, type PipelineTaskFinalStatus } from './final-status.ts';
export { textToValue, valueText, formatNumber, canonicalJson, escapeJson, ValueParseError } from './values.ts';
