// zod schema -> KFP parameter spec, by introspecting zod 4 definitions (`schema._zod.def`). The zod schema
// stays the single source of truth: the IR type, optionality, default and description all come from it.
import type { z } from 'zod';
import type { JsonValue, ParameterType } from '../ir/types.ts';
import { artifactInfo } from './artifacts.ts';
import { isTaskFinalStatusSchema } from './final-status.ts';

export interface ParamInfo {
  parameterType: ParameterType;
  isOptional: boolean;
  /** Present only when the schema has `.default(v)` with a non-null value (KFP omits `None` defaults). */
  defaultValue?: JsonValue;
  description?: string;
  /** Allowed values of a `z.enum` / `z.literal` (KFP `literals`, the Literal constraint). */
  literals?: JsonValue[];
}

export class UnsupportedSchemaError extends Error {
  override name = 'UnsupportedSchemaError';
}

// zod number formats that only admit integers (`z.int()`, `z.int32()`, `z.number().int()`, ...).
const INT_FORMATS = new Set(['safeint', 'int32', 'uint32']);

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  defaultValue?: unknown;
  format?: string;
  checks?: { _zod: { def: { check?: string; format?: string } } }[];
  entries?: Record<string, unknown>;
  values?: unknown[];
}

const defOf = (s: z.ZodType): Def => s._zod.def as unknown as Def;

function isInteger(def: Def): boolean {
  if (def.format && INT_FORMATS.has(def.format)) return true;
  return (def.checks ?? []).some((c) => c._zod.def.check === 'number_format' && INT_FORMATS.has(c._zod.def.format ?? ''));
}

function literalType(field: string, values: unknown[]): ParameterType {
  if (values.length && values.every((v) => typeof v === 'string')) return 'STRING';
  if (values.length && values.every((v) => Number.isSafeInteger(v))) return 'NUMBER_INTEGER';
  if (values.length && values.every((v) => typeof v === 'number')) return 'NUMBER_DOUBLE';
  if (values.length && values.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
  throw new UnsupportedSchemaError(`${field}: enum/literal values must all be strings, numbers or booleans, got ${JSON.stringify(values)}`);
}

/** IR parameter spec of `schema`; `field` (e.g. `inputs.limit`) names the input in errors. */
export function paramInfo(field: string, schema: z.ZodType): ParamInfo {
  if (isTaskFinalStatusSchema(schema)) {
    return schema.description === undefined ? { parameterType: 'TASK_FINAL_STATUS', isOptional: true } : { parameterType: 'TASK_FINAL_STATUS', isOptional: true, description: schema.description };
  }
  let s = schema;
  let isOptional = false;
  let defaultValue: unknown;
  let description = s.description;
  // Peel wrappers outside-in; the outermost description wins, as `.describe()` last applied does in zod.
  for (;;) {
    if (artifactInfo(s)) {
      throw new UnsupportedSchemaError(`${field}: wrap artifacts with artifact(type, { optional, list, description }), not zod modifiers`);
    }
    const def = defOf(s);
    if (def.type === 'optional') isOptional = true;
    else if (def.type === 'default') {
      isOptional = true;
      if (defaultValue === undefined) defaultValue = def.defaultValue;
    } else if (def.type !== 'nullable' && def.type !== 'readonly' && def.type !== 'pipe') break;
    // A pipe (`.transform()`) travels as its input type; run() receives the transformed value.
    s = (def.type === 'pipe' ? def.in : def.innerType)!;
    description ??= s.description;
  }
  const def = defOf(s);
  let parameterType: ParameterType;
  let literals: unknown[] | undefined;
  switch (def.type) {
    case 'string': parameterType = 'STRING'; break;
    case 'number': parameterType = isInteger(def) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE'; break;
    case 'boolean': parameterType = 'BOOLEAN'; break;
    case 'array': case 'tuple': parameterType = 'LIST'; break;
    case 'object': case 'record': parameterType = 'STRUCT'; break;
    case 'enum': literals = Object.values(def.entries ?? {}); parameterType = literalType(field, literals); break;
    case 'literal': literals = def.values ?? []; parameterType = literalType(field, literals); break;
    default:
      throw new UnsupportedSchemaError(
        `${field}: zod type "${def.type}" has no KFP parameter type (use string, int, number, boolean, enum, literal, array, object or record, optionally with .optional(), .default(), .nullable(), .describe())`,
      );
  }
  const info: ParamInfo = { parameterType, isOptional };
  if (defaultValue !== undefined && defaultValue !== null) info.defaultValue = toJson(field, defaultValue);
  if (description !== undefined) info.description = description;
  if (literals) info.literals = literals as JsonValue[];
  return info;
}

function toJson(field: string, v: unknown): JsonValue {
  const text = JSON.stringify(v);
  if (text === undefined) throw new UnsupportedSchemaError(`${field}: default value is not JSON-serializable`);
  return JSON.parse(text) as JsonValue;
}
