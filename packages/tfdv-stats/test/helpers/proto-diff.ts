// Comparing protos in tests: exact (presence-aware `equals`) with a readable field-by-field diff on failure, or
// numerically within a relative tolerance as TFDV's own tests do (assertProtoEqual normalize_numbers).
import { type DescMessage, equals, type MessageShape, toJson } from '@bufbuild/protobuf';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type NumberMatch = (actual: number, expected: number) => boolean;

const exactly: NumberMatch = (a, b) => Object.is(a, b);

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return undefined;
}

/** Differences between two JSON values, one line per differing leaf, named by its path. */
export function jsonDiff(actual: unknown, expected: unknown, matchNumber: NumberMatch = exactly, path = ''): string[] {
  const a = asNumber(actual);
  const e = asNumber(expected);
  if (a !== undefined && e !== undefined && typeof actual === typeof expected) return matchNumber(a, e) ? [] : [`${path || '.'}: ${JSON.stringify(actual)} != expected ${JSON.stringify(expected)}`];
  if (Array.isArray(actual) && Array.isArray(expected)) {
    const out: string[] = [];
    if (actual.length !== expected.length) out.push(`${path}: ${actual.length} elements != expected ${expected.length}`);
    for (let i = 0; i < Math.min(actual.length, expected.length); i++) out.push(...jsonDiff(actual[i], expected[i], matchNumber, `${path}[${i}]`));
    return out;
  }
  if (isRecord(actual) && isRecord(expected)) {
    const out: string[] = [];
    for (const k of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
      if (!(k in actual)) out.push(`${path}.${k}: missing, expected ${JSON.stringify(expected[k]).slice(0, 200)}`);
      else if (!(k in expected)) out.push(`${path}.${k}: unexpected ${JSON.stringify(actual[k]).slice(0, 200)}`);
      else out.push(...jsonDiff(actual[k], expected[k], matchNumber, `${path}.${k}`));
    }
    return out;
  }
  return Object.is(actual, expected) ? [] : [`${path || '.'}: ${JSON.stringify(actual)} != expected ${JSON.stringify(expected)}`];
}

/** Throws with the field-by-field differences unless the protos are equal, including field presence. */
export function expectProtoEqual<D extends DescMessage>(schema: D, actual: MessageShape<D>, expected: MessageShape<D>, what = schema.typeName): void {
  if (equals(schema, actual, expected)) return;
  const diff = jsonDiff(toJson(schema, actual), toJson(schema, expected));
  // equals() also sees presence of explicit defaults, which proto2 JSON shows; an empty diff would mean a bug here.
  throw new Error(`${what} differs from the expectation:\n${diff.length > 0 ? diff.join('\n') : '(no JSON-visible difference)'}`);
}

/** |a - e| <= tolerance × max(|a|, |e|), or both exactly equal (covers 0, NaN and infinities). */
export function relativelyClose(tolerance: number): NumberMatch {
  return (a, e) => Object.is(a, e) || Math.abs(a - e) <= tolerance * Math.max(Math.abs(a), Math.abs(e));
}

/** Throws with the differences unless the protos agree, numbers within `tolerance` relative. */
export function expectProtoClose<D extends DescMessage>(schema: D, actual: MessageShape<D>, expected: MessageShape<D>, tolerance: number, what = schema.typeName): void {
  const diff = jsonDiff(toJson(schema, actual), toJson(schema, expected), relativelyClose(tolerance));
  if (diff.length > 0) throw new Error(`${what} differs from the expectation (relative tolerance ${tolerance}):\n${diff.join('\n')}`);
}
