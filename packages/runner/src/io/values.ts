// Text forms of parameter values as the KFP backend produces and parses them: placeholder text
// (`launcher_v2.go::getPlaceholders`), canonical JSON (protojson: map keys sorted) and the
// text -> typed value conversion of output parameter files (`metadata/converter.go::TextToPbValue`).
import type { JsonValue, ParameterType } from '@formalize/common';

/** Go `strconv.FormatFloat(v, 'f', -1, 64)`: shortest round-trip digits, never an exponent (3.0 -> `3`). */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const sign = m[1]!;
  const digits = m[2]! + (m[3] ?? '');
  const point = 1 + Number(m[4]); // position of the decimal point within `digits`
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Orders strings by code point, which is UTF-8 byte order (Go's sort of map keys). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** A copy of `v` whose object keys are sorted at every level. */
export function sortKeys(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const k of Object.keys(v).sort(compareCodePoints)) out[k] = sortKeys(v[k]!);
    return out;
  }
  return v;
}

/** Compact JSON with sorted object keys, as protojson writes `google.protobuf.Value`/`Struct`. */
export function canonicalJson(v: JsonValue): string {
  return JSON.stringify(sortKeys(v));
}

/** The text a `{{$.inputs.parameters['x']}}` placeholder becomes: strings raw, numbers like Go, bools, JSON for lists/structs. */
export function valueText(v: JsonValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  return canonicalJson(v);
}

/** Escapes `s` for use inside a JSON string literal, `times` times (`{{$...json_escape[N]}}`). */
export function escapeJson(s: string, times = 1): string {
  let out = s;
  for (let i = 0; i < times; i++) out = JSON.stringify(out).slice(1, -1);
  return out;
}

export class ValueParseError extends Error {
  override name = 'ValueParseError';
}

const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go `strconv.ParseInt(s, 10, 64)`. */
function parseGoInt(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new ValueParseError(`expected an integer, got ${JSON.stringify(s)}`);
  const n = BigInt(s);
  if (n < INT64_MIN || n > INT64_MAX) throw new ValueParseError(`integer ${s} is out of the int64 range`);
  return Number(n);
}

/** Go `strconv.ParseFloat(s, 64)` for the values JSON can carry (decimal and hex floats; no Inf/NaN). */
function parseGoFloat(s: string): number {
  let v: number;
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (hex && (hex[2] || hex[3])) {
    const frac = hex[3] ?? '';
    const mantissa = Number(BigInt(`0x${(hex[2] ?? '') + frac || '0'}`));
    v = (hex[1] === '-' ? -1 : 1) * mantissa * 2 ** (Number(hex[4]) - 4 * frac.length);
  } else if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) {
    v = Number(s);
  } else if (/^[+-]?(?:inf|infinity|nan)$/i.test(s)) {
    throw new ValueParseError(`${JSON.stringify(s)} is not a finite number (JSON cannot carry it)`);
  } else {
    throw new ValueParseError(`expected a number, got ${JSON.stringify(s)}`);
  }
  if (!Number.isFinite(v)) throw new ValueParseError(`number ${s} is out of the float64 range`);
  return v;
}

/**
 * KFP `TextToPbValue`: the typed value of an output parameter file's text. STRING is raw; numbers and
 * booleans are parsed after trimming whitespace (Go `ParseInt`/`ParseFloat`/`ParseBool`); LIST and
 * STRUCT are JSON that must be an array / an object.
 */
export function textToValue(text: string, type: ParameterType): JsonValue {
  switch (type) {
    case 'STRING':
      return text;
    case 'NUMBER_INTEGER':
      return parseGoInt(text.trim());
    case 'NUMBER_DOUBLE':
      return parseGoFloat(text.trim());
    case 'BOOLEAN': {
      const t = text.trim();
      if (GO_TRUE.has(t)) return true;
      if (GO_FALSE.has(t)) return false;
      throw new ValueParseError(`expected a boolean (true/false/True/False/1/0/t/f), got ${JSON.stringify(t)}`);
    }
    case 'LIST':
    case 'STRUCT': {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (err) {
        throw new ValueParseError(`expected JSON (${type}): ${(err as Error).message}`);
      }
      const isList = Array.isArray(v);
      const isStruct = v !== null && typeof v === 'object' && !isList;
      if (type === 'LIST' ? !isList : !isStruct) {
        throw new ValueParseError(`expected a JSON ${type === 'LIST' ? 'array' : 'object'}, got ${jsonKind(v)}`);
      }
      return v as JsonValue;
    }
    default:
      throw new ValueParseError(`parameter type ${type} cannot be read from text (expected STRING, NUMBER_INTEGER, NUMBER_DOUBLE, BOOLEAN, LIST or STRUCT)`);
  }
}

export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)})`;
  return `a ${typeof v} (${String(v)})`;
}
