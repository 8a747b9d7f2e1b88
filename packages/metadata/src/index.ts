export * from './model.ts';
export type { MetadataStore } from './store.ts';
export { openSqliteStore } from './sqlite.ts';
export { lineageOf, latestArtifact, findArtifacts, findCachedExecution, toVertexFilter, type LineageNode, type CachedExecutionHit } from './queries.ts';
