// Shared by the statistics tests: a scratch warehouse, tables from in-memory value lists, and TFDV's proto
// comparison rule (compare.assertProtoEqual with normalize_numbers and a relative tolerance) on proto3 JSON.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TableRef } from '@formalize/common/warehouse';
import { DuckdbWarehouse, parseTableRef } from '@formalize/common/warehouse';

export const TEST_PROJECT = 'stats-test';

export async function openScratchWarehouse(): Promise<DuckdbWarehouse> {
  const dir = await mkdtemp(join(tmpdir(), 'tfdv-stats-'));
  return DuckdbWarehouse.open({ dir, writeProjects: [TEST_PROJECT], threads: 2 });
}

export const testTable = (name: string): TableRef => parseTableRef(`${TEST_PROJECT}.data.${name}`);

export type CellValue = number | string | bigint | boolean | null;

export interface ListColumn {
  name: string;
  /** DuckDB element type, e.g. DOUBLE, FLOAT, BIGINT, VARCHAR. */
  type: string;
  /** One entry per example: a value list, or null when the feature is missing. */
  values: (readonly CellValue[] | null)[];
  /** A scalar column (each list has at most one element; [] and null both become NULL). */
  scalar?: boolean;
}

function literal(v: CellValue, type: string): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string' && /^(NaN|-?Infinity)$/.test(v) && /DOUBLE|FLOAT/.test(type)) return `'${v === 'NaN' ? 'nan' : v === 'Infinity' ? 'inf' : '-inf'}'::${type}`;
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'::${type}`;
  return `${String(v)}::${type}`;
}

/** Creates a table with one column per feature (lists as `TYPE[]`), rows in order. */
export async function loadLists(wh: DuckdbWarehouse, ref: TableRef, columns: readonly ListColumn[]): Promise<void> {
  const n = Math.max(...columns.map((c) => c.values.length));
  const rows: string[] = [];
  for (let r = 0; r < n; r++) {
    rows.push(`(${columns.map((c) => {
      const list = c.values[r] ?? null;
      if (c.scalar) return list === null || list.length === 0 ? `NULL::${c.type}` : literal(list[0]!, c.type);
      return list === null ? `NULL::${c.type}[]` : `[${list.map((v) => literal(v, c.type)).join(', ')}]::${c.type}[]`;
    }).join(', ')}, ${r})`);
  }
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  await wh.createTableAs(ref, `SELECT ${names} FROM (VALUES ${rows.join(',\n')}) AS v(${names}, __row) ORDER BY __row`);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** JSON numbers, and the strings proto3 JSON uses for non-finite doubles. */
function asDouble(v: Json): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NON_FINITE.has(v)) return Number(v);
  return undefined;
}

/**
 * Differences between two proto3-JSON messages under TFDV's test rule: doubles/floats equal within a relative
 * tolerance (NaN equals NaN), everything else exactly; an absent field equals its default.
 */
export function protoDiff(actual: Json | undefined, expected: Json | undefined, relTol = 1e-4, path = ''): string[] {
  const a = asDouble(actual ?? null);
  const e = asDouble(expected ?? null);
  if (a !== undefined || e !== undefined) {
    const x = a ?? 0;
    const y = e ?? 0;
    if (Number.isNaN(x) && Number.isNaN(y)) return [];
    if (x === y) return [];
    if (Math.abs(x - y) <= relTol * Math.max(Math.abs(x), Math.abs(y))) return [];
    return [`${path}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`];
  }
  if (Array.isArray(actual) || Array.isArray(expected)) {
    const xs = (actual as Json[] | undefined) ?? [];
    const ys = (expected as Json[] | undefined) ?? [];
    const out = xs.length === ys.length ? [] : [`${path}: ${xs.length} elements != ${ys.length}`];
    for (let i = 0; i < Math.min(xs.length, ys.length); i++) out.push(...protoDiff(xs[i], ys[i], relTol, `${path}[${i}]`));
    return out;
  }
  if (isObject(actual) || isObject(expected)) {
    const xs = isObject(actual) ? actual : {};
    const ys = isObject(expected) ? expected : {};
    return [...new Set([...Object.keys(xs), ...Object.keys(ys)])].flatMap((k) => protoDiff(xs[k], ys[k], relTol, path ? `${path}.${k}` : k));
  }
  // int64 as strings, enums, strings, booleans; absent = default ("0", "", false).
  const norm = (v: Json | undefined) => (v === undefined || v === null || v === '0' || v === 0 || v === '' || v === false ? undefined : v);
  return norm(actual) === norm(expected) ? [] : [`${path}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`];
}

function isObject(v: Json | undefined): v is { [k: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Deletes keys (at any depth) in place: TFDV's check_histograms=False and per-generator comparisons. */
export function dropKeys(v: Json, keys: readonly string[]): Json {
  if (Array.isArray(v)) v.forEach((x) => dropKeys(x, keys));
  else if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (keys.includes(k)) delete v[k];
      else dropKeys(v[k]!, keys);
    }
  }
  return v;
}

export type { Json };
