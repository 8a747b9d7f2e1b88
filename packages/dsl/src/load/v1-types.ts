// KFP v1 component.yaml types -> IR types and v1 default values -> typed IR values
// (kfp `dsl/types/type_utils.py`: PARAMETER_TYPES_MAPPING, _ARTIFACT_CLASSES_MAPPING,
// get_canonical_name_for_outer_generic, deserialize_v1_component_yaml_default).
import type { JsonValue, ParameterType } from '@formalize/common';
import { pyRepr } from '@formalize/common';

const PARAMETER_TYPES: Record<string, ParameterType> = {
  integer: 'NUMBER_INTEGER', int: 'NUMBER_INTEGER',
  double: 'NUMBER_DOUBLE', float: 'NUMBER_DOUBLE',
  string: 'STRING', str: 'STRING', text: 'STRING',
  bool: 'BOOLEAN', boolean: 'BOOLEAN',
  dict: 'STRUCT', jsonobject: 'STRUCT',
  list: 'LIST', jsonarray: 'LIST',
};

const ARTIFACT_TITLES: Record<string, string> = {
  artifact: 'system.Artifact', model: 'system.Model', dataset: 'system.Dataset', metrics: 'system.Metrics',
  classificationmetrics: 'system.ClassificationMetrics', slicedclassificationmetrics: 'system.SlicedClassificationMetrics',
  html: 'system.HTML', markdown: 'system.Markdown',
};

// Same pattern as KFP's _GOOGLE_TYPES_PATTERN, unescaped dot included.
const GOOGLE_TYPE = /^google.[A-Za-z]+$/;
const SCHEMA_VERSION = '0.0.1';

export type V1IoType =
  | { kind: 'parameter'; parameterType: ParameterType }
  | { kind: 'artifact'; schemaTitle: string; schemaVersion: string };

/** `typing.List[str]` -> `List`, `Dict[str, int]` -> `Dict`; other names unchanged. */
export function canonicalOuterGeneric(name: string): string {
  // Python's str.lstrip('typing.') strips a character set, not a prefix; kept for fidelity.
  const t = name.startsWith('typing.') ? name.replace(/^[typing.]+/, '') : name;
  const lower = t.toLowerCase();
  return lower.startsWith('list') || lower.startsWith('dict') ? t.split('[')[0]! : t;
}

/**
 * The IR type of a v1 input/output `type:` (a string, a `{Name: {props}}` struct, or absent).
 * Unknown names become system.Artifact, as in KFP.
 */
export function v1IoType(type: unknown, direction: 'input' | 'output'): V1IoType {
  if (typeof type !== 'string') return { kind: 'artifact', schemaTitle: 'system.Artifact', schemaVersion: SCHEMA_VERSION };
  const t = canonicalOuterGeneric(type);
  // PipelineTaskFinalStatus is only meaningful as an (exit task) input.
  if (t === 'PipelineTaskFinalStatus' && direction === 'input') return { kind: 'parameter', parameterType: 'TASK_FINAL_STATUS' };
  const param = PARAMETER_TYPES[t.toLowerCase()];
  if (param) return { kind: 'parameter', parameterType: param };
  if (GOOGLE_TYPE.test(t)) return { kind: 'artifact', schemaTitle: t, schemaVersion: SCHEMA_VERSION };
  return { kind: 'artifact', schemaTitle: ARTIFACT_TITLES[t.toLowerCase()] ?? 'system.Artifact', schemaVersion: SCHEMA_VERSION };
}

const TRUE_WORDS = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSE_WORDS = new Set(['n', 'no', 'f', 'false', 'off', '0']);
const PY_INT = /^[+-]?\d+(?:_\d+)*$/;
const PY_FLOAT = /^[+-]?(?:\d+(?:_\d+)*)?(?:\.\d*(?:_\d+)*)?(?:[eE][+-]?\d+)?$/;

function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return pyRepr(v);
}

/**
 * A v1 `default:` cast to the input's parameter type the way KFP does (int(), float(), str(), strtobool,
 * json.loads with fallback to the text). Throws when Python's cast would fail.
 */
export function castV1Default(parameterType: ParameterType, value: unknown): JsonValue {
  const shown = JSON.stringify(value);
  switch (parameterType) {
    case 'NUMBER_INTEGER': {
      if (typeof value === 'number') return Math.trunc(value);
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value === 'string' && PY_INT.test(value.trim())) return Number(value.trim().replaceAll('_', ''));
      throw new Error(`default ${shown} is not an integer`);
    }
    case 'NUMBER_DOUBLE': {
      if (typeof value === 'number') return value;
      if (typeof value === 'boolean') return value ? 1 : 0;
      const s = typeof value === 'string' ? value.trim() : '';
      if (s && s !== '.' && PY_FLOAT.test(s) && Number.isFinite(Number(s.replaceAll('_', '')))) return Number(s.replaceAll('_', ''));
      throw new Error(`default ${shown} is not a number`);
    }
    case 'STRING':
      return pyStr(value);
    case 'BOOLEAN': {
      if (typeof value !== 'string') return Boolean(value);
      const w = value.toLowerCase();
      if (TRUE_WORDS.has(w)) return true;
      if (FALSE_WORDS.has(w)) return false;
      throw new Error(`default ${shown} is not a boolean (true/false, yes/no, on/off, 1/0)`);
    }
    case 'STRUCT':
    case 'LIST': {
      if (typeof value !== 'string') return value as JsonValue;
      try {
        return JSON.parse(value) as JsonValue;
      } catch {
        return value; // KFP keeps the text; IR validation then reports the type mismatch.
      }
    }
    default:
      return value as JsonValue;
  }
}
