// The metadata store interface. Each method mirrors one RPC of Vertex AI's MetadataService
// (google.cloud.aiplatform.v1) so that a Vertex backend is a thin adapter; all methods are async
// because Vertex is remote, even though the embedded SQLite backend is synchronous underneath.
import type {
  Artifact, ArtifactFilter, ArtifactUpdate, Context, ContextFilter, ContextUpdate, Execution, ExecutionFilter,
  ExecutionUpdate, LineageQuery, LineageSubgraph, ListQuery, NewArtifact, NewContext, NewEvent, NewExecution,
} from './types.ts';

export interface MetadataStore {
  /** CreateArtifact. `state` defaults to LIVE, `metadata` to `{}`. */
  createArtifact(artifact: NewArtifact): Promise<Artifact>;
  /** GetArtifact; undefined when there is no such artifact. */
  getArtifact(id: string): Promise<Artifact | undefined>;
  /** UpdateArtifact; metadata keys are merged, labels replaced. Throws MetadataNotFoundError. */
  updateArtifact(id: string, update: ArtifactUpdate): Promise<Artifact>;
  /** ListArtifacts with a typed filter (see `toVertexFilter` for the Vertex filter string). */
  listArtifacts(query?: ListQuery<ArtifactFilter>): Promise<Artifact[]>;

  createExecution(execution: NewExecution): Promise<Execution>;
  getExecution(id: string): Promise<Execution | undefined>;
  updateExecution(id: string, update: ExecutionUpdate): Promise<Execution>;
  listExecutions(query?: ListQuery<ExecutionFilter>): Promise<Execution[]>;

  /** CreateContext; throws MetadataAlreadyExistsError when a context of that type and name exists. */
  createContext(context: NewContext): Promise<Context>;
  /** The context of that type and name, created when missing (an existing one is returned unchanged). */
  getOrCreateContext(context: NewContext): Promise<Context>;
  getContext(id: string): Promise<Context | undefined>;
  updateContext(id: string, update: ContextUpdate): Promise<Context>;
  listContexts(query?: ListQuery<ContextFilter>): Promise<Context[]>;
  /** AddContextChildren; idempotent. Rejects cycles and more than 10 parents per context, as Vertex does. */
  addContextChildren(contextId: string, childContextIds: string[]): Promise<void>;
  /** AddContextArtifactsAndExecutions (attributions and associations); idempotent. */
  addContextArtifactsAndExecutions(contextId: string, artifactIds: string[], executionIds: string[]): Promise<void>;

  /** AddExecutionEvents; an event equal to an existing one (same artifact, type, path, index) is skipped. */
  addExecutionEvents(executionId: string, events: NewEvent[]): Promise<void>;
  /** QueryArtifactLineageSubgraph, with a direction (see LineageQuery). Throws MetadataNotFoundError. */
  queryArtifactLineageSubgraph(artifactId: string, query?: LineageQuery): Promise<LineageSubgraph>;
  /** QueryExecutionInputsAndOutputs: the execution, its input/output artifacts and the events. */
  queryExecutionInputsAndOutputs(executionId: string): Promise<LineageSubgraph>;

  /**
   * Runs `body` atomically: the writes it makes through this store commit together or not at all. Optional:
   * the embedded SQLite store has it, Vertex AI ML Metadata has no transactions (code that needs atomic
   * multi-writes, such as the model registry, refuses a store without it).
   */
  transaction?<T>(body: () => Promise<T>): Promise<T>;

  close(): Promise<void>;
}
