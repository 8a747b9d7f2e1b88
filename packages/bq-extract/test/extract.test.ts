// bq-extract end to end, as the KFP launcher drives it (child process, ExecutorInput in, files out), on a fresh
// warehouse whose public table is the shipped sample. Expected values are computed here from the CSV itself.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TAXI_TABLE } from '@formalize/common/warehouse';
import type { SampleTrip, Workdir } from './helpers.ts';
import { extract, haversine, projectTables, queryRows, sampleTrips, workdir } from './helpers.ts';

const DEST = '"my-project"."chicago_taxi_trips"."taxi_trips"';
const PUBLIC = 'bq://bigquery-public-data.chicago_taxi_trips.taxi_trips';

let trips: SampleTrip[];
beforeAll(() => {
  trips = sampleTrips();
});

/** The seed's row filters, in TypeScript. */
const passes = (t: SampleTrip, year: number) => t.pickupLat !== null && t.pickupLon !== null && t.dropoffLat !== null && t.dropoffLon !== null
  && (t.tripMiles ?? 0) > 0 && (t.tripSeconds ?? 0) > 0 && (t.fare ?? 0) > 0 && t.ts.getUTCFullYear() === year;
/** WKT of a point on the 0.1-degree grid, as BigQuery prints it. */
const grid = (lon: number, lat: number) => `POINT(${Math.round(lon * 10) / 10} ${Math.round(lat * 10) / 10})`;

function expectFailure(r: ReturnType<typeof extract>, message: RegExp) {
  expect(r.code).toBe(1);
  expect(r.errors).toHaveLength(1);
  expect(r.errors[0]).toMatch(message);
  expect(r.output).toBeUndefined();
}

describe('features mode on the public sample', () => {
  let w: Workdir;
  let run: ReturnType<typeof extract>;
  beforeAll(async () => {
    w = await workdir();
    run = extract(w, 'all-2014', { bq_table: PUBLIC, year: 2014 });
  });

  it('writes the seed\'s copy table and describes it as GCPC does', () => {
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const want = trips.filter((t) => passes(t, 2014)).length;
    expect(want).toBeGreaterThan(3000);
    expect(run.output).toEqual({
      parameterValues: { row_count: want },
      artifacts: {
        destination_table: {
          artifacts: [{
            name: 'destination_table',
            uri: 'https://www.googleapis.com/bigquery/v2/projects/my-project/datasets/chicago_taxi_trips/tables/taxi_trips',
            metadata: { projectId: 'my-project', datasetId: 'chicago_taxi_trips', tableId: 'taxi_trips' },
          }],
        },
      },
    });
  });

  it('has the seed\'s columns and types, and the label rate of the sample', async () => {
    const cols = await queryRows(w, `SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_catalog = 'my-project' ORDER BY ordinal_position`);
    expect(cols.map((c) => `${String(c['c'])}:${String(c['t'])}`)).toEqual([
      'trip_month:BIGINT', 'trip_day:BIGINT', 'trip_day_of_week:BIGINT', 'trip_hour:BIGINT', 'trip_seconds:DOUBLE', 'trip_miles:DOUBLE', 'payment_type:VARCHAR',
      'pickup_grid:VARCHAR', 'dropoff_grid:VARCHAR', 'euclidean:DOUBLE', 'loc_cross:VARCHAR', 'tip_bin:BIGINT',
    ]);
    const kept = trips.filter((t) => passes(t, 2014));
    const tipped = kept.filter((t) => (t.tips ?? 0) / t.fare! >= 0.2).length;
    const [r] = await queryRows(w, `SELECT sum(tip_bin) AS tipped, count(*) AS n, avg(tip_bin) AS rate FROM ${DEST}`);
    expect(Number(r!['tipped'])).toBe(tipped);
    expect(Number(r!['rate'])).toBeGreaterThan(0.15);
    expect(Number(r!['rate'])).toBeLessThan(0.5);
  });

  it('derives the features of hand-checked trips', async () => {
    const kept = trips.filter((t) => passes(t, 2014));
    // A few trips: first, last, one on a Sunday, one crossing grid cells.
    const picks = [kept[0]!, kept.at(-1)!, kept.find((t) => t.ts.getUTCDay() === 0)!, kept.find((t) => grid(t.pickupLon!, t.pickupLat!) !== grid(t.dropoffLon!, t.dropoffLat!))!];
    for (const t of picks) {
      const pg = grid(t.pickupLon!, t.pickupLat!);
      const dg = grid(t.dropoffLon!, t.dropoffLat!);
      const want = {
        trip_month: t.ts.getUTCMonth() + 1, trip_day: t.ts.getUTCDate(), trip_day_of_week: t.ts.getUTCDay() + 1, trip_hour: t.ts.getUTCHours(),
        trip_seconds: t.tripSeconds, trip_miles: t.tripMiles, payment_type: t.paymentType, pickup_grid: pg, dropoff_grid: dg, loc_cross: pg + dg,
        tip_bin: (t.tips ?? 0) / t.fare! >= 0.2 ? 1 : 0,
      };
      const metres = haversine(t.pickupLon!, t.pickupLat!, t.dropoffLon!, t.dropoffLat!);
      const rows = await queryRows(w, `SELECT * EXCLUDE (euclidean) FROM ${DEST}
        WHERE trip_month = ${want.trip_month} AND trip_day = ${want.trip_day} AND trip_hour = ${want.trip_hour} AND trip_seconds = ${want.trip_seconds}
          AND trip_miles = ${want.trip_miles} AND abs(euclidean - ${metres}) < 1`);
      // The distance is within 1 m of the haversine (the WHERE), every other feature exactly as computed here.
      expect(rows).toContainEqual(want);
    }
    expect(grid(-87.632746489, 41.880994471)).toBe('POINT(-87.6 41.9)');
  });

  it('a limit gives the same subset every time, spread over the year, not its first trips', async () => {
    const a = extract(w, 'limit-a', { bq_table: PUBLIC, year: 2014, limit: 500, destination: 'my-project.samples.a' });
    const b = extract(w, 'limit-b', { bq_table: PUBLIC, year: 2014, limit: 500, destination: 'my-project.samples.b' });
    expect([a.code, b.code, a.output?.parameterValues, b.output?.parameterValues]).toEqual([0, 0, { row_count: 500 }, { row_count: 500 }]);
    const [r] = await queryRows(w, `SELECT
        (SELECT count(*) FROM (SELECT * FROM "my-project"."samples"."a" EXCEPT ALL SELECT * FROM "my-project"."samples"."b")) AS differ,
        (SELECT count(DISTINCT trip_month) FROM "my-project"."samples"."a") AS months,
        (SELECT count(*) FROM (SELECT * FROM "my-project"."samples"."a" EXCEPT ALL SELECT * FROM ${DEST})) AS foreign`);
    expect(r).toEqual({ differ: 0, months: 12, foreign: 0 });
  });
});

describe('columns and query modes', () => {
  let w: Workdir;
  beforeAll(async () => {
    w = await workdir();
  });

  it('columns mode: chosen columns, structured filters, types kept', async () => {
    const r = extract(w, 'plain', {
      mode: 'columns', bq_table: PUBLIC, destination: 'my-project.raw.cash_trips',
      columns: ['trip_start_timestamp', 'fare', 'payment_type', 'company'],
      filters: [
        { column: 'payment_type', op: '=', value: 'Cash' },
        { column: 'fare', op: '>', value: 10 },
        { column: 'company', op: 'IN', value: ['Taxi Affiliation Services', 'Choice Taxi Association'] },
        { column: 'trip_start_timestamp', op: '>=', value: '2015-01-01' },
        { column: 'pickup_latitude', op: 'IS NOT NULL' },
      ],
    });
    expect(r.errors).toEqual([]);
    const want = trips.filter((t) => t.paymentType === 'Cash' && (t.fare ?? 0) > 10 && ['Taxi Affiliation Services', 'Choice Taxi Association'].includes(t.company ?? '')
      && t.ts >= new Date('2015-01-01T00:00:00Z') && t.pickupLat !== null).length;
    expect(want).toBeGreaterThan(100);
    expect(r.output?.parameterValues).toEqual({ row_count: want });
    const cols = await queryRows(w, `SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = 'cash_trips' ORDER BY ordinal_position`);
    expect(cols).toEqual([{ c: 'trip_start_timestamp', t: 'TIMESTAMP' }, { c: 'fare', t: 'DOUBLE' }, { c: 'payment_type', t: 'VARCHAR' }, { c: 'company', t: 'VARCHAR' }]);
  });

  it('columns mode with a limit and all columns: a fixed subset of whole rows', async () => {
    const r = extract(w, 'plain-limit', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.raw.some', limit: 100 });
    expect(r.output?.parameterValues).toEqual({ row_count: 100 });
    const [x] = await queryRows(w, `SELECT count(*) AS n FROM (SELECT * FROM "my-project"."raw"."some" EXCEPT ALL SELECT * FROM "bigquery-public-data"."chicago_taxi_trips"."taxi_trips")`);
    expect(x).toEqual({ n: 0 });
  });

  it('query mode: one SELECT, backtick table names rewritten for the warehouse', async () => {
    const r = extract(w, 'raw', {
      mode: 'query', destination: 'my-project.raw.by_payment',
      query: 'SELECT payment_type, COUNT(*) AS trips FROM `bigquery-public-data.chicago_taxi_trips.taxi_trips` GROUP BY payment_type ORDER BY trips DESC',
    });
    expect(r.errors).toEqual([]);
    const counts = new Map<string, number>();
    for (const t of trips) counts.set(t.paymentType ?? '', (counts.get(t.paymentType ?? '') ?? 0) + 1);
    expect(r.output?.parameterValues).toEqual({ row_count: counts.size });
    const rows = await queryRows(w, 'SELECT * FROM "my-project"."raw"."by_payment"');
    expect(rows[0]).toEqual({ payment_type: 'Cash', trips: counts.get('Cash') });
  });
});

describe('bad input: a clear error naming the field and the value, exit 1, nothing written', () => {
  let w: Workdir;
  beforeAll(async () => {
    w = await workdir();
    // An existing destination, to show a failed run leaves it as it was.
    expect(extract(w, 'setup', { bq_table: PUBLIC, year: 2015, limit: 50 }).code).toBe(0);
  });

  it.each([
    ['a missing source table', { bq_table: 'my-project.nowhere.trips', year: 2014 }, /^error: inputs\.parameterValues\.bq_table: an existing table \(not found in the warehouse\), received "my-project\.nowhere\.trips"$/],
    ['a year with no trips', { bq_table: PUBLIC, year: 2019 },
      /^error: inputs\.parameterValues\.year: a year with trips in bigquery-public-data\.chicago_taxi_trips\.taxi_trips passing the filters \(.*\); years with such trips: 2013 \(\d+ trips\), 2014 \(\d+ trips\), 2015 \(\d+ trips\), 2016 \(\d+ trips\), received 2019$/],
    ['limit 0', { bq_table: PUBLIC, year: 2014, limit: 0 }, /^error: inputs\.parameterValues\.limit: too small: expected number to be >=1, received 0$/],
    ['a negative limit', { bq_table: PUBLIC, year: 2014, limit: -5 }, /^error: inputs\.parameterValues\.limit: too small: expected number to be >=1, received -5$/],
    ['a destination in the public project', { bq_table: PUBLIC, year: 2014, destination: 'bigquery-public-data.chicago_taxi_trips.copy' },
      /^error: inputs\.parameterValues\.destination: a table in your own project \(bigquery-public-data is the read-only public project\), received "bigquery-public-data\.chicago_taxi_trips\.copy"$/],
    ['the public project as project', { bq_table: PUBLIC, year: 2014, project: 'bigquery-public-data' }, /^error: inputs\.parameterValues\.project: a table in your own project/],
    ['the source as destination', { mode: 'columns', bq_table: 'my-project.chicago_taxi_trips.taxi_trips' }, /^error: inputs\.parameterValues\.destination: a table other than the source my-project\.chicago_taxi_trips\.taxi_trips/],
    ['no year in features mode', { bq_table: PUBLIC }, /^error: inputs\.parameterValues\.year: required in features mode, received nothing$/],
    ['an input of another mode', { bq_table: PUBLIC, year: 2014, query: 'SELECT 1' }, /^error: inputs\.parameterValues\.query: not an input of features mode \(it is read in query mode\), received "SELECT 1"$/],
    ['a table without the taxi columns', { bq_table: 'my-project.chicago_taxi_trips.taxi_trips', year: 2015, destination: 'my-project.x.y' },
      /^error: inputs\.parameterValues\.bq_table: a table with column trip_start_timestamp \(features mode reads .*\), received "my-project\.chicago_taxi_trips\.taxi_trips"$/],
    ['an unknown column', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.x.y', columns: ['fare', 'tip_amount'] },
      /^error: inputs\.parameterValues\.columns\[1\]: no such column \(bigquery-public-data\.chicago_taxi_trips\.taxi_trips has trip_start_timestamp, .*\), received "tip_amount"$/],
    ['an unknown filter column', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.x.y', filters: [{ column: 'speed', op: '>', value: 1 }] },
      /^error: inputs\.parameterValues\.filters\[0\]\.column: no such column .*, received "speed"$/],
    ['a filter value of the wrong type', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.x.y', filters: [{ column: 'fare', op: '>', value: '10' }] },
      /^error: inputs\.parameterValues\.filters\[0\]\.value: a number for FLOAT64 column fare, received "10"$/],
    ['filters keeping nothing', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.x.y', filters: [{ column: 'fare', op: '<', value: -1 }] },
      /^error: inputs\.parameterValues\.filters: filters that keep at least one row of bigquery-public-data\.chicago_taxi_trips\.taxi_trips, received \[\{"column":"fare","op":"<","value":-1\}\]$/],
    ['query mode without a destination', { mode: 'query', query: 'SELECT 1 AS a' }, /^error: inputs\.parameterValues\.destination: required in query mode, received nothing$/],
    ['two statements', { mode: 'query', destination: 'my-project.x.y', query: 'SELECT 1 AS a; SELECT 2 AS b' },
      /^error: inputs\.parameterValues\.query: exactly one SELECT statement in duckdb SQL \(this holds 2 statements\), received "SELECT 1 AS a; SELECT 2 AS b"$/],
    ['a SELECT and a DROP', { mode: 'query', destination: 'my-project.x.y', query: 'SELECT 1 AS a; DROP TABLE "my-project"."chicago_taxi_trips"."taxi_trips"' },
      /^error: inputs\.parameterValues\.query: exactly one SELECT statement in duckdb SQL \(this holds a statement other than SELECT\), received /],
    ['not a SELECT', { mode: 'query', destination: 'my-project.x.y', query: 'DROP TABLE "my-project"."chicago_taxi_trips"."taxi_trips"' },
      /^error: inputs\.parameterValues\.query: exactly one SELECT statement in duckdb SQL \(this holds a statement other than SELECT\)/],
    ['SQL that does not parse', { mode: 'query', destination: 'my-project.x.y', query: 'SELEC 1' },
      /^error: inputs\.parameterValues\.query: exactly one SELECT statement in duckdb SQL \(this does not parse: syntax error at or near "SELEC"\)/],
    ['a query the warehouse refuses', { mode: 'query', destination: 'my-project.x.y', query: 'SELECT tip_amount FROM `bigquery-public-data.chicago_taxi_trips.taxi_trips`' },
      /^error: inputs\.parameterValues\.query: a query the duckdb warehouse accepts \(Binder Error: .*tip_amount.*\), received /],
    ['a query on a missing table', { mode: 'query', destination: 'my-project.x.y', query: 'SELECT * FROM `my-project.nowhere.t`' },
      /^error: inputs\.parameterValues\.query: existing tables \(my-project\.nowhere\.t is not in the warehouse\)/],
  ])('%s', async (_, params, message) => {
    const r = extract(w, 'bad', params);
    expectFailure(r, message);
    expect(existsSync(join(w.dir, 'bad', 'outputs', 'row_count'))).toBe(false);
    expect(await projectTables(w)).toEqual(['my-project.chicago_taxi_trips.taxi_trips']);
    const [x] = await queryRows(w, `SELECT count(*) AS n FROM ${DEST}`);
    expect(x).toEqual({ n: 50 });
  });
});

describe('no injection through parameters: names are validated, values are parameters', () => {
  let w: Workdir;
  beforeAll(async () => {
    w = await workdir();
  });
  const DROP = 'DROP TABLE "bigquery-public-data"."chicago_taxi_trips"."taxi_trips"';

  it.each([
    ['a table name', { bq_table: 'bigquery-public-data.chicago_taxi_trips.taxi_trips; DROP TABLE x', year: 2014 }, /^error: inputs\.parameterValues\.bq_table: invalid table id "taxi_trips; DROP TABLE x"/],
    ['a table name with dots', { bq_table: `bigquery-public-data.chicago_taxi_trips.taxi_trips; ${DROP}`, year: 2014 }, /^error: inputs\.parameterValues\.bq_table: expected "project\.dataset\.table" \(got "bigquery-public-data\.chicago_taxi_trips\.taxi_trips; DROP TABLE /],
    ['a quoted table name', { bq_table: 'bigquery-public-data.chicago_taxi_trips."taxi_trips"', year: 2014 }, /^error: inputs\.parameterValues\.bq_table: invalid table id/],
    ['a destination name', { bq_table: PUBLIC, year: 2014, destination: 'my-project.ds.t" AS SELECT 1; --' }, /^error: inputs\.parameterValues\.destination: invalid table id/],
    ['a backtick name in a query', { mode: 'query', destination: 'my-project.x.y', query: 'SELECT * FROM `bigquery-public-data.chicago_taxi_trips.taxi_trips"; DROP TABLE x; --`' },
      /^error: inputs\.parameterValues\.query: invalid table id/],
    ['a column name', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.x.y', columns: [`fare FROM x; ${DROP}; SELECT fare`] }, /^error: inputs\.parameterValues\.columns\[0\]: invalid column name/],
    ['a quoted column name', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.x.y', columns: ['"fare"'] }, /^error: inputs\.parameterValues\.columns\[0\]: invalid column name "\\"fare\\""/],
    ['a filter column', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.x.y', filters: [{ column: '1=1 OR fare', op: '>', value: 0 }] }, /^error: inputs\.parameterValues\.filters\[0\]\.column: invalid column name/],
    ['a filter operator', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.x.y', filters: [{ column: 'fare', op: '> 0 OR 1 =', value: 1 }] }, /^error: inputs\.parameterValues\.filters\[0\]\.op: expected one of/],
    // A value that would close the quote and widen the filter if it were pasted into the SQL: as a parameter it
    // is a payment type no trip has, so nothing is kept.
    ['a filter value', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.x.y', filters: [{ column: 'payment_type', op: '=', value: "Cash' OR '1'='1" }] },
      /^error: inputs\.parameterValues\.filters: filters that keep at least one row/],
    ['a limit', { bq_table: PUBLIC, year: 2014, limit: `1; ${DROP}` }, /^error: inputs\.parameterValues\.limit: expected an integer, received "1; DROP TABLE/],
    ['a year', { bq_table: PUBLIC, year: '2014 OR 1=1' }, /^error: inputs\.parameterValues\.year: expected an integer, received "2014 OR 1=1"$/],
  ])('%s', async (_, params, message) => {
    expectFailure(extract(w, 'inject', params), message);
    expect(await projectTables(w)).toEqual([]);
    const [x] = await queryRows(w, `SELECT count(*) AS n FROM "${TAXI_TABLE.projectId}"."${TAXI_TABLE.datasetId}"."${TAXI_TABLE.tableId}"`);
    expect(x).toEqual({ n: 15002 });
  });

  it('an IN list value with quotes matches literally', async () => {
    const r = extract(w, 'in', { mode: 'columns', bq_table: PUBLIC, destination: 'my-project.x.quoted', columns: ['payment_type'],
      filters: [{ column: 'payment_type', op: 'IN', value: ["Cash') OR ('1'='1", 'Dispute'] }] });
    expect(r.output?.parameterValues).toEqual({ row_count: trips.filter((t) => t.paymentType === 'Dispute').length });
  });
});
