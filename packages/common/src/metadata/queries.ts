// Queries the pipelines and the runner need, written only against the MetadataStore interface so they
// work on any backend (embedded SQLite now, Vertex AI ML Metadata later): lineage of an artifact, the
// latest artifact of a type in a context, artifacts by metadata (labels), and the KFP cache lookup.
import { z } from 'zod';
import { parseInput } from './errors.ts';
import type { MetadataStore } from './store.ts';
import {
  ArtifactStateSchema, EXECUTION_KEYS, IdSchema, MetadataMatchSchema, TypeNameSchema,
  type Artifact, type ArtifactFilter, type Event, type Execution, type JsonValue, type LineageSubgraph,
} from './types.ts';

// ---- lineage ----

export interface LineageNode {
  artifact: Artifact;
  /** The execution that output this artifact; absent for artifacts that came from outside (imports, raw data). */
  producer?: {
    execution: Execution;
    /** The output key the artifact was written under. */
    path: string;
    /** The producer's input artifacts, each with its own lineage. */
    inputs: { path: string; index?: number; node: LineageNode }[];
  };
}

export interface Lineage {
  root: LineageNode;
  /** The upstream subgraph the tree was built from. */
  graph: LineageSubgraph;
}

/**
 * What produced an artifact and from what, recursively. `artifactUriOrId` is first looked up as a URI
 * (the newest artifact with it), then as an id. Undefined when neither names an artifact.
 * An artifact reused by cache hits has several OUTPUT events; its producer is the original execution
 * (not CACHED), the earliest when there are several.
 */
export async function lineageOf(store: MetadataStore, artifactUriOrId: string, options: { maxHops?: number } = {}): Promise<Lineage | undefined> {
  const key = parseInput(z.string().min(1), artifactUriOrId, 'lineageOf', 'artifactUriOrId');
  const root = (await store.listArtifacts({ filter: { uri: key }, orderBy: 'createTime desc', limit: 1 }))[0] ?? (await store.getArtifact(key));
  if (!root) return undefined;
  const graph = await store.queryArtifactLineageSubgraph(root.id, { direction: 'upstream', ...options });
  const artifacts = new Map(graph.artifacts.map((a) => [a.id, a]));
  const executions = new Map(graph.executions.map((e) => [e.id, e]));
  const nodes = new Map<string, LineageNode>();
  const inProgress = new Set<string>();

  const producerEvent = (artifactId: string): Event | undefined => {
    const outputs = graph.events.filter((e) => e.type === 'OUTPUT' && e.artifactId === artifactId && executions.has(e.executionId));
    return outputs.find((e) => executions.get(e.executionId)!.state !== 'CACHED') ?? outputs[0];
  };

  // Shared inputs (diamonds) become one shared node; a cycle in bad data ends at a bare node.
  const build = (artifact: Artifact): LineageNode => {
    const known = nodes.get(artifact.id);
    if (known) return known;
    if (inProgress.has(artifact.id)) return { artifact };
    const node: LineageNode = { artifact };
    const out = producerEvent(artifact.id);
    if (!out) {
      nodes.set(artifact.id, node);
      return node;
    }
    inProgress.add(artifact.id);
    const inputs = graph.events
      .filter((e) => e.type === 'INPUT' && e.executionId === out.executionId && artifacts.has(e.artifactId))
      .map((e) => ({ path: e.path, ...(e.index !== undefined ? { index: e.index } : {}), node: build(artifacts.get(e.artifactId)!) }));
    inProgress.delete(artifact.id);
    node.producer = { execution: executions.get(out.executionId)!, path: out.path, inputs };
    nodes.set(artifact.id, node);
    return node;
  };
  return { root: build(root), graph };
}

// ---- latest artifact in a context ----

const LatestArtifactQuerySchema = z.strictObject({
  type: TypeNameSchema,
  contextId: IdSchema.optional(),
  contextName: z.string().min(1).optional(),
  /** Type of the context named by `contextName` (default `system.PipelineRun`). */
  contextType: TypeNameSchema.optional(),
  /** Also search the context's descendants, e.g. all runs under a `system.Pipeline` context. */
  descendants: z.boolean().optional(),
  /** Artifact states that count (default LIVE: a PENDING or DELETED artifact is not "the latest model"). */
  state: z.union([ArtifactStateSchema, z.array(ArtifactStateSchema).min(1)]).optional(),
}).refine((q) => (q.contextId === undefined) !== (q.contextName === undefined), {
  message: 'give exactly one of contextId and contextName',
  path: ['contextId'],
});
export type LatestArtifactQuery = z.input<typeof LatestArtifactQuerySchema>;

/** The newest artifact of a type attributed to a context (by createTime), or undefined. */
export async function latestArtifact(store: MetadataStore, query: LatestArtifactQuery): Promise<Artifact | undefined> {
  const q = parseInput(LatestArtifactQuerySchema, query, 'latestArtifact');
  let contextId = q.contextId;
  if (contextId === undefined) {
    const filter = { type: q.contextType ?? 'system.PipelineRun', name: q.contextName! };
    const [context] = await store.listContexts({ filter, limit: 1 });
    if (!context) return undefined;
    contextId = context.id;
  }
  const contextIds = q.descendants ? await withDescendants(store, contextId) : [contextId];
  let latest: Artifact | undefined;
  for (const id of contextIds) {
    const filter: ArtifactFilter = { type: q.type, contextId: id, state: q.state ?? 'LIVE' };
    const [candidate] = await store.listArtifacts({ filter, orderBy: 'createTime desc', limit: 1 });
    if (candidate && (!latest || Date.parse(candidate.createTime) > Date.parse(latest.createTime))) latest = candidate;
  }
  return latest;
}

async function withDescendants(store: MetadataStore, rootId: string): Promise<string[]> {
  const seen = new Set([rootId]);
  const queue = [rootId];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const child of await store.listContexts({ filter: { parentContextId: id } })) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      queue.push(child.id);
    }
  }
  return [...seen];
}

// ---- artifacts by metadata ----

const FindArtifactsQuerySchema = z.strictObject({
  metadata: MetadataMatchSchema,
  type: TypeNameSchema.optional(),
  contextId: IdSchema.optional(),
  state: z.union([ArtifactStateSchema, z.array(ArtifactStateSchema).min(1)]).optional(),
  limit: z.int().positive().optional(),
});
export type FindArtifactsQuery = z.input<typeof FindArtifactsQuerySchema>;

/** Artifacts whose metadata has all the given values (e.g. `{ label: 'candidate_model' }`), newest first. */
export async function findArtifacts(store: MetadataStore, query: FindArtifactsQuery): Promise<Artifact[]> {
  const { limit, ...filter } = parseInput(FindArtifactsQuerySchema, query, 'findArtifacts');
  return store.listArtifacts({ filter, orderBy: 'createTime desc', ...(limit ? { limit } : {}) });
}

// ---- cache lookup ----

export interface CachedExecutionHit {
  /** The COMPLETE execution whose outputs can be reused (the original, when found through a CACHED one). */
  execution: Execution;
  /** Its output artifacts by output key, in list order. */
  outputs: Record<string, Artifact[]>;
  /** Its output parameters (execution metadata `output_parameters`). */
  outputParameters: Record<string, JsonValue>;
}

/**
 * The KFP cache lookup: the newest execution with metadata `cache_key` equal to `cacheKey` that is
 * COMPLETE, or CACHED and pointing (`cached_execution_id`) at a COMPLETE original, together with that
 * execution's outputs. FAILED/RUNNING/CANCELED executions never match, nor do executions whose output
 * artifacts are no longer LIVE (marked for deletion or deleted: their files may be gone).
 */
export async function findCachedExecution(store: MetadataStore, cacheKey: string): Promise<CachedExecutionHit | undefined> {
  const key = parseInput(z.string().min(1), cacheKey, 'findCachedExecution', 'cacheKey');
  const candidates = await store.listExecutions({
    filter: { metadata: { [EXECUTION_KEYS.cacheKey]: key }, state: ['COMPLETE', 'CACHED'] },
    orderBy: 'createTime desc',
  });
  const tried = new Set<string>();
  for (const candidate of candidates) {
    const execution = candidate.state === 'COMPLETE' ? candidate : await originalOf(store, candidate);
    if (!execution || tried.has(execution.id)) continue;
    tried.add(execution.id);
    const io = await store.queryExecutionInputsAndOutputs(execution.id);
    const artifacts = new Map(io.artifacts.map((a) => [a.id, a]));
    const outputEvents = io.events.filter((e) => e.type === 'OUTPUT');
    if (outputEvents.some((e) => artifacts.get(e.artifactId)?.state !== 'LIVE')) continue;
    const outputs: Record<string, Artifact[]> = {};
    // Stable sort: events without an index keep the order they were recorded in.
    for (const e of outputEvents.sort((a, b) => (a.index ?? 0) - (b.index ?? 0))) (outputs[e.path] ??= []).push(artifacts.get(e.artifactId)!);
    const params = execution.metadata[EXECUTION_KEYS.outputParameters];
    const outputParameters = params !== null && typeof params === 'object' && !Array.isArray(params) ? params : {};
    return { execution, outputs, outputParameters };
  }
  return undefined;
}

async function originalOf(store: MetadataStore, cached: Execution): Promise<Execution | undefined> {
  const id = cached.metadata[EXECUTION_KEYS.cachedExecutionId];
  if (typeof id !== 'string' || id === '') return undefined;
  const original = await store.getExecution(id);
  return original?.state === 'COMPLETE' ? original : undefined;
}
