// The extract dialects: BigQuery's text is the seed's functions (checked as text: there is no BigQuery here), and
// DuckDB's plain-SQL stand-ins compute what BigQuery prints, run for real, including published BigQuery results.
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableInfo } from '@formalize/common/warehouse';
import { DuckdbWarehouse, parseTableRef, TAXI_TABLE } from '@formalize/common/warehouse';
import { bigqueryExtractDialect as bq, duckdbExtractDialect as duck, extractDialectFor } from '../src/extract/dialect.ts';
import { featureQuery } from '../src/extract/feature-query.ts';
import { plainQuery } from '../src/extract/plain-query.ts';
import { haversine } from './helpers.ts';

let wh: DuckdbWarehouse;
beforeAll(async () => {
  wh = await DuckdbWarehouse.open({ dir: await mkdtemp(join(tmpdir(), 'dialect-')) });
});
afterAll(async () => {
  await wh?.close();
});

const value = async (expr: string) => (await wh.query(`SELECT ${expr} AS v`))[0]!['v'];

describe('BigQuery SQL text', () => {
  const taxiTypes = new Map([['trip_start_timestamp', 'TIMESTAMP'], ['trip_seconds', 'INT64'], ['trip_miles', 'FLOAT64'], ['payment_type', 'STRING'],
    ['pickup_longitude', 'FLOAT64'], ['pickup_latitude', 'FLOAT64'], ['dropoff_longitude', 'FLOAT64'], ['dropoff_latitude', 'FLOAT64'], ['tips', 'FLOAT64'], ['fare', 'FLOAT64']] as const);

  it('is the seed\'s feature SQL, with parameters and a defined subset', () => {
    const { sql, params } = featureQuery(bq, { source: TAXI_TABLE, sourceTypes: taxiTypes, year: 2020, limit: 300000 });
    expect(params).toEqual({ year: 2020, limit: 300000 });
    for (const part of [
      'FROM `bigquery-public-data.chicago_taxi_trips.taxi_trips`',
      '`pickup_longitude` IS NOT NULL AND `pickup_latitude` IS NOT NULL AND `dropoff_longitude` IS NOT NULL AND `dropoff_latitude` IS NOT NULL',
      'AND `trip_miles` > 0 AND `trip_seconds` > 0 AND `fare` > 0',
      'AND EXTRACT(YEAR FROM `trip_start_timestamp`) = @year',
      'EXTRACT(MONTH FROM `trip_start_timestamp`) AS `trip_month`',
      'EXTRACT(DAY FROM `trip_start_timestamp`) AS `trip_day`',
      'EXTRACT(DAYOFWEEK FROM `trip_start_timestamp`) AS `trip_day_of_week`',
      'EXTRACT(HOUR FROM `trip_start_timestamp`) AS `trip_hour`',
      'CAST(`trip_seconds` AS FLOAT64) AS `trip_seconds`',
      'ST_AsText(ST_SnapToGrid(ST_GeogPoint(`pickup_longitude`, `pickup_latitude`), 0.1)) AS `pickup_grid`',
      'ST_AsText(ST_SnapToGrid(ST_GeogPoint(`dropoff_longitude`, `dropoff_latitude`), 0.1)) AS `dropoff_grid`',
      'ST_Distance(ST_GeogPoint(`pickup_longitude`, `pickup_latitude`), ST_GeogPoint(`dropoff_longitude`, `dropoff_latitude`)) AS `euclidean`',
      'CONCAT(ST_AsText(ST_SnapToGrid(ST_GeogPoint(`pickup_longitude`, `pickup_latitude`), 0.1)), ST_AsText(ST_SnapToGrid(ST_GeogPoint(`dropoff_longitude`, `dropoff_latitude`), 0.1))) AS `loc_cross`',
      'CAST(IF(`tips` / `fare` >= 0.2, 1, 0) AS INT64) AS `tip_bin`',
      "TO_HEX(MD5(CONCAT(COALESCE(CAST(UNIX_MICROS(`trip_start_timestamp`) AS STRING), ''), '|', COALESCE(CAST(`trip_seconds` AS STRING), '')",
      "COALESCE(FORMAT('%.17g', CAST(`trip_miles` AS FLOAT64)), '')",
      'ORDER BY sample_key, `trip_month`, `trip_day`',
      'LIMIT @limit',
    ]) expect(sql).toContain(part);
  });

  it('writes filters with parameters and replaces tables by copy', () => {
    const table: TableInfo = { ref: parseTableRef('p.d.t'), numRows: 1, columns: [{ name: 'fare', type: 'FLOAT64', nativeType: 'FLOAT64' }, { name: 'ts', type: 'TIMESTAMP', nativeType: 'TIMESTAMP' }] };
    const { sql, params } = plainQuery(bq, { table, field: 'in', columns: ['fare'], filters: [{ column: 'fare', op: 'IN', value: [1, 2] }, { column: 'ts', op: '>=', value: '2014-01-01' }] });
    expect(sql).toBe('SELECT `fare`\nFROM `p.d.t`\nWHERE `fare` IN (@f0_0, @f0_1)\n  AND `ts` >= CAST(@f1_0 AS TIMESTAMP)');
    expect(params).toEqual({ f0_0: 1, f0_1: 2, f1_0: '2014-01-01' });
    expect(bq.replaceTableScript(parseTableRef('p.d.t__tmp'), parseTableRef('p.d.t'))).toBe('CREATE OR REPLACE TABLE `p.d.t` COPY `p.d.t__tmp`; DROP TABLE `p.d.t__tmp`;');
    expect(bq.singleSelectCheck).toBeUndefined();
    expect(extractDialectFor(wh.dialect)).toBe(duck);
  });
});

describe('DuckDB stand-ins compute what BigQuery prints', () => {
  it('grid cells as ST_AsText(ST_SnapToGrid(..., 0.1)) prints them', async () => {
    const grid = (lon: number, lat: number) => value(duck.gridPointText(String(lon), String(lat), 1));
    expect(await grid(-87.632746489, 41.880994471)).toBe('POINT(-87.6 41.9)');
    expect(await grid(-87.65, 41.96)).toBe('POINT(-87.7 42)');
    expect(await grid(-87.913624596, 41.980264315)).toBe('POINT(-87.9 42)');
    expect(await grid(2.04, -0.33)).toBe('POINT(2 -0.3)');
    expect(await value(duck.gridPointText('NULL::DOUBLE', '41.9', 1))).toBeNull();
    expect(() => duck.gridPointText('x', 'y', 0)).toThrow(/grid decimals/);
  });

  it('distances on BigQuery\'s sphere: published BigQuery results to the millimetre', async () => {
    const dist = (a: number[], b: number[]) => value(duck.sphericalDistance(...a.map(String) as [string, string], ...b.map(String) as [string, string])) as Promise<number>;
    // dev.classmethod.jp/articles/bigquery-geography-functions-try: Tokyo Tower to Tokyo Skytree.
    expect(await dist([139.7454316, 35.658584], [139.8108103, 35.7100069])).toBeCloseTo(8219.632821167155, 3);
    // github.com/mrafayaleem/sql-snippets bigquery/geographical-distance.md
    expect(await dist([10, 12], [15, 17])).toBeCloseTo(773697.017019, 3);
    expect(await dist([-87.63, 41.88], [-87.63, 41.88])).toBe(0);
    const [a, b] = [[-87.632746489, 41.880994471], [-87.913624596, 41.980264315]] as const;
    expect(Math.abs((await dist([...a], [...b])) - haversine(a[0], a[1], b[0], b[1]))).toBeLessThan(0.01);
  });

  it('numbers days of the week 1 = Sunday, concatenates like CONCAT, hashes like MD5, keys floats as %.17g', async () => {
    expect(await value(duck.extract('DAYOFWEEK', "TIMESTAMP '2014-05-18 10:00:00'"))).toBe(1);
    expect(await value(duck.extract('DAYOFWEEK', "TIMESTAMP '2014-05-17 10:00:00'"))).toBe(7);
    expect(await value(duck.concat("'a'", 'NULL'))).toBeNull();
    expect(await value(duck.md5Hex("'taxi'"))).toBe(createHash('md5').update('taxi').digest('hex'));
    expect(await value(duck.keyText('41.880994471', 'FLOAT64'))).toBe('41.880994471000001');
    expect(await value(duck.keyText("TIMESTAMP '2014-05-16 19:45:00'", 'TIMESTAMP'))).toBe(String(Date.UTC(2014, 4, 16, 19, 45) * 1000));
    expect(await value(duck.toInt64(duck.iif('1 > 2', '1', '0')))).toBe(0);
  });

  it('tells one SELECT from anything else', async () => {
    const check = async (sql: string) => (await wh.query(duck.singleSelectCheck!('$sql'), { sql }))[0];
    expect(await check('SELECT 1 AS a')).toMatchObject({ error: false, statements: 1 });
    expect(await check('WITH t AS (SELECT 1 AS a) SELECT * FROM t')).toMatchObject({ error: false, statements: 1 });
    expect(await check('SELECT 1; SELECT 2')).toMatchObject({ error: false, statements: 2 });
    expect((await check('DROP TABLE x'))!['error']).toBe(true);
    expect((await check('SELECT 1); DROP TABLE y; SELECT (1'))!['error']).toBe(true);
  });
});
