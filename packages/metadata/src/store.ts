// The metadata store interface. Method names and semantics follow Vertex AI's MetadataService
// (google.cloud.aiplatform.v1) so that a Vertex backend is a thin adapter; everything is async because
// that backend is remote. The embedded backend is SQLite (`openSqliteStore`).
import type { Artifact, Context, Event, Execution, LineageSubgraph, ListOptions, NewArtifact, NewContext, NewEvent, NewExecution, JsonObject } from './model.ts';

export interface MetadataStore {
  createArtifact(a: NewArtifact): Promise<Artifact>;
  getArtifact(id: string): Promise<Artifact | undefined>;
  updateArtifact(id: string, patch: { state?: Artifact['state']; metadata?: JsonObject }): Promise<Artifact>;
  listArtifacts(opts?: ListOptions): Promise<Artifact[]>;

  createExecution(e: NewExecution): Promise<Execution>;
  getExecution(id: string): Promise<Execution | undefined>;
  updateExecution(id: string, patch: { state?: Execution['state']; metadata?: JsonObject }): Promise<Execution>;
  listExecutions(opts?: ListOptions): Promise<Execution[]>;

  /** Vertex `CreateContext` with an id derived from (type, name): returns the existing one if present. */
  getOrCreateContext(c: NewContext): Promise<Context>;
  getContext(id: string): Promise<Context | undefined>;
  updateContext(id: string, patch: { metadata?: JsonObject }): Promise<Context>;
  listContexts(opts?: ListOptions): Promise<Context[]>;
  addContextChildren(parentId: string, childIds: string[]): Promise<void>;
  /** Attributions (artifact in context) and associations (execution in context). */
  addContextArtifactsAndExecutions(contextId: string, artifactIds: string[], executionIds: string[]): Promise<void>;

  addExecutionEvents(executionId: string, events: NewEvent[]): Promise<void>;
  queryExecutionInputsAndOutputs(executionId: string): Promise<{ artifacts: Artifact[]; events: Event[] }>;
  /** Walks events from an artifact: upstream (what produced it, from what), downstream, or both. */
  queryArtifactLineageSubgraph(artifactId: string, opts?: { maxHops?: number; direction?: 'upstream' | 'downstream' | 'both' }): Promise<LineageSubgraph>;

  close(): Promise<void>;
}
