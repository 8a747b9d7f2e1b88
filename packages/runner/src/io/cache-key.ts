// Cache fingerprint of a container task, computed as the KFP driver does (`cacheutils/cache.go`):
// the CacheKey proto (api/v2alpha1/cache_key.proto) as JSON, re-marshalled by Go's encoding/json (keys
// sorted, `<>&` escaped, empty fields omitted), then hex SHA-256. With a custom key from
// `cachingOptions.cacheKey`: SHA-256 of `<component name>\0<key>`, ignoring every other input.
//
// Local runs have no ML Metadata artifact names: `inputArtifactNames` lists the artifacts' URIs instead.
// A URI identifies one produced artifact (every task writes under its own run folder), so a task whose
// upstream re-ran gets a new key, and one whose upstream was a cache hit (same URIs) keeps its key,
// which is the behaviour MLMD artifact IDs give on KFP.
import { createHash } from 'node:crypto';
import type { ComponentSpec, ContainerSpec, JsonObject, JsonValue } from '@formalize/common';
import type { ArtifactRecord } from '../types.ts';
import { compareCodePoints } from './values.ts';

export interface CacheKeyOptions {
  /** `componentRef.name` of the task (`comp-...`). */
  componentName: string;
  componentSpec: ComponentSpec;
  container: ContainerSpec;
  /** The task's input parameter values (as in its ExecutorInput). */
  parameterValues: Record<string, JsonValue>;
  inputArtifacts: Record<string, ArtifactRecord[]>;
  /** `cachingOptions.cacheKey`. */
  customKey?: string;
}

/** Go `encoding/json` Marshal of a decoded JSON value: sorted keys, HTML-safe string escaping. */
export function goJson(v: JsonValue): string {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return JSON.stringify(v);
  if (typeof v === 'string') {
    return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  return `{${Object.keys(v).sort(compareCodePoints).map((k) => `${goJson(k)}:${goJson(v[k]!)}`).join(',')}}`;
}

/** The CacheKey message in proto3 JSON, with empty fields omitted as protojson does. */
export function cacheKeyMessage(opts: Omit<CacheKeyOptions, 'customKey'>): JsonObject {
  const key: JsonObject = {};
  const artifactNames: JsonObject = {};
  for (const [name, list] of Object.entries(opts.inputArtifacts)) {
    if (!list?.length) continue;
    artifactNames[name] = { artifactNames: list.map((a) => a.uri) };
  }
  if (Object.keys(artifactNames).length) key.inputArtifactNames = artifactNames;

  const params: JsonObject = {};
  for (const [name, v] of Object.entries(opts.parameterValues)) if (v !== undefined) params[name] = v;
  if (Object.keys(params).length) key.inputParameterValues = params;

  // Output artifacts as provisioned, URI wiped: type and the spec's initial metadata (the driver sets no name).
  const outArtifacts: JsonObject = {};
  for (const [name, def] of Object.entries(opts.componentSpec.outputDefinitions?.artifacts ?? {})) {
    const a: JsonObject = { type: { schemaTitle: def.artifactType.schemaTitle, schemaVersion: def.artifactType.schemaVersion } };
    const metadata = (def as { metadata?: JsonObject }).metadata;
    if (metadata) a.metadata = metadata;
    outArtifacts[name] = a;
  }
  if (Object.keys(outArtifacts).length) key.outputArtifactsSpec = outArtifacts;

  const outParams: JsonObject = {};
  for (const [name, def] of Object.entries(opts.componentSpec.outputDefinitions?.parameters ?? {})) outParams[name] = def.parameterType;
  if (Object.keys(outParams).length) key.outputParametersSpec = outParams;

  const c = opts.container;
  const containerSpec: JsonObject = {};
  if (c.image) containerSpec.image = c.image;
  const cmdArgs = [...(c.command ?? []), ...(c.args ?? [])];
  if (cmdArgs.length) containerSpec.cmdArgs = cmdArgs;
  // Newer KFP backends add the container env to ContainerSpec; it changes what the task does.
  if (c.env?.length) containerSpec.env = c.env.map((e): JsonObject => (e.value ? { name: e.name, value: e.value } : { name: e.name }));
  key.containerSpec = containerSpec;
  return key;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** Hex SHA-256 fingerprint of a task for cache lookups. */
export function cacheKey(opts: CacheKeyOptions): string {
  if (opts.customKey) return sha256(`${opts.componentName}\0${opts.customKey}`);
  return sha256(goJson(cacheKeyMessage(opts)));
}
