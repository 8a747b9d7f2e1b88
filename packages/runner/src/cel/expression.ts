// CEL as the KFP driver evaluates it (`backend/src/v2/expression/expression.go`, cel-go):
//   - trigger conditions run against an ExecutorInput-shaped context, `inputs.parameter_values['x']`,
//     and must yield a bool;
//   - parameter expression selectors run against a google.protobuf.Value: the set field of the value
//     (`string_value`, `number_value`, `bool_value`, `struct_value`, `list_value`, `null_value`) plus
//     `string_value` = the value's text (strings raw, everything else JSON);
//   - both have `parseJson(string) -> dyn`.
// Parameter values are google.protobuf.Value, so every number is a CEL double (JS numbers are doubles
// in cel-js too): `int(x)` truncates, and a double compares with an int literal by value, as cel-go's
// heterogeneous numeric equality and ordering do.
import { Environment } from '@marcbachmann/cel-js';
import type { JsonValue } from '@formalize/common';
import { valueText } from '../io/values.ts';
import type { ArtifactRecord } from '../types.ts';

export class CelError extends Error {
  override name = 'CelError';
  readonly expression: string;
  constructor(expression: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.expression = expression;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`parseJson: failed to unmarshal JSON: ${(err as Error).message}`);
  }
}

const env = new Environment({ unlistedVariablesAreDyn: true })
  .registerFunction('parseJson(string): dyn', parseJson);

type Program = ReturnType<Environment['parse']>;
const programs = new Map<string, Program>();
const MAX_PROGRAMS = 2_000;

function reason(err: unknown): string {
  const e = err as { summary?: unknown; message?: unknown };
  if (typeof e.summary === 'string' && e.summary) return e.summary;
  return String(e.message ?? err).split('\n')[0]!;
}

function compile(kind: string, expr: string): Program {
  let p = programs.get(expr);
  if (!p) {
    try {
      p = env.parse(expr);
    } catch (err) {
      throw new CelError(expr, `invalid CEL ${kind} \`${expr}\`: ${reason(err)}`, { cause: err });
    }
    if (programs.size >= MAX_PROGRAMS) programs.clear();
    programs.set(expr, p);
  }
  return p;
}

function run(kind: string, expr: string, context: Record<string, unknown>): unknown {
  const program = compile(kind, expr);
  let result: unknown;
  try {
    result = program(context);
  } catch (err) {
    throw new CelError(expr, `CEL ${kind} \`${expr}\` failed: ${reason(err)}`, { cause: err });
  }
  if (result instanceof Promise) throw new CelError(expr, `CEL ${kind} \`${expr}\` did not evaluate synchronously`);
  return result;
}

/** `inputs.artifacts[name].artifacts[i]` as RuntimeArtifacts (name, type.schemaTitle, uri, metadata). */
function artifactsContext(artifacts: Record<string, ArtifactRecord[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, list] of Object.entries(artifacts)) {
    out[name] = { artifacts: list.map((a) => ({ name: a.name, type: { schema_title: a.type }, uri: a.uri, metadata: a.metadata })) };
  }
  return out;
}

/**
 * Evaluates a `triggerPolicy.condition` against the task's input parameters (and, optionally, its
 * input artifacts). A missing parameter is an error, as in cel-go ("no such key").
 */
export function evaluateCondition(expr: string, parameterValues: Record<string, JsonValue>, artifacts: Record<string, ArtifactRecord[]> = {}): boolean {
  const result = run('condition', expr, { inputs: { parameter_values: parameterValues, artifacts: artifactsContext(artifacts) } });
  if (typeof result !== 'boolean') {
    throw new CelError(expr, `CEL condition \`${expr}\` must evaluate to a bool, got ${describe(result)}`);
  }
  return result;
}

/** KFP `PbValueToText`: like placeholder text, except that null is empty. */
function pbValueToText(v: JsonValue): string {
  return v === null ? '' : valueText(v);
}

/** The google.protobuf.Value view of `value` that selectors see. */
function selectorContext(value: JsonValue): Record<string, unknown> {
  const ctx: Record<string, unknown> = {};
  if (value === null) ctx.null_value = null;
  else if (typeof value === 'number') ctx.number_value = value;
  else if (typeof value === 'boolean') ctx.bool_value = value;
  else if (Array.isArray(value)) ctx.list_value = value;
  else if (typeof value === 'object') ctx.struct_value = value;
  ctx.string_value = pbValueToText(value);
  return ctx;
}

/** Converts a CEL result to JSON: ints become numbers; bytes, timestamps and types are rejected. */
function toJson(expr: string, v: unknown, path: string): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new CelError(expr, `CEL selector \`${expr}\` produced ${v} at ${path}, which JSON cannot carry`);
    return v;
  }
  if (typeof v === 'bigint') {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new CelError(expr, `CEL selector \`${expr}\` produced the integer ${v} at ${path}, outside the safe JSON range`);
    return n;
  }
  if (Array.isArray(v)) return v.map((x, i) => toJson(expr, x, `${path}[${i}]`));
  if (v instanceof Map) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of v) out[String(k)] = toJson(expr, x, `${path}.${String(k)}`);
    return out;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJson(expr, x, `${path}.${k}`);
    return out;
  }
  throw new CelError(expr, `CEL selector \`${expr}\` produced ${describe(v)} at ${path}, which is not a JSON value`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return `the int ${v}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'object') return Array.isArray(v) ? 'a list' : `a ${(v as object).constructor?.name ?? 'value'}`;
  return `the ${typeof v} ${String(v)}`;
}

/** Evaluates a `parameterExpressionSelector` (e.g. `parseJson(string_value)["A_a"]`) against `value`. */
export function evaluateSelector(expr: string, value: JsonValue): JsonValue {
  return toJson(expr, run('selector', expr, selectorContext(value)), 'result');
}
