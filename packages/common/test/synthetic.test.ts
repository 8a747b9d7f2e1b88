// The seeded synthetic taxi trip generator: a portable hash (SQL = TypeScript), the same seed -> the same table,
// the sample's structure reproduced, and each drift knob moving its statistic by the amount asked for.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Row, TaxiDrift } from '../src/warehouse/index.ts';
import {
  DuckdbWarehouse, generateTaxiTrips, learnTaxiTripModel, parseTaxiDrift, parseTaxiDriftArgs, TAXI_COLUMNS, TAXI_TABLE, TaxiDriftError,
} from '../src/warehouse/index.ts';
import { aliasTable, rowUniforms, uniformsSql } from '../src/warehouse/synthetic-sampling.ts';

// Real generation and SQL on a 2-core machine shared with other work.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const PROJECT = 'synth-test';
let wh: DuckdbWarehouse;
let n = 0;

beforeAll(async () => {
  wh = await DuckdbWarehouse.open({ dir: await mkdtemp(join(tmpdir(), 'synthetic-')), writeProjects: [PROJECT] });
});
afterAll(async () => {
  await wh?.close();
});

const T = (name: string) => `"${PROJECT}"."gen"."${name}"`;
const one = async (sql: string): Promise<Row> => (await wh.query(sql))[0]!;
const num = (r: Row, k: string) => Number(r[k]);

/** Generates into a fresh table and returns its quoted name. */
async function generate(rows: number, seed: number, drift?: TaxiDrift, batchRows?: number): Promise<string> {
  const name = `t${++n}`;
  await generateTaxiTrips(wh, { table: `${PROJECT}.gen.${name}`, rows, seed, ...(drift && { drift }), ...(batchRows && { batchRows }) });
  return T(name);
}

/** Order-independent content checksum of a table. */
const checksum = async (t: string) => String((await one(`SELECT md5(string_agg(CAST(x AS VARCHAR), chr(10) ORDER BY CAST(x AS VARCHAR))) AS h FROM ${t} x`))['h']);

describe('counter-based PRNG', () => {
  it('the SQL hash equals its TypeScript definition, for any seed and row number', async () => {
    const streams = ['ym', 'loc', ['day', 'quarter'] as const];
    for (const seed of [0, 1, -7, 2 ** 40 + 3]) {
      const rows = [0, 1, 2, 12345, 2 ** 31, 2 ** 32 - 1];
      const got = await wh.query(`${uniformsSql({ seed, rowsSql: `SELECT unnest([${rows.join(', ')}]::BIGINT[]) AS i`, streams })} ORDER BY i`);
      expect(got).toEqual(rows.map((i) => ({ i, ...Object.fromEntries(Object.entries(rowUniforms(seed, i, streams)).map(([k, v]) => [`u_${k}`, v])) })));
    }
  });

  it('uniforms are uniform and streams independent', async () => {
    const r = await one(`SELECT avg(u_a) AS ma, avg(u_b) AS mb, var_pop(u_a) AS va, corr(u_a, u_b) AS ab, corr(u_a, u_c) AS ac, corr(u_c, u_d) AS cd, min(u_a) AS lo, max(u_a) AS hi
      FROM (${uniformsSql({ seed: 3, rowsSql: 'SELECT range AS i FROM range(200000)', streams: ['a', 'b', ['c', 'd']] })})`);
    expect(num(r, 'ma')).toBeCloseTo(0.5, 2);
    expect(num(r, 'mb')).toBeCloseTo(0.5, 2);
    expect(num(r, 'va')).toBeCloseTo(1 / 12, 3);
    for (const k of ['ab', 'ac', 'cd']) expect(Math.abs(num(r, k))).toBeLessThan(0.01);
    expect(num(r, 'lo')).toBeGreaterThan(0);
    expect(num(r, 'hi')).toBeLessThan(1);
  });

  it('alias tables reproduce their weights exactly', () => {
    const w = [5, 1, 0, 3, 1];
    const { prob, alias } = aliasTable(w);
    const mass = Array.from({ length: w.length }, () => 0);
    prob.forEach((p, k) => {
      mass[k]! += p / w.length;
      mass[alias[k]!]! += (1 - p) / w.length;
    });
    mass.forEach((m, k) => expect(m).toBeCloseTo(w[k]! / 10, 12));
    expect(() => aliasTable([0, 0])).toThrow(/positive sum/);
  });
});

describe('generated tables', () => {
  it('have the public table columns and types, are reproducible by seed and independent of batching', async () => {
    const a = await generate(20000, 42);
    const b = await generate(20000, 42, undefined, 3000);
    const c = await generate(20000, 43);
    const info = await wh.getTable({ projectId: PROJECT, datasetId: 'gen', tableId: `t${n - 2}` });
    const pub = await wh.getTable(TAXI_TABLE);
    expect(info?.numRows).toBe(20000);
    expect(info?.columns.map((col) => [col.name, col.type])).toEqual(pub?.columns.map((col) => [col.name, col.type]));
    expect(info?.columns.map((col) => col.name)).toEqual(TAXI_COLUMNS.map(([name]) => name));
    expect(await checksum(a)).toBe(await checksum(b));
    expect(await checksum(a)).not.toBe(await checksum(c));
    // Rows differ row by row, not just in order.
    expect(num(await one(`SELECT count(*) AS n FROM (SELECT * FROM ${a} INTERSECT ALL SELECT * FROM ${c})`), 'n')).toBeLessThan(2000);
    // No temporary tables left behind.
    const tables = await wh.query(`SELECT table_name FROM information_schema.tables WHERE table_catalog IN ('${PROJECT}', 'temp') ORDER BY 1`);
    expect(tables.map((t) => t['table_name'])).toEqual(['t1', 't2', 't3']);
  });

  it('reproduce the sample: mixes, tips by payment type, missing coordinates, clustering, recording grids, correlations', async () => {
    const t = await generate(60000, 7);
    const dist = `2 * 6371010 * asin(sqrt(pow(sin(radians(dropoff_latitude - pickup_latitude) / 2), 2) + cos(radians(pickup_latitude)) * cos(radians(dropoff_latitude)) * pow(sin(radians(dropoff_longitude - pickup_longitude) / 2), 2)))`;
    const stats = (src: string) => one(`SELECT
        avg((payment_type = 'Cash')::INT) AS cash, avg((payment_type = 'Credit Card')::INT) AS card,
        avg((tips > 0)::INT) FILTER (WHERE payment_type = 'Credit Card') AS card_tipped, avg((tips > 0)::INT) FILTER (WHERE payment_type = 'Cash') AS cash_tipped,
        avg((tips / fare >= 0.2)::INT) FILTER (WHERE fare > 0) AS label,
        avg((dropoff_latitude IS NULL)::INT) AS dropoff_missing, avg((company IS NULL)::INT) AS no_company, avg((trip_miles = 0)::INT) AS zero_miles,
        avg((year(trip_start_timestamp) = 2014)::INT) AS y2014, avg(hour(trip_start_timestamp)) AS hour, avg(dayofweek(trip_start_timestamp)) AS dow,
        corr(ln(greatest(trip_miles, 1e-9)), ln(greatest(${dist}, 1))) FILTER (WHERE trip_miles > 0 AND ${dist} > 1) AS miles_vs_distance,
        corr(ln(greatest(trip_seconds, 1e-9)), ln(greatest(trip_miles, 1e-9))) FILTER (WHERE trip_miles > 0 AND trip_seconds > 0) AS seconds_vs_miles,
        regr_slope(fare, trip_miles) FILTER (WHERE trip_miles > 0 AND trip_miles < 50 AND fare < 200) AS fare_per_mile,
        count(DISTINCT (pickup_latitude, pickup_longitude)) AS pickup_points,
        avg((minute(trip_start_timestamp) % 15 = 0 AND second(trip_start_timestamp) = 0)::INT) AS on_grid,
        avg((trip_seconds % 60 = 0)::INT) AS whole_minutes, avg((abs(fare * 20 - round(fare * 20)) < 1e-9)::INT) AS five_cents
      FROM ${src}`);
    const [s, g] = [await stats(wh.dialect.table(TAXI_TABLE)), await stats(t)];
    for (const [k, tol] of [['cash', 0.015], ['card', 0.015], ['card_tipped', 0.02], ['label', 0.02], ['dropoff_missing', 0.005], ['no_company', 0.015],
      ['zero_miles', 0.015], ['y2014', 0.015], ['hour', 0.1], ['dow', 0.05], ['miles_vs_distance', 0.1], ['seconds_vs_miles', 0.05], ['fare_per_mile', 0.25]] as const) {
      // Keyed, so that a failure names the statistic; closeTo(x, d) accepts |error| < 10^-d / 2 = tol.
      expect({ [k]: num(g, k) }).toEqual({ [k]: expect.closeTo(num(s, k), -Math.log10(2 * tol)) });
    }
    expect(num(g, 'cash_tipped')).toBeLessThan(0.005);
    // Clustered on the sample's centroids, not spread uniformly.
    expect(num(g, 'pickup_points')).toBeLessThanOrEqual(num(s, 'pickup_points'));
    for (const k of ['on_grid', 'whole_minutes', 'five_cents']) expect(num(g, k)).toBe(1);
  });

  it('learn a model whose fits have the meter\'s shape', async () => {
    const m = await learnTaxiTripModel(wh, TAXI_TABLE);
    expect(m.sampleRows).toBe(15002);
    expect(m.fare.perMile).toBeGreaterThan(1);
    expect(m.fare.perMinute).toBeGreaterThan(0);
    expect(m.fare.floor).toBeCloseTo(3.25, 1);
    expect(m.miles.slope).toBeGreaterThan(0.5);
    expect(m.seconds.resolution).toBe(60);
    expect(m.tips.byPayment['Cash']!.positiveShare).toBeLessThan(0.01);
    expect(m.tips.byPayment['Credit Card']!.positiveShare).toBeGreaterThan(0.9);
  });
});

describe('drift knobs move their statistic by the amount asked', () => {
  const ROWS = 50000;
  let base: string;
  beforeAll(async () => {
    base = await generate(ROWS, 11);
  });

  it('scale and shift: trip_miles x 1.3, fare + 2, nothing else moves', async () => {
    const t = await generate(ROWS, 11, { scale: { trip_miles: 1.3 }, shift: { fare: 2 } });
    const q = (src: string) => one(`SELECT avg(trip_miles) AS miles, avg(fare) AS fare, avg(trip_seconds) AS secs, avg(tips) AS tips FROM ${src}`);
    const [b, d] = [await q(base), await q(t)];
    expect(num(d, 'miles') / num(b, 'miles')).toBeGreaterThan(1.3 * 0.98);
    expect(num(d, 'miles') / num(b, 'miles')).toBeLessThan(1.3 * 1.02);
    expect(num(d, 'fare') - num(b, 'fare')).toBeCloseTo(2, 1);
    expect(num(d, 'secs')).toBe(num(b, 'secs'));
    expect(num(d, 'tips')).toBe(num(b, 'tips'));
  });

  it('category mix: exact shares, an unseen payment type and company, the rest in proportion', async () => {
    const t = await generate(ROWS, 11, { mix: { payment_type: { Cash: 0.2, Mobile: 0.1 }, company: { 'Zephyr Cabs': 0.15 } } });
    const shares = async (src: string) => one(`SELECT avg((payment_type = 'Cash')::INT) AS cash, avg((payment_type = 'Mobile')::INT) AS mobile,
      avg((payment_type = 'Credit Card')::INT) AS card, avg(coalesce(company = 'Zephyr Cabs', false)::INT) AS zephyr, avg((company IS NULL)::INT) AS no_company FROM ${src}`);
    const [b, d] = [await shares(base), await shares(t)];
    expect(num(d, 'cash')).toBeCloseTo(0.2, 2);
    expect(num(d, 'mobile')).toBeCloseTo(0.1, 2);
    expect(num(b, 'mobile')).toBe(0);
    // Credit Card keeps its share of what is left: 0.7 * card / (1 - cash) of the base mix.
    expect(num(d, 'card')).toBeCloseTo((0.7 * num(b, 'card')) / (1 - num(b, 'cash')), 2);
    expect(num(d, 'zephyr')).toBeCloseTo(0.15, 2);
    expect(num(d, 'no_company')).toBeCloseTo(0.85 * num(b, 'no_company'), 2);
  });

  it('missing values: each value additionally NULL with the given probability', async () => {
    const t = await generate(ROWS, 11, { missing: { trip_seconds: 0.1, company: 0.25, pickup_latitude: 0.05 } });
    const nulls = (src: string) => one(`SELECT avg((trip_seconds IS NULL)::INT) AS secs, avg((company IS NULL)::INT) AS company,
      avg((pickup_latitude IS NULL)::INT) AS lat, avg((pickup_longitude IS NULL)::INT) AS lon, avg((fare IS NULL)::INT) AS fare FROM ${src}`);
    const [b, d] = [await nulls(base), await nulls(t)];
    for (const [k, f] of [['secs', 0.1], ['company', 0.25], ['lat', 0.05]] as const) expect(num(d, k)).toBeCloseTo(num(b, k) + (1 - num(b, k)) * f, 2);
    expect(num(d, 'lon')).toBe(num(b, 'lon'));
    expect(num(d, 'fare')).toBe(num(b, 'fare'));
  });

  it('year: every trip in that year, months, weekdays and hours unchanged in mix', async () => {
    const t = await generate(ROWS, 11, { year: 2020 });
    const cal = (src: string) => one(`SELECT min(year(trip_start_timestamp)) AS lo, max(year(trip_start_timestamp)) AS hi, avg(month(trip_start_timestamp)) AS month,
      avg(dayofweek(trip_start_timestamp)) AS dow, avg(hour(trip_start_timestamp)) AS hour FROM ${src}`);
    const [b, d] = [await cal(base), await cal(t)];
    expect([num(d, 'lo'), num(d, 'hi')]).toEqual([2020, 2020]);
    expect(num(b, 'lo')).toBe(2013);
    for (const k of ['month', 'dow', 'hour']) expect(Math.abs(num(d, k) - num(b, k))).toBeLessThan(0.05);
  });
});

describe('bad input', () => {
  it('names the field and the value', async () => {
    const gen = (o: Partial<Parameters<typeof generateTaxiTrips>[1]>) => generateTaxiTrips(wh, { table: `${PROJECT}.gen.bad`, rows: 10, seed: 1, ...o });
    await expect(gen({ rows: 0 })).rejects.toThrow(/rows: expected an integer from 1 to 4294967295, received 0/);
    await expect(gen({ seed: 1.5 })).rejects.toThrow(/seed: expected a safe integer, received 1.5/);
    await expect(gen({ table: 'bigquery-public-data.chicago_taxi_trips.copy' })).rejects.toThrow(/read-only public project/);
    await expect(gen({ table: 'other-project.gen.t' })).rejects.toThrow(/project "other-project" is not open for writing/);
    await expect(gen({ table: 'p.d.t; DROP TABLE x' })).rejects.toThrow(/table: invalid table id/);
    await expect(gen({ drift: { scale: { trip_miles: -1 } } })).rejects.toThrow(/drift\.scale\.trip_miles: too small/);
    await expect(gen({ drift: { scale: { company: 2 } } as unknown as TaxiDrift })).rejects.toThrow(/drift\.scale: unexpected key\(s\) "company"/);
    await expect(gen({ drift: { mix: { payment_type: { Cash: 0.7, Mobile: 0.6 } } } })).rejects.toThrow(/drift\.mix\.payment_type: shares add up to 1\.3/);
    expect((await wh.query(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'bad%'`))).toEqual([]);
  });

  it('parses --drift key=value arguments', () => {
    expect(parseTaxiDriftArgs(['year=2020', 'scale.trip_miles=1.3', 'shift.fare=-0.5', 'missing.company=0.1', 'mix.payment_type.Mobile=0.2', 'mix.company.Acme Cab Co.=0.05']))
      .toEqual({ year: 2020, scale: { trip_miles: 1.3 }, shift: { fare: -0.5 }, missing: { company: 0.1 }, mix: { payment_type: { Mobile: 0.2 }, company: { 'Acme Cab Co.': 0.05 } } });
    expect(() => parseTaxiDriftArgs(['scale.trip_miles=abc'])).toThrow(/--drift scale.trip_miles=abc: expected <knob>=<number>/);
    expect(() => parseTaxiDriftArgs(['warp.trip_miles=2'])).toThrow(/unknown knob "warp.trip_miles"/);
    expect(() => parseTaxiDriftArgs(['missing.nope=0.1'])).toThrow(TaxiDriftError);
    expect(() => parseTaxiDrift({ year: 2020.5 })).toThrow(/drift\.year/);
  });
});
