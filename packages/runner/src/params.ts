// Pipeline inputs: parameters (defaults from the IR, values from the caller, checked against the declared
// types) and input artifacts (given by URI).
import { matchesParameterType, type InputParameterDef, type JsonObject, type JsonValue, type ParameterType, type PipelineSpec } from '@formalize/common';
import type { ArtifactRecord } from './types.ts';

export class ParameterError extends Error {
  override name = 'ParameterError';
}

/** Parses a `--param k=v` value by the parameter's type (strings raw, the rest as JSON / numbers). */
export function parseParamText(name: string, text: string, def: InputParameterDef | undefined): JsonValue {
  if (!def) return text;
  switch (def.parameterType) {
    case 'STRING': return text;
    case 'NUMBER_INTEGER':
    case 'NUMBER_DOUBLE': {
      const n = Number(text.trim());
      if (text.trim() === '' || Number.isNaN(n)) throw new ParameterError(`parameter '${name}': expected a number, received '${text}'`);
      return n;
    }
    case 'BOOLEAN':
      if (/^(true|false)$/i.test(text.trim())) return text.trim().toLowerCase() === 'true';
      throw new ParameterError(`parameter '${name}': expected true or false, received '${text}'`);
    default:
      try {
        return JSON.parse(text) as JsonValue;
      } catch {
        throw new ParameterError(`parameter '${name}': expected JSON (${def.parameterType}), received '${text}'`);
      }
  }
}

/** Final parameter values: caller values over IR defaults; unknown, missing and mistyped values are errors. */
export function resolveParameters(spec: PipelineSpec, given: Record<string, JsonValue>): Record<string, JsonValue> {
  const defs = spec.root.inputDefinitions?.parameters ?? {};
  const out: Record<string, JsonValue> = {};
  for (const name of Object.keys(given)) {
    if (!(name in defs)) throw new ParameterError(`unknown parameter '${name}' (pipeline '${spec.pipelineInfo.name}' takes: ${Object.keys(defs).join(', ') || 'none'})`);
  }
  for (const [name, def] of Object.entries(defs)) {
    const v = given[name] ?? def.defaultValue;
    if (v === undefined) {
      if (def.isOptional) continue;
      throw new ParameterError(`missing required parameter '${name}' (${def.parameterType})`);
    }
    checkType(name, def.parameterType, v);
    out[name] = v;
  }
  return out;
}

/** An artifact handed to the pipeline as an input (Vertex: `runtimeConfig.inputArtifacts`), by URI. */
export interface InputArtifact {
  uri: string;
  metadata?: JsonObject;
}

/**
 * The pipeline's input artifacts as the root DAG receives them, typed by its `inputDefinitions`
 * (a list input takes several); unknown and missing required artifacts are errors.
 */
export function resolveInputArtifacts(spec: PipelineSpec, given: Record<string, InputArtifact | InputArtifact[]>): Record<string, ArtifactRecord[]> {
  const defs = spec.root.inputDefinitions?.artifacts ?? {};
  const out: Record<string, ArtifactRecord[]> = {};
  for (const [name, value] of Object.entries(given)) {
    const def = defs[name];
    if (!def) throw new ParameterError(`unknown input artifact '${name}' (pipeline '${spec.pipelineInfo.name}' takes: ${Object.keys(defs).join(', ') || 'none'})`);
    const list = Array.isArray(value) ? value : [value];
    if (list.length !== 1 && !def.isArtifactList) throw new ParameterError(`input artifact '${name}': expected one artifact, received ${list.length}`);
    out[name] = list.map((a, i) => {
      if (typeof a?.uri !== 'string' || !a.uri) throw new ParameterError(`input artifact '${name}'${list.length > 1 ? `[${i}]` : ''}: uri must be a non-empty string, received ${JSON.stringify(a?.uri)}`);
      return { name, type: def.artifactType.schemaTitle, uri: a.uri, metadata: a.metadata ?? {} };
    });
  }
  for (const [name, def] of Object.entries(defs)) {
    if (!out[name] && !def.isOptional) throw new ParameterError(`missing required input artifact '${name}' (${def.artifactType.schemaTitle})`);
  }
  return out;
}

function checkType(name: string, type: ParameterType, v: JsonValue): void {
  if (!matchesParameterType(v, type)) throw new ParameterError(`parameter '${name}': expected ${type}, received ${JSON.stringify(v)}`);
}
