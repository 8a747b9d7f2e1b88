// The typed filters written as Vertex AI ML Metadata filter strings (AIP-160 syntax, as the
// List{Artifacts,Executions,Contexts} `filter` field documents it), for the Vertex backend:
//   type            -> schema_title="system.Model"
//   name            -> display_name="..."
//   uri             -> uri="..."
//   state           -> state="LIVE" | (state="COMPLETE" OR state="CACHED")   (CANCELED -> CANCELLED)
//   contextId       -> in_context("projects/.../contexts/...")
//   parentContextId -> parent_contexts:"projects/.../contexts/..."
//   metadata {k: v} -> metadata.k.string_value="v" | metadata.k.number_value=1 | metadata.k.bool_value=true
//   createdAfter    -> create_time>"2025-01-01T00:00:00Z"
// Clauses are joined with AND. Ids are used verbatim: on Vertex they are the resource names.
import type { ArtifactFilter, ContextFilter, ExecutionFilter, OrderBy } from './types.ts';

type AnyFilter = ArtifactFilter & ExecutionFilter & ContextFilter;

export function toVertexFilter(filter: ArtifactFilter | ExecutionFilter | ContextFilter = {}): string {
  const f = filter as AnyFilter;
  const clauses: string[] = [];
  if (f.type !== undefined) clauses.push(`schema_title=${quote(f.type)}`);
  if (f.name !== undefined) clauses.push(`display_name=${quote(f.name)}`);
  if (f.uri !== undefined) clauses.push(`uri=${quote(f.uri)}`);
  if (f.state !== undefined) {
    const states = (Array.isArray(f.state) ? f.state : [f.state]).map((s) => `state=${quote(s === 'CANCELED' ? 'CANCELLED' : s)}`);
    clauses.push(states.length === 1 ? states[0]! : `(${states.join(' OR ')})`);
  }
  if (f.contextId !== undefined) clauses.push(`in_context(${quote(f.contextId)})`);
  if (f.parentContextId !== undefined) clauses.push(`parent_contexts:${quote(f.parentContextId)}`);
  for (const [key, value] of Object.entries(f.metadata ?? {})) {
    const field = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : quote(key);
    if (typeof value === 'string') clauses.push(`metadata.${field}.string_value=${quote(value)}`);
    else if (typeof value === 'number') clauses.push(`metadata.${field}.number_value=${value}`);
    else clauses.push(`metadata.${field}.bool_value=${value}`);
  }
  if (f.createdAfter !== undefined) clauses.push(`create_time>${quote(f.createdAfter)}`);
  return clauses.join(' AND ');
}

/** The List* request's `order_by` for an OrderBy. */
export function toVertexOrderBy(orderBy: OrderBy): string {
  return orderBy === 'createTime desc' ? 'create_time desc' : 'create_time';
}

// AIP-160 string literals are double-quoted with backslash escapes, as JSON strings are.
function quote(s: string): string {
  return JSON.stringify(s);
}
