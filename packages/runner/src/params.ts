// Pipeline parameters: defaults from the IR, values from the caller, checked against the declared types.
import { matchesParameterType, type InputParameterDef, type JsonValue, type ParameterType, type PipelineSpec } from '@formalize/common';

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
  if (spec.root.inputDefinitions?.artifacts && Object.keys(spec.root.inputDefinitions.artifacts).length) {
    const required = Object.entries(spec.root.inputDefinitions.artifacts).filter(([, a]) => !a.isOptional).map(([n]) => n);
    if (required.length) throw new ParameterError(`pipeline input artifacts are not supported by the local runner yet: ${required.join(', ')}`);
  }
  return out;
}

function checkType(name: string, type: ParameterType, v: JsonValue): void {
  if (!matchesParameterType(v, type)) throw new ParameterError(`parameter '${name}': expected ${type}, received ${JSON.stringify(v)}`);
}
