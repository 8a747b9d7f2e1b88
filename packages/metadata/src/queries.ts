// Queries the pipelines need, written only against the MetadataStore interface so they work on any
// backend: lineage of an artifact, latest artifact of a type in a context, artifacts by label, cache lookup.
import type { Artifact, Execution, Filter, JsonObject } from './model.ts';
import type { MetadataStore } from './store.ts';

export interface LineageNode {
  artifact: Artifact;
  /** The execution that produced it (OUTPUT event), with the lineage of its inputs. */
  producer?: { execution: Execution; inputs: { path: string; node: LineageNode }[] };
}

/** What produced an artifact (by id or URI; the newest artifact with that URI), from what, recursively. */
export async function lineageOf(store: MetadataStore, artifactIdOrUri: string): Promise<LineageNode | undefined> {
  const root = /^\d+$/.test(artifactIdOrUri)
    ? await store.getArtifact(artifactIdOrUri)
    : (await store.listArtifacts({ filter: { uri: artifactIdOrUri }, orderBy: 'createTime desc', limit: 1 }))[0];
  if (!root) return undefined;
  const graph = await store.queryArtifactLineageSubgraph(root.id, { direction: 'upstream' });
  const artifacts = new Map(graph.artifacts.map((a) => [a.id, a]));
  const executions = new Map(graph.executions.map((e) => [e.id, e]));
  const build = (artifact: Artifact, seen: Set<string>): LineageNode => {
    const out = graph.events.find((e) => e.type === 'OUTPUT' && e.artifactId === artifact.id);
    const execution = out && executions.get(out.executionId);
    if (!execution || seen.has(execution.id)) return { artifact };
    const inner = new Set(seen).add(execution.id);
    const inputs = graph.events.filter((e) => e.type === 'INPUT' && e.executionId === execution.id)
      .map((e) => ({ path: e.path, node: build(artifacts.get(e.artifactId)!, inner) }));
    return { artifact, producer: { execution, inputs } };
  };
  return build(root, new Set());
}

/** Newest artifact of `type` attributed to a context (by id or by name of a context of any type). */
export async function latestArtifact(store: MetadataStore, q: { type: string; contextId?: string; contextName?: string }): Promise<Artifact | undefined> {
  let contextId = q.contextId;
  if (!contextId && q.contextName) {
    const [ctx] = await store.listContexts({ filter: { name: q.contextName }, orderBy: 'createTime desc', limit: 1 });
    if (!ctx) return undefined;
    contextId = ctx.id;
  }
  const filter: Filter = { type: q.type, ...(contextId ? { contextId } : {}) };
  return (await store.listArtifacts({ filter, orderBy: 'createTime desc', limit: 1 }))[0];
}

/** Artifacts whose metadata has all the given values (e.g. `{ label: 'candidate_model' }`), newest first. */
export function findArtifacts(store: MetadataStore, q: { metadata: JsonObject; type?: string; limit?: number }): Promise<Artifact[]> {
  return store.listArtifacts({ filter: { metadata: q.metadata, ...(q.type ? { type: q.type } : {}) }, orderBy: 'createTime desc', ...(q.limit ? { limit: q.limit } : {}) });
}

export interface CachedExecutionHit {
  execution: Execution;
  /** Output artifacts by event path (output name). */
  outputs: Record<string, Artifact[]>;
}

/** The latest successful execution with this cache key (KFP caching), with its output artifacts. */
export async function findCachedExecution(store: MetadataStore, cacheKey: string): Promise<CachedExecutionHit | undefined> {
  const [execution] = await store.listExecutions({ filter: { state: 'COMPLETE', metadata: { cache_key: cacheKey } }, orderBy: 'createTime desc', limit: 1 });
  if (!execution) return undefined;
  const io = await store.queryExecutionInputsAndOutputs(execution.id);
  const byId = new Map(io.artifacts.map((a) => [a.id, a]));
  const outputs: Record<string, Artifact[]> = {};
  for (const e of io.events) if (e.type === 'OUTPUT') (outputs[e.path] ??= []).push(byId.get(e.artifactId)!);
  return { execution, outputs };
}

/** The Vertex AI ML Metadata filter string equivalent to a typed filter (AIP-160 syntax). */
export function toVertexFilter(f: Filter, resourcePrefix?: string): string {
  const q = (s: string) => JSON.stringify(s);
  const parts: string[] = [];
  if (f.type) parts.push(`schema_title=${q(f.type)}`);
  if (f.state) parts.push(`state=${f.state}`);
  if (f.uri) parts.push(`uri=${q(f.uri)}`);
  if (f.name) parts.push(`display_name=${q(f.name)}`);
  if (f.contextId) parts.push(`in_context(${q(resourcePrefix ? `${resourcePrefix}/contexts/${f.contextId}` : f.contextId)})`);
  for (const [k, v] of Object.entries(f.metadata ?? {})) {
    const kind = typeof v === 'string' ? 'string_value' : typeof v === 'number' ? 'number_value' : typeof v === 'boolean' ? 'bool_value' : undefined;
    if (!kind) throw new Error(`filter.metadata.${k}: only string, number and boolean values map to Vertex filters, received ${JSON.stringify(v)}`);
    parts.push(`metadata.${k}.${kind}=${typeof v === 'string' ? q(v) : String(v)}`);
  }
  return parts.join(' AND ');
}
