// Checks a proto3-JSON value against a protobufjs message type the way protobuf's JSON parser does
// (json_format.ParseDict with unknown fields rejected), and returns it normalised: keys renamed to their
// JSON (lowerCamel) names, enum numbers turned into names, nulls and anything invalid dropped.
import protobuf from 'protobufjs';
import type { Issue } from './issues.ts';
import { joinPath } from './issues.ts';
import { didYouMean } from './suggest.ts';

type JsonMap = Record<string, unknown>;

export function isPlainObject(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** protoc's ToJsonName: drop underscores, upper-case the letter after each. */
function jsonNameOf(field: protobuf.Field): string {
  const explicit = (field.options as Record<string, unknown> | undefined)?.['json_name'];
  if (typeof explicit === 'string') return explicit;
  return field.name.replace(/_+([^_])?/g, (_, c: string | undefined) => (c ?? '').toUpperCase());
}

interface FieldIndex { byKey: Map<string, protobuf.Field>; jsonName: Map<protobuf.Field, string> }
const indexes = new WeakMap<protobuf.Type, FieldIndex>();

function fieldIndex(type: protobuf.Type): FieldIndex {
  let idx = indexes.get(type);
  if (!idx) {
    idx = { byKey: new Map(), jsonName: new Map() };
    for (const f of type.fieldsArray) {
      const jn = jsonNameOf(f);
      idx.byKey.set(f.name, f);
      idx.byKey.set(jn, f);
      idx.jsonName.set(f, jn);
    }
    indexes.set(type, idx);
  }
  return idx;
}

function typeLabel(t: protobuf.ReflectionObject): string {
  return t.fullName.replace(/^\./, '');
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n], sint32: [-(2n ** 31n), 2n ** 31n - 1n], sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n], fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n], sint64: [-(2n ** 63n), 2n ** 63n - 1n], sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n], fixed64: [0n, 2n ** 64n - 1n],
};
const NUMERIC_STRING = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
const MAX_DURATION_SECONDS = 315_576_000_000n;

/** Integers may be JSON numbers or decimal strings (int64 is usually written as a string). */
function asInteger(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return undefined;
}

class Checker {
  readonly issues: Issue[] = [];

  private add(path: string, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  message(value: unknown, type: protobuf.Type, path: string): unknown {
    switch (type.fullName) {
      case '.google.protobuf.Struct':
        return isPlainObject(value) ? this.json(value, path) : this.add(path, `expected an object (google.protobuf.Struct), got ${describe(value)}`);
      case '.google.protobuf.Value':
        return this.json(value, path);
      case '.google.protobuf.ListValue':
        return Array.isArray(value) ? this.json(value, path) : this.add(path, `expected a list (google.protobuf.ListValue), got ${describe(value)}`);
      case '.google.protobuf.Duration':
        return this.duration(value, path);
      case '.google.protobuf.Any':
        // The payload's type is not ours to resolve; protobuf requires only the type URL.
        if (!isPlainObject(value) || typeof value['@type'] !== 'string') return this.add(path, 'expected a google.protobuf.Any object with an "@type" string');
        return this.json(value, path);
    }
    if (!isPlainObject(value)) return this.add(path, `expected an object (${typeLabel(type)}), got ${describe(value)}`);
    const idx = fieldIndex(type);
    const out: JsonMap = {};
    const seen = new Map<protobuf.Field, string>();
    for (const [key, v] of Object.entries(value)) {
      const p = joinPath(path, key);
      const field = idx.byKey.get(key);
      if (!field) {
        this.add(p, `unknown field "${key}" in ${typeLabel(type)}${didYouMean(key, idx.jsonName.values())}`);
        continue;
      }
      const prev = seen.get(field);
      if (prev !== undefined) {
        this.add(p, `field "${field.name}" is set twice (as "${prev}" and "${key}")`);
        continue;
      }
      seen.set(field, key);
      // proto3 JSON: null means "field not set", except for google.protobuf.Value where it is NULL_VALUE.
      if (v === null) {
        if (field.resolvedType?.fullName === '.google.protobuf.Value' && !field.repeated && !field.map) out[idx.jsonName.get(field)!] = null;
        continue;
      }
      const nv = this.field(v, field, p);
      if (nv !== undefined) out[idx.jsonName.get(field)!] = nv;
    }
    for (const oneof of type.oneofsArray) {
      const set = oneof.fieldsArray.filter((f) => seen.has(f) && value[seen.get(f)!] !== null).map((f) => seen.get(f)!);
      if (set.length > 1) {
        this.add(path, `${set.map((k) => `"${k}"`).join(' and ')} are alternatives (oneof ${oneof.name} of ${typeLabel(type)}); set only one`);
      }
    }
    return out;
  }

  private field(v: unknown, field: protobuf.Field, path: string): unknown {
    if (field.map) {
      if (!isPlainObject(v)) return this.add(path, `expected an object (map of ${field.type}), got ${describe(v)}`);
      const out: JsonMap = {};
      const keyType = field instanceof protobuf.MapField ? field.keyType : 'string';
      for (const [k, item] of Object.entries(v)) {
        const p = joinPath(path, k);
        if (!this.mapKeyOk(k, keyType)) {
          this.add(p, `map key "${k}" is not a valid ${keyType}`);
          continue;
        }
        if (item === null && field.resolvedType?.fullName !== '.google.protobuf.Value') {
          this.add(p, 'map values cannot be null');
          continue;
        }
        const nv = this.single(item, field, p);
        if (nv !== undefined) out[k] = nv;
      }
      return out;
    }
    if (field.repeated) {
      if (!Array.isArray(v)) return this.add(path, `expected a list (repeated ${field.type}), got ${describe(v)}`);
      const out: unknown[] = [];
      v.forEach((item, i) => {
        const p = joinPath(path, i);
        if (item === null && field.resolvedType?.fullName !== '.google.protobuf.Value') {
          this.add(p, 'null is not allowed in a repeated field');
          return;
        }
        const nv = this.single(item, field, p);
        if (nv !== undefined) out.push(nv);
      });
      return out;
    }
    return this.single(v, field, path);
  }

  private single(v: unknown, field: protobuf.Field, path: string): unknown {
    const rt = field.resolvedType;
    if (rt instanceof protobuf.Type) return this.message(v, rt, path);
    if (rt instanceof protobuf.Enum) return this.enumValue(v, rt, path);
    return this.scalar(v, field.type, path);
  }

  private enumValue(v: unknown, e: protobuf.Enum, path: string): unknown {
    if (e.fullName === '.google.protobuf.NullValue') return v === 'NULL_VALUE' || v === 0 ? null : this.add(path, `expected null, got ${describe(v)}`);
    if (typeof v === 'string' && Object.hasOwn(e.values, v)) return v;
    if (typeof v === 'number' && Number.isInteger(v) && e.valuesById[v] !== undefined) return e.valuesById[v];
    const names = Object.keys(e.values);
    const hint = typeof v === 'string' ? didYouMean(v, names) : '';
    return this.add(path, `invalid value ${describe(v)} for enum ${typeLabel(e)}${hint}; expected one of ${names.join(', ')}`);
  }

  private scalar(v: unknown, type: string, path: string): unknown {
    switch (type) {
      case 'string':
        return typeof v === 'string' ? v : this.add(path, `expected a string, got ${describe(v)}`);
      case 'bool':
        return typeof v === 'boolean' ? v : this.add(path, `expected true or false, got ${describe(v)}`);
      case 'double':
      case 'float':
        if (typeof v === 'number') return v;
        if (typeof v === 'string' && (v === 'NaN' || v === 'Infinity' || v === '-Infinity' || NUMERIC_STRING.test(v))) return v;
        return this.add(path, `expected a number, got ${describe(v)}`);
      case 'bytes':
        return typeof v === 'string' && BASE64.test(v) ? v : this.add(path, `expected base64 bytes, got ${describe(v)}`);
    }
    const range = INT_RANGES[type];
    if (!range) return this.add(path, `unsupported field type ${type}`);
    const n = asInteger(v);
    if (n === undefined) return this.add(path, `expected an integer (${type}), got ${describe(v)}`);
    if (n < range[0] || n > range[1]) return this.add(path, `${String(v)} is out of range for ${type}`);
    return v;
  }

  private mapKeyOk(k: string, keyType: string): boolean {
    if (keyType === 'string') return true;
    if (keyType === 'bool') return k === 'true' || k === 'false';
    const n = asInteger(k);
    const range = INT_RANGES[keyType];
    return n !== undefined && range !== undefined && n >= range[0] && n <= range[1];
  }

  private duration(v: unknown, path: string): unknown {
    const m = typeof v === 'string' ? DURATION.exec(v) : null;
    if (!m) return this.add(path, `expected a duration string like "3600s", got ${describe(v)}`);
    if (BigInt(m[2]!) > MAX_DURATION_SECONDS) return this.add(path, `duration ${String(v)} is out of range`);
    return v;
  }

  /** google.protobuf.Value content: any JSON value; numbers must be finite (JSON has no NaN/Infinity). */
  private json(v: unknown, path: string): unknown {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : this.add(path, `${String(v)} is not representable in google.protobuf.Value`);
    if (Array.isArray(v)) return v.map((x, i) => this.json(x, joinPath(path, i)));
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.json(x, joinPath(path, k))]));
    return this.add(path, `${describe(v)} is not a JSON value`);
  }
}

/** Checks `value` as proto3 JSON of `type`; returns the issues and the normalised value (undefined if unusable). */
export function checkProtoJson(value: unknown, type: protobuf.Type, path = ''): { issues: Issue[]; value: unknown } {
  const c = new Checker();
  const normalized = c.message(value, type, path);
  return { issues: c.issues, value: normalized };
}
