// The deterministic train/val/test split (`md5-key-v1`). A row's bucket is
//   int(first 8 hex digits of md5(key)) mod 100,
// where `key` joins one token per key column with '|':
//   NULL            -> N
//   INT64           -> the decimal integer                          (-42)
//   FLOAT64         -> the decimal integer round(x * 1e6), halves away from zero; X when that is not a finite
//                      INT64 (NaN, +-inf, |x| >= ~9.2e12)            (2.5 -> 2500000)
//   STRING          -> <UTF-8 byte length>:<the string>             (Cash -> 4:Cash)
//   BOOL            -> true | false
// and the split is the range of `ranges` that holds the bucket. Every step is exact and specified the same way
// in TypeScript, DuckDB and BigQuery (IEEE-754 double multiplication, round half away from zero, integer
// formatting, UTF-8 byte length, MD5, hex to integer), so the three compute the same split for the same row on
// every machine, independent of row order. The seed's `sum(map(ord, json.dumps(row))) % 10` depended on
// Python's JSON formatting and could not be computed in SQL.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SqlDialect } from '../warehouse/dialect.ts';
import { bigqueryDialect, duckdbDialect } from '../warehouse/dialect.ts';

export const SPLIT_ALGORITHM = 'md5-key-v1';
export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];
export const SPLIT_BUCKETS = 100;
/** FLOAT64 key values are compared at this resolution (1e-6). */
export const FLOAT_KEY_SCALE = 1_000_000;
export const KEY_COLUMN_TYPES = ['INT64', 'FLOAT64', 'STRING', 'BOOL'] as const;
export type KeyColumnType = (typeof KEY_COLUMN_TYPES)[number];

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;
const range = z.tuple([z.int().min(0).max(SPLIT_BUCKETS), z.int().min(0).max(SPLIT_BUCKETS)]);

export const splitDefinitionSchema = z.object({
  algorithm: z.literal(SPLIT_ALGORITHM),
  keyColumns: z.array(z.object({ name: z.string().regex(COLUMN), type: z.enum(KEY_COLUMN_TYPES) })).min(1),
  buckets: z.literal(SPLIT_BUCKETS),
  /** Half-open bucket ranges [from, to), contiguous from 0 to `buckets`, in train, val, test order. */
  ranges: z.object({ train: range, val: range, test: range }),
}).superRefine((def, ctx) => {
  let next = 0;
  for (const name of SPLIT_NAMES) {
    const [from, to] = def.ranges[name];
    if (from !== next || to < from) ctx.addIssue({ code: 'custom', path: ['ranges', name], message: `expected a range starting at ${next}`, input: def.ranges[name] });
    next = to;
  }
  if (next !== SPLIT_BUCKETS) ctx.addIssue({ code: 'custom', path: ['ranges', 'test'], message: `expected the ranges to end at ${SPLIT_BUCKETS}`, input: def.ranges.test });
  const names = def.keyColumns.map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) ctx.addIssue({ code: 'custom', path: ['keyColumns'], message: `duplicate key column "${dup}"`, input: names });
});

export type SplitDefinition = z.output<typeof splitDefinitionSchema>;
export interface KeyColumn { readonly name: string; readonly type: KeyColumnType }

/** A split definition from key columns and whole percentages (train, val, test) summing to 100. */
export function makeSplitDefinition(keyColumns: readonly KeyColumn[], percentages: readonly [number, number, number] = [80, 10, 10]): SplitDefinition {
  const [train, val] = percentages;
  return splitDefinitionSchema.parse({
    algorithm: SPLIT_ALGORITHM,
    keyColumns: keyColumns.map((c) => ({ name: c.name, type: c.type })),
    buckets: SPLIT_BUCKETS,
    ranges: { train: [0, train], val: [train, train + val], test: [train + val, SPLIT_BUCKETS] },
  });
}

export class SplitKeyError extends Error {
  override name = 'SplitKeyError';
}

const INT64_MIN = -(2 ** 63);
const INT64_LIMIT = 2 ** 63;

/** C `round()` / SQL ROUND: to the nearest integer, halves away from zero. `x - trunc(x)` is exact in doubles. */
function roundHalfAwayFromZero(x: number): number {
  const t = Math.trunc(x);
  return Math.abs(x - t) >= 0.5 ? t + Math.sign(x) : t;
}

function floatToken(x: number): string {
  const r = roundHalfAwayFromZero(x * FLOAT_KEY_SCALE);
  // Integral doubles convert to BigInt exactly; `-0` becomes 0, as SQL's cast to INT64 does.
  return Number.isFinite(r) && r >= INT64_MIN && r < INT64_LIMIT ? BigInt(r).toString() : 'X';
}

function keyToken(col: KeyColumn, v: unknown): string {
  if (v === null) return 'N';
  const bad = (expected: string) => new SplitKeyError(`split key column ${col.name} (${col.type}): expected ${expected}, received ${typeof v === 'bigint' ? `${v}n` : JSON.stringify(v) ?? String(v)}`);
  switch (col.type) {
    case 'INT64':
      if (typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v))) return String(v);
      throw bad('an integer (a bigint beyond 2^53) or null');
    case 'FLOAT64':
      if (typeof v === 'number') return floatToken(v);
      throw bad('a number or null');
    case 'STRING':
      if (typeof v === 'string') return `${Buffer.byteLength(v, 'utf8')}:${v}`;
      throw bad('a string or null');
    case 'BOOL':
      if (typeof v === 'boolean') return v ? 'true' : 'false';
      throw bad('a boolean or null');
  }
}

/** The canonical key string of a row (values as the warehouse returns them: number, bigint, string, boolean, null). */
export function splitKey(def: SplitDefinition, row: Readonly<Record<string, unknown>>): string {
  return def.keyColumns.map((c) => {
    if (!(c.name in row)) throw new SplitKeyError(`split key column ${c.name}: missing from the row`);
    return keyToken(c, row[c.name]);
  }).join('|');
}

export function splitBucket(def: SplitDefinition, row: Readonly<Record<string, unknown>>): number {
  const hex = createHash('md5').update(splitKey(def, row), 'utf8').digest('hex');
  return Number.parseInt(hex.slice(0, 8), 16) % def.buckets;
}

export function assignSplit(def: SplitDefinition, row: Readonly<Record<string, unknown>>): SplitName {
  return splitOfBucket(def, splitBucket(def, row));
}

export function splitOfBucket(def: SplitDefinition, bucket: number): SplitName {
  for (const name of SPLIT_NAMES) if (bucket < def.ranges[name][1]) return name;
  throw new RangeError(`bucket ${bucket} is outside [0, ${def.buckets})`);
}

/** The split's SQL in one warehouse dialect: expressions over the key columns of one row. */
export interface SplitDialect {
  readonly name: SqlDialect['name'];
  /** The canonical key string (never NULL). */
  key(def: SplitDefinition): string;
  /** The bucket, an integer in [0, buckets). */
  bucket(def: SplitDefinition): string;
  /** 'train' | 'val' | 'test' from a bucket expression (pass a column holding `bucket(def)` to hash once). */
  split(def: SplitDefinition, bucketExpr: string): string;
}

function caseOfBucket(d: SqlDialect, def: SplitDefinition, bucketExpr: string): string {
  const whens = SPLIT_NAMES.slice(0, -1).map((n) => `WHEN ${bucketExpr} < ${def.ranges[n][1]} THEN ${d.literal(n)}`);
  return `CASE ${whens.join(' ')} ELSE ${d.literal(SPLIT_NAMES.at(-1)!)} END`;
}

export const duckdbSplit: SplitDialect = Object.freeze({
  name: 'duckdb' as const,
  key(def: SplitDefinition) {
    return def.keyColumns.map((c) => {
      const x = duckdbDialect.ident(c.name);
      switch (c.type) {
        case 'INT64': return `COALESCE(CAST(${x} AS VARCHAR), 'N')`;
        // The explicit DOUBLE keeps a FLOAT (float32) column from being multiplied in single precision.
        case 'FLOAT64': return `CASE WHEN ${x} IS NULL THEN 'N' ELSE COALESCE(CAST(TRY_CAST(round(CAST(${x} AS DOUBLE) * ${FLOAT_KEY_SCALE}) AS BIGINT) AS VARCHAR), 'X') END`;
        case 'STRING': return `CASE WHEN ${x} IS NULL THEN 'N' ELSE CAST(strlen(${x}) AS VARCHAR) || ':' || ${x} END`;
        case 'BOOL': return `CASE WHEN ${x} IS NULL THEN 'N' WHEN ${x} THEN 'true' ELSE 'false' END`;
      }
    }).join(` || '|' || `);
  },
  bucket(def: SplitDefinition) {
    return `(CAST('0x' || substr(md5(${this.key(def)}), 1, 8) AS BIGINT) % ${def.buckets})`;
  },
  split: (def: SplitDefinition, bucketExpr: string) => caseOfBucket(duckdbDialect, def, bucketExpr),
} satisfies SplitDialect);

export const bigquerySplit: SplitDialect = Object.freeze({
  name: 'bigquery' as const,
  key(def: SplitDefinition) {
    const tokens = def.keyColumns.map((c) => {
      const x = bigqueryDialect.ident(c.name);
      switch (c.type) {
        case 'INT64': return `IFNULL(CAST(${x} AS STRING), 'N')`;
        case 'FLOAT64': return `IF(${x} IS NULL, 'N', IFNULL(CAST(SAFE_CAST(ROUND(${x} * ${FLOAT_KEY_SCALE}) AS INT64) AS STRING), 'X'))`;
        case 'STRING': return `IF(${x} IS NULL, 'N', CONCAT(CAST(BYTE_LENGTH(${x}) AS STRING), ':', ${x}))`;
        case 'BOOL': return `IF(${x} IS NULL, 'N', IF(${x}, 'true', 'false'))`;
      }
    });
    // One token per line: this is the SQL people read in the docs and paste into the BigQuery console.
    return `CONCAT(\n  ${tokens.join(`, '|',\n  `)}\n)`;
  },
  bucket(def: SplitDefinition) {
    return `MOD(CAST(CONCAT('0x', SUBSTR(TO_HEX(MD5(${this.key(def)})), 1, 8)) AS INT64), ${def.buckets})`;
  },
  split: (def: SplitDefinition, bucketExpr: string) => caseOfBucket(bigqueryDialect, def, bucketExpr),
} satisfies SplitDialect);

export function splitDialectFor(name: SqlDialect['name']): SplitDialect {
  return name === 'duckdb' ? duckdbSplit : bigquerySplit;
}
