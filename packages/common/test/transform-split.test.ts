// The md5-key-v1 split: pinned test vectors (hashes computed with coreutils md5sum), TypeScript and DuckDB SQL
// agreeing on edge values and on every row of the public sample, and the BigQuery SQL text.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assignSplit, bigquerySplit, duckdbSplit, makeSplitDefinition, SplitKeyError, splitBucket, splitDefinitionSchema, splitKey, splitOfBucket,
} from '../src/transform/index.ts';
import type { KeyColumn } from '../src/transform/index.ts';
import { DuckdbWarehouse, TAXI_TABLE, duckdbDialect as d } from '../src/warehouse/index.ts';

const COLUMNS: KeyColumn[] = [{ name: 'a', type: 'INT64' }, { name: 'x', type: 'FLOAT64' }, { name: 's', type: 'STRING' }, { name: 'b', type: 'BOOL' }];
const def = makeSplitDefinition(COLUMNS);

describe('md5-key-v1 split in TypeScript', () => {
  it.each([
    // row, key, first 8 hex digits of md5(key) (md5sum), bucket, split
    [{ a: 7, x: 2.5, s: 'Cash', b: true }, '7|2500000|4:Cash|true', 'a7876b80', 52, 'train'],
    [{ a: -42, x: Number.NaN, s: '', b: null }, '-42|X|0:|N', 'a6222ef4', 0, 'train'],
    // -0.0078125 * 1e6 is exactly -7812.5: the half goes away from zero. 'é' is 2 UTF-8 bytes.
    [{ a: null, x: -0.0078125, s: 'é', b: false }, 'N|-7813|2:é|false', '9cda67a9', 81, 'val'],
    [{ a: 1, x: 0, s: 'x', b: true }, '1|0|1:x|true', 'e1417f28', 92, 'test'],
    // INT64 beyond 2^53 arrives as a bigint; -5e-7 * 1e6 is exactly -0.5.
    [{ a: 9007199254740993n, x: -0.0000005, s: 'Credit Card', b: false }, '9007199254740993|-1|11:Credit Card|false', '2d942372', 22, 'train'],
  ])('%o -> %s', (row, key, hex, bucket, split) => {
    expect(splitKey(def, row)).toBe(key);
    expect(Number.parseInt(hex, 16) % 100).toBe(bucket);
    expect(splitBucket(def, row)).toBe(bucket);
    expect(assignSplit(def, row)).toBe(split);
  });

  it('formats floats at 1e-6 with halves away from zero, and X where SQL cannot cast to INT64', () => {
    const key = (x: number) => splitKey(makeSplitDefinition([{ name: 'x', type: 'FLOAT64' }]), { x });
    expect([0.1, 0.0000004, 0.0000005, -0.0000004, -0.0, 1e-300, 2.675, 9.2e12].map(key)).toEqual(['100000', '0', '1', '0', '0', '0', '2675000', '9200000000000000000']);
    expect([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 9.3e12, -9.3e12, 1e300].map(key)).toEqual(['X', 'X', 'X', 'X', 'X', 'X']);
  });

  it('refuses values that do not match the column type, naming the column', () => {
    expect(() => splitKey(def, { a: 1.5, x: 0, s: '', b: true })).toThrow(/split key column a \(INT64\): expected an integer .*received 1\.5/);
    expect(() => splitKey(def, { a: 1, x: '0', s: '', b: true })).toThrow(SplitKeyError);
    expect(() => splitKey(def, { a: 1, x: 0, s: '', b: 'yes' })).toThrow(/split key column b \(BOOL\): expected a boolean or null, received "yes"/);
    expect(() => splitKey(def, { a: 1, x: 0, s: '' })).toThrow(/split key column b: missing from the row/);
  });

  it('maps buckets to the ranges of the percentages', () => {
    const d2 = makeSplitDefinition(COLUMNS, [70, 20, 10]);
    expect(d2.ranges).toEqual({ train: [0, 70], val: [70, 90], test: [90, 100] });
    expect([0, 69, 70, 89, 90, 99].map((b) => splitOfBucket(d2, b))).toEqual(['train', 'train', 'val', 'val', 'test', 'test']);
    expect(() => splitOfBucket(d2, 100)).toThrow(RangeError);
    const bad = splitDefinitionSchema.safeParse({ ...d2, ranges: { train: [0, 70], val: [75, 90], test: [90, 100] } });
    expect(bad.success).toBe(false);
    expect(splitDefinitionSchema.safeParse({ ...d2, keyColumns: [...d2.keyColumns, d2.keyColumns[0]] }).success).toBe(false);
  });
});

describe('md5-key-v1 split in SQL', () => {
  it('BigQuery SQL: the documented expression', () => {
    const small = makeSplitDefinition([{ name: 'a', type: 'INT64' }, { name: 'x', type: 'FLOAT64' }, { name: 's', type: 'STRING' }, { name: 'b', type: 'BOOL' }]);
    expect(bigquerySplit.bucket(small)).toBe([
      "MOD(CAST(CONCAT('0x', SUBSTR(TO_HEX(MD5(CONCAT(",
      "  IFNULL(CAST(`a` AS STRING), 'N'), '|',",
      "  IF(`x` IS NULL, 'N', IFNULL(CAST(SAFE_CAST(ROUND(`x` * 1000000) AS INT64) AS STRING), 'X')), '|',",
      "  IF(`s` IS NULL, 'N', CONCAT(CAST(BYTE_LENGTH(`s`) AS STRING), ':', `s`)), '|',",
      "  IF(`b` IS NULL, 'N', IF(`b`, 'true', 'false'))",
      "))), 1, 8)) AS INT64), 100)",
    ].join('\n'));
    expect(bigquerySplit.split(small, 'bucket')).toBe("CASE WHEN bucket < 80 THEN 'train' WHEN bucket < 90 THEN 'val' ELSE 'test' END");
  });

  it('DuckDB computes the TypeScript key and bucket for edge values', async () => {
    const wh = await DuckdbWarehouse.open({ dir: await mkdtemp(join(tmpdir(), 'split-')) });
    try {
      const values: [number | bigint | null, number | null, string | null, boolean | null][] = [
        [7, 2.5, 'Cash', true], [-42, Number.NaN, '', null], [null, -0.0078125, 'é', false], [0, 0.0078125, 'a|b', true],
        [9007199254740993n, -0.0000005, 'Credit Card', false], [-9223372036854775808n, 0.0000005, '日本', null],
        [9223372036854775807n, Number.POSITIVE_INFINITY, "it's", true], [1, Number.NEGATIVE_INFINITY, '\n', false],
        [2, 9.3e12, 'POINT(-87.6 41.9)', true], [3, -9.2e12, 'x', true], [4, -0.0, 'x', true], [5, 1e300, null, null],
        [6, 123.4565, 'ü', false], [7, -2.5e-7, 'tab\there', true], [null, null, null, null],
      ];
      const literal = (v: number | bigint | string | boolean | null, type: string) => {
        if (typeof v === 'number' && !Number.isFinite(v)) return `CAST('${v}' AS DOUBLE)`;
        if (v === null) return `CAST(NULL AS ${type})`;
        if (typeof v === 'bigint' || typeof v === 'number') return `CAST(${typeof v === 'number' && type === 'DOUBLE' ? v.toPrecision(17) : v} AS ${type})`;
        return d.literal(v);
      };
      const rowsSql = values.map(([a, x, s, b], i) => `SELECT ${i} AS i, ${literal(a, 'BIGINT')} AS a, ${literal(x, 'DOUBLE')} AS x, ${literal(s, 'VARCHAR')} AS s, ${literal(b, 'BOOLEAN')} AS b`).join(' UNION ALL ');
      const rows = await wh.query(`SELECT *, ${duckdbSplit.key(def)} AS k, ${duckdbSplit.bucket(def)} AS bucket FROM (${rowsSql}) ORDER BY i`);
      expect(rows).toHaveLength(values.length);
      for (const r of rows) {
        expect({ i: r['i'], k: r['k'] }).toEqual({ i: r['i'], k: splitKey(def, r) });
        expect(r['bucket']).toBe(splitBucket(def, r));
      }
      // The edge of INT64: x * 1e6 just below 2^63 casts, at 2^63 it does not (X), in both.
      const floatDef = makeSplitDefinition([{ name: 'x', type: 'FLOAT64' }]);
      const edge = [(2 ** 63 - 4096) / 1e6, 2 ** 63 / 1e6];
      const big = await wh.query(`SELECT ${duckdbSplit.key(floatDef)} AS k FROM (${edge.map((x, i) => `SELECT ${i} AS i, CAST(${x.toPrecision(17)} AS DOUBLE) AS x`).join(' UNION ALL ')}) ORDER BY i`);
      const keys = edge.map((x) => splitKey(floatDef, { x }));
      expect(big.map((r) => r['k'])).toEqual(keys);
      expect(keys[0]).toMatch(/^92233720368547\d{5}$/);
      expect(keys[1]).toBe('X');
    } finally {
      await wh.close();
    }
  });

  it('DuckDB and TypeScript agree on every row of the public sample (all INT64, FLOAT64 and STRING columns as the key)', async () => {
    const wh = await DuckdbWarehouse.open({ dir: await mkdtemp(join(tmpdir(), 'split-')) });
    try {
      const info = (await wh.getTable(TAXI_TABLE))!;
      const key = makeSplitDefinition(info.columns.filter((c) => ['INT64', 'FLOAT64', 'STRING'].includes(c.type)).map((c) => ({ name: c.name, type: c.type as 'INT64' })));
      expect(key.keyColumns).toHaveLength(14);
      const rows = await wh.query(`SELECT *, ${duckdbSplit.bucket(key)} AS bucket FROM ${d.table(TAXI_TABLE)}`);
      expect(rows).toHaveLength(15002);
      const mismatches = rows.filter((r) => splitBucket(key, r) !== r['bucket']);
      expect(mismatches).toEqual([]);
      // Order does not matter: the same rows in another order get the same buckets.
      const shuffled = await wh.query(`SELECT ${duckdbSplit.key(key)} AS k, ${duckdbSplit.bucket(key)} AS bucket FROM (SELECT * FROM ${d.table(TAXI_TABLE)} ORDER BY md5(CAST(fare AS VARCHAR) || CAST(trip_start_timestamp AS VARCHAR)) DESC)`);
      const byKey = new Map(rows.map((r) => [splitKey(key, r), r['bucket']]));
      expect(shuffled.every((r) => byKey.get(String(r['k'])) === r['bucket'])).toBe(true);
    } finally {
      await wh.close();
    }
  });
});
