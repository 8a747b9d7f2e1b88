// The feeder (Seam 5): batches from the preprocessed Parquet shards, steered by feedback from training.
export * from './spec.ts';
export * from './options.ts';
export * from './feeder.ts';
export { FeederError } from './shard-reader.ts';
export { ShardDataError, duckdbShardSource, stratumOf } from './shard-source.ts';
export type { ShardSource, ShardStream, StratumOf } from './shard-source.ts';
export type { ColumnChunk, Column } from './chunk.ts';
export type { SourceFailure, SourceStats } from './sources.ts';
export * from './read-split.ts';
export * from './policy.ts';
