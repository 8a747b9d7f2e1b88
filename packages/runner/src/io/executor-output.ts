// Reads a finished container task's outputs as the KFP launcher does (`launcher_v2.go`):
//   - the ExecutorOutput file is optional (missing = empty output);
//   - an output parameter comes from ExecutorOutput.parameterValues if present there, else from its
//     output file, converted by its declared type (`collectOutputParameters`, `TextToPbValue`);
//   - output artifacts are the provisioned ones with the ExecutorOutput's URI and metadata merged in
//     (`mergeRuntimeArtifacts`: a non-empty uri replaces, metadata keys are merged).
import { readFile } from 'node:fs/promises';
import { matchesParameterType, type ComponentSpec, type JsonObject, type JsonValue } from '@formalize/common';
import type { ArtifactRecord } from '../types.ts';
import type { ExecutorInput, ExecutorOutput, RuntimeArtifact } from './types.ts';
import { jsonKind, textToValue, ValueParseError } from './values.ts';

export class OutputError extends Error {
  override name = 'OutputError';
}

export interface ReadOutputsOptions {
  componentSpec: ComponentSpec;
  executorInput: ExecutorInput;
}

export interface TaskOutputs {
  parameters: Record<string, JsonValue>;
  artifacts: Record<string, ArtifactRecord[]>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Parses and shape-checks the ExecutorOutput file; a missing or empty file is an empty output. */
export async function readExecutorOutput(path: string): Promise<ExecutorOutput> {
  let text: string | undefined;
  try {
    text = await readText(path);
  } catch (err) {
    throw new OutputError(`cannot read the ExecutorOutput file ${path}: ${(err as Error).message}`);
  }
  if (text === undefined || text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new OutputError(`the ExecutorOutput file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(doc)) throw new OutputError(`the ExecutorOutput file ${path} must hold a JSON object, got ${jsonKind(doc)}`);
  const out: ExecutorOutput = {};
  if (doc.parameterValues !== undefined) {
    if (!isObject(doc.parameterValues)) throw new OutputError(`ExecutorOutput ${path}: parameterValues must be an object, got ${jsonKind(doc.parameterValues)}`);
    out.parameterValues = doc.parameterValues as Record<string, JsonValue>;
  }
  if (doc.artifacts !== undefined) {
    if (!isObject(doc.artifacts)) throw new OutputError(`ExecutorOutput ${path}: artifacts must be an object, got ${jsonKind(doc.artifacts)}`);
    const artifacts: NonNullable<ExecutorOutput['artifacts']> = {};
    for (const [name, list] of Object.entries(doc.artifacts)) {
      const items = isObject(list) ? list.artifacts : undefined;
      if (!isObject(list) || (items !== undefined && !Array.isArray(items))) {
        throw new OutputError(`ExecutorOutput ${path}: artifacts.${name} must be {"artifacts": [...]}, got ${JSON.stringify(list)}`);
      }
      for (const a of items ?? []) {
        if (!isObject(a)) throw new OutputError(`ExecutorOutput ${path}: artifacts.${name} holds ${jsonKind(a)}, expected RuntimeArtifact objects`);
        if (a.uri !== undefined && typeof a.uri !== 'string') throw new OutputError(`ExecutorOutput ${path}: artifacts.${name} uri must be a string, got ${jsonKind(a.uri)}`);
        if (a.metadata !== undefined && a.metadata !== null && !isObject(a.metadata)) {
          throw new OutputError(`ExecutorOutput ${path}: artifacts.${name} metadata must be an object, got ${jsonKind(a.metadata)}`);
        }
      }
      artifacts[name] = { artifacts: (items ?? []) as Partial<RuntimeArtifact>[] };
    }
    out.artifacts = artifacts;
  }
  return out;
}

/** `mergeRuntimeArtifacts(src, dst)`: src's non-empty uri replaces dst's; src's metadata keys overwrite dst's. */
export function mergeRuntimeArtifact(src: Partial<RuntimeArtifact> | undefined, dst: RuntimeArtifact): RuntimeArtifact {
  if (!src) return dst;
  const merged: RuntimeArtifact = { ...dst, metadata: { ...dst.metadata, ...(src.metadata as JsonObject | undefined) } };
  if (src.uri) merged.uri = src.uri;
  return merged;
}

function toRecord(a: RuntimeArtifact, fallbackName: string): ArtifactRecord {
  return { name: a.name || fallbackName, type: a.type.schemaTitle, uri: a.uri, metadata: a.metadata ?? {} };
}

/** Output parameters and artifacts of a finished task; a declared output that is missing or malformed is an error. */
export async function readOutputs(opts: ReadOutputsOptions): Promise<TaskOutputs> {
  const { componentSpec: spec, executorInput: ei } = opts;
  const executorOutput = await readExecutorOutput(ei.outputs.outputFile);
  const fromOutput = executorOutput.parameterValues ?? {};

  const parameters: Record<string, JsonValue> = {};
  for (const [name, def] of Object.entries(spec.outputDefinitions?.parameters ?? {})) {
    const type = def.parameterType;
    if (Object.hasOwn(fromOutput, name)) {
      const v = fromOutput[name]!;
      if (v === null || !matchesParameterType(v, type)) {
        throw new OutputError(`output parameter '${name}' (${type}) in ${ei.outputs.outputFile} is ${jsonKind(v)}, which is not a ${type} value`);
      }
      parameters[name] = v;
      continue;
    }
    const file = ei.outputs.parameters?.[name]?.outputFile;
    if (!file) throw new OutputError(`output parameter '${name}' (${type}) has no output file in the ExecutorInput`);
    let text: string | undefined;
    try {
      text = await readText(file);
    } catch (err) {
      throw new OutputError(`output parameter '${name}' (${type}): cannot read ${file}: ${(err as Error).message}`);
    }
    if (text === undefined) {
      throw new OutputError(`output parameter '${name}' (${type}) was not written: no file ${file} and no parameterValues entry in ${ei.outputs.outputFile}`);
    }
    try {
      parameters[name] = textToValue(text, type);
    } catch (err) {
      if (!(err instanceof ValueParseError)) throw err;
      throw new OutputError(`output parameter '${name}' (${type}) in ${file}: ${err.message}`);
    }
  }

  const artifacts: Record<string, ArtifactRecord[]> = {};
  for (const name of Object.keys(spec.outputDefinitions?.artifacts ?? {})) {
    const provisioned = ei.outputs.artifacts?.[name]?.artifacts ?? [];
    if (!provisioned.length) throw new OutputError(`output artifact '${name}' was not provisioned in the ExecutorInput`);
    const src = executorOutput.artifacts?.[name]?.artifacts?.[0];
    artifacts[name] = provisioned.map((a) => toRecord(mergeRuntimeArtifact(src, a), name));
  }
  return { parameters, artifacts };
}
