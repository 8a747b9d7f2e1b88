export * from './types.ts';
export {
  MetadataAlreadyExistsError, MetadataError, MetadataNotFoundError, MetadataValidationError,
  type EntityKind, type ValidationIssue,
} from './errors.ts';
export type { MetadataStore } from './store.ts';
export {
  METADATA_FILE_NAME, openSqliteStore, SQLITE_SCHEMA_VERSION, SqliteMetadataStore, type SqliteStoreOptions,
} from './sqlite.ts';
export {
  findArtifacts, findCachedExecution, latestArtifact, lineageOf,
  type CachedExecutionHit, type FindArtifactsQuery, type LatestArtifactQuery, type Lineage, type LineageNode,
} from './queries.ts';
export { toVertexFilter, toVertexOrderBy } from './vertex-filter.ts';
export { METADATA_STORE_ENV, openTaskStore } from './task-store.ts';
