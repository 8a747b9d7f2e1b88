// Provisions a container task's ExecutorInput as the KFP driver does (`driver.go::provisionOutputs`)
// with kfp.local's on-disk layout: every output lives in the task folder.
//   <taskDir>/<param>                 output parameter files
//   <taskDir>/<artifact>              output artifacts (URI = that path, or the gs:// URI it is mounted from)
//   <taskDir>/executor_output.json    ExecutorOutput
// Defaults of unset optional inputs are added, as the launcher's `addDefaultParams` does.
import { join, relative, resolve, sep } from 'node:path';
import { uriToLocalPath, localPathToUri, type ComponentSpec, type Env, type JsonObject, type JsonValue } from '@formalize/common';
import type { ArtifactRecord } from '../types.ts';
import type { ArtifactList, ExecutorInput, RuntimeArtifact } from './types.ts';
import { compareCodePoints, sortKeys } from './values.ts';

export const EXECUTOR_OUTPUT_FILE = 'executor_output.json';

export interface BuildExecutorInputOptions {
  componentSpec: ComponentSpec;
  /** Resolved task inputs, including inputs the task adds beyond the component's interface (f-string channels). */
  parameterValues: Record<string, JsonValue>;
  inputArtifacts: Record<string, ArtifactRecord[]>;
  /** Local folder of the task; made absolute. */
  taskDir: string;
  /** Pipeline root; for an object-store root (gs://, s3://, minio://) output artifact URIs keep its scheme. */
  pipelineRoot?: string;
  /** Environment for URI <-> local path mapping (`FORMALIZE_GCS_MOUNT`); defaults to process.env. */
  env?: Env;
}

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

function sortedRecord<T>(entries: [string, T][]): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries.sort(([a], [b]) => compareCodePoints(a, b))) out[k] = v;
  return out;
}

/** URI of an output artifact stored at `localPath`: the path itself, or its URI under an object-store root. */
export function outputArtifactUri(localPath: string, pipelineRoot: string | undefined, env: Env): string {
  if (pipelineRoot && SCHEME.test(pipelineRoot) && !pipelineRoot.startsWith('file://')) {
    const root = pipelineRoot.replace(/\/+$/, '');
    const rootDir = resolve(uriToLocalPath(root, env));
    const rel = relative(rootDir, localPath);
    if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) return `${root}/${rel.split(sep).join('/')}`;
  }
  return localPathToUri(localPath, env);
}

function inputArtifactList(records: ArtifactRecord[], def: { artifactType: { schemaTitle: string; schemaVersion: string } } | undefined): ArtifactList {
  return {
    artifacts: records.map((r) => {
      const version = def && def.artifactType.schemaTitle === r.type ? def.artifactType.schemaVersion : '0.0.1';
      const a: RuntimeArtifact = { name: r.name, type: { schemaTitle: r.type, schemaVersion: version }, uri: r.uri, metadata: sortKeys(r.metadata) as JsonObject };
      return a;
    }),
  };
}

export function buildExecutorInput(opts: BuildExecutorInputOptions): ExecutorInput {
  const { componentSpec: spec } = opts;
  const env = opts.env ?? process.env;
  const taskDir = resolve(opts.taskDir);

  const params = new Map<string, JsonValue>();
  for (const [name, v] of Object.entries(opts.parameterValues)) if (v !== undefined) params.set(name, v);
  for (const [name, def] of Object.entries(spec.inputDefinitions?.parameters ?? {})) {
    if (!params.has(name) && def.defaultValue !== undefined) params.set(name, def.defaultValue);
  }

  const inputArtifacts: [string, ArtifactList][] = [];
  for (const [name, records] of Object.entries(opts.inputArtifacts)) {
    if (records?.length) inputArtifacts.push([name, inputArtifactList(records, spec.inputDefinitions?.artifacts?.[name])]);
  }

  const outputParams = Object.keys(spec.outputDefinitions?.parameters ?? {}).map((name): [string, { outputFile: string }] => [name, { outputFile: join(taskDir, name) }]);
  const outputArtifacts = Object.entries(spec.outputDefinitions?.artifacts ?? {}).map(([name, def]): [string, ArtifactList] => {
    // The output spec may carry initial metadata (ArtifactSpec.metadata), which the driver copies.
    const initial = (def as { metadata?: JsonObject }).metadata ?? {};
    const a: RuntimeArtifact = {
      name,
      type: { schemaTitle: def.artifactType.schemaTitle, schemaVersion: def.artifactType.schemaVersion },
      uri: outputArtifactUri(join(taskDir, name), opts.pipelineRoot, env),
      metadata: sortKeys(initial) as JsonObject,
    };
    return [name, { artifacts: [a] }];
  });

  const inputs: ExecutorInput['inputs'] = {};
  if (inputArtifacts.length) inputs.artifacts = sortedRecord(inputArtifacts);
  if (params.size) inputs.parameterValues = sortKeys(Object.fromEntries(params)) as Record<string, JsonValue>;
  // Keys in proto field order, so that JSON.stringify of the result reads like protojson.
  const outputs = {
    ...(outputParams.length ? { parameters: sortedRecord(outputParams) } : {}),
    ...(outputArtifacts.length ? { artifacts: sortedRecord(outputArtifacts) } : {}),
    outputFile: join(taskDir, EXECUTOR_OUTPUT_FILE),
  };
  return { inputs, outputs };
}

/** Compact proto3 JSON of an ExecutorInput (what `{{$}}` becomes): field order of the proto, map keys sorted. */
export function executorInputJson(ei: ExecutorInput): string {
  const list = (l: ArtifactList) => ({ artifacts: l.artifacts.map(runtimeArtifactJson) });
  const lists = (m: Record<string, ArtifactList> | undefined) =>
    m && Object.keys(m).length ? sortedRecord(Object.entries(m).map(([k, l]): [string, unknown] => [k, list(l)])) : undefined;
  const inputs: Record<string, unknown> = {};
  const ia = lists(ei.inputs.artifacts);
  if (ia) inputs.artifacts = ia;
  if (ei.inputs.parameterValues && Object.keys(ei.inputs.parameterValues).length) inputs.parameterValues = sortKeys(ei.inputs.parameterValues);
  const outputs: Record<string, unknown> = {};
  if (ei.outputs.parameters && Object.keys(ei.outputs.parameters).length) {
    outputs.parameters = sortedRecord(Object.entries(ei.outputs.parameters).map(([k, p]): [string, unknown] => [k, { outputFile: p.outputFile }]));
  }
  const oa = lists(ei.outputs.artifacts);
  if (oa) outputs.artifacts = oa;
  if (ei.outputs.outputFile) outputs.outputFile = ei.outputs.outputFile;
  return JSON.stringify({ inputs, outputs });
}

/** A RuntimeArtifact in proto field order (name, type, uri, metadata, customPath), empty fields omitted. */
export function runtimeArtifactJson(a: RuntimeArtifact): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (a.name) out.name = a.name;
  out.type = { schemaTitle: a.type.schemaTitle, schemaVersion: a.type.schemaVersion };
  if (a.uri) out.uri = a.uri;
  if (a.metadata) out.metadata = sortKeys(a.metadata);
  if (a.customPath) out.customPath = a.customPath;
  return out;
}
