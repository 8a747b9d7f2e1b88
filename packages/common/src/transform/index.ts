// `@formalize/common/transform`: the transform artifact (schema, loader), the one transform function that
// preprocessing, training and serving share, the deterministic split, and a reader of transformed shards.
// Light on purpose: zod and node builtins; DuckDB only inside the shard reader, imported on first use.
export * from './split.ts';
export * from './artifact.ts';
export * from './apply.ts';
export * from './reader.ts';
