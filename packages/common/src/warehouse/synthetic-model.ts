// The generative model of taxi trips the synthetic generator samples from, learned by a handful of aggregate
// queries over a table with the public table's columns (by default the shipped sample). Each trip is drawn
// in this order; every conditional below is what the label and the seed's features depend on:
//   1. start time: (year, month) and (day of week, hour) from their empirical joint tables, the day of the month
//      uniform among that month's days with that weekday, minutes on the 15-minute grid the public table uses;
//   2. locations: with probability 1 - independentShare an empirical (pickup, dropoff) pair, else pickup and
//      dropoff drawn apart from their marginals. A location is a record (census tract, community area, latitude,
//      longitude) as the table has it: points are area/tract centroids, so they are clustered, not uniform, and
//      missing coordinates are part of the records;
//   3. latent trip length: ln(miles) = intercept + slope * ln(great-circle miles + 0.5) + residual (empirical
//      residual quantiles, which keep the heavy "recorded short" tail); without coordinates, ln(miles) from
//      its empirical distribution over trips without coordinates;
//   4. latent duration: ln(seconds) = intercept + slope * ln(latent miles) + residual;
//   5. fare = max(floor, (base + perMile * miles + perMinute * minutes) * exp(residual)), from the latent
//      length and duration (the meter ran even when the recorded miles are 0);
//   6. recorded values: trip_miles / trip_seconds / fare are NULL or 0 with their observed shares, else rounded
//      to the resolution the table records them at (whole minutes, 0.1 mile, 5 cents);
//   7. payment type from its mix; tips: positive with the payment type's own share (cash trips almost never
//      record a tip), then tips = fare * ratio with the ratio drawn from that type's tip/fare quantiles
//      (pooled over all types when a type has too few tipped trips), so the label tips/fare >= 0.2 keeps its
//      rate per payment type;
//   8. company from its mix (NULL included: a third of the sample has no company).
// Independence assumptions (not in the data): time, location, payment type and company are drawn apart.
import type { QueryParams, Warehouse } from './warehouse.ts';
import { WarehouseError } from './warehouse.ts';
import type { TableRef } from './table-ref.ts';
import { formatTableRef } from './table-ref.ts';
import { QUANTILE_PROBS } from './synthetic-sampling.ts';

/** A categorical distribution: parallel lists of values and non-negative weights. */
export interface Distribution<T> {
  values: T[];
  weights: number[];
}

/** Values of a quantity at QUANTILE_PROBS (ascending). */
export type QuantileTable = number[];

export interface LocationRecord {
  censusTract: number | null;
  communityArea: number | null;
  latitude: number | null;
  longitude: number | null;
}

export interface TipModel {
  /** Share of trips with tips > 0. */
  positiveShare: number;
  /** tips / fare of tipped trips. */
  ratios: QuantileTable;
}

export interface TaxiTripModel {
  /** The table learned from and its row count. */
  source: string;
  sampleRows: number;
  yearMonth: Distribution<{ year: number; month: number }>;
  /** dow: 0 = Sunday .. 6 = Saturday. */
  dowHour: Distribution<{ dow: number; hour: number }>;
  points: LocationRecord[];
  /** Indices into `points`. */
  pairs: Distribution<{ pickup: number; dropoff: number }>;
  pickups: Distribution<number>;
  dropoffs: Distribution<number>;
  /** Share of trips whose pickup and dropoff are drawn independently (widens the pair support beyond the sample). */
  independentShare: number;
  miles: { nullShare: number; zeroShare: number; resolution: number; intercept: number; slope: number; residuals: QuantileTable; withoutDistance: QuantileTable };
  seconds: { nullShare: number; zeroShare: number; resolution: number; intercept: number; slope: number; residuals: QuantileTable };
  fare: { nullShare: number; zeroShare: number; resolution: number; base: number; perMile: number; perMinute: number; floor: number; logResiduals: QuantileTable };
  payment: Distribution<string | null>;
  tips: { resolution: number; byPayment: Record<string, TipModel>; pooled: TipModel };
  company: Distribution<string | null>;
}

/** Added to the great-circle distance before taking logs: trips inside one area have distance 0 but are not 0 miles long. */
export const DISTANCE_OFFSET_MILES = 0.5;
const INDEPENDENT_SHARE = 0.25;
/** Payment types with fewer tipped trips than this use the pooled tip ratios. */
const MIN_TIPPED_TRIPS = 20;
const METRES_PER_MILE = 1609.344;

/** Great-circle distance in miles (haversine on BigQuery's sphere); null when a coordinate is missing. */
export function greatCircleMiles(lat1: number | null, lon1: number | null, lat2: number | null, lon2: number | null): number | null {
  if (lat1 === null || lon1 === null || lat2 === null || lon2 === null) return null;
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return (2 * 6371010 * Math.asin(Math.min(1, Math.sqrt(a)))) / METRES_PER_MILE;
}

/** greatCircleMiles in DuckDB SQL (NULL when a coordinate is). */
export function greatCircleMilesSql(lat1: string, lon1: string, lat2: string, lon2: string): string {
  return `(2 * 6371010.0 * asin(least(1.0, sqrt(pow(sin(radians(${lat2} - ${lat1}) / 2), 2) + cos(radians(${lat1})) * cos(radians(${lat2})) * pow(sin(radians(${lon2} - ${lon1}) / 2), 2)))) / ${METRES_PER_MILE})`;
}

const num = (v: unknown, what: string): number => {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`synthetic model: ${what} is not a finite number (got ${String(v)}); the source table has too few usable rows`);
  return n;
};
const nullableInt = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const nullableNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Learns the model from `source` (a table with the public taxi table's columns). */
export async function learnTaxiTripModel(wh: Warehouse, source: TableRef): Promise<TaxiTripModel> {
  // The aggregates use DuckDB functions (quantile_cont, regr_*, FILTER, dayofweek numbering).
  if (wh.kind !== 'duckdb') throw new WarehouseError(`learnTaxiTripModel: runs in the embedded DuckDB warehouse, not in ${wh.kind}`);
  const T = wh.dialect.table(source);
  const q = (sql: string, params?: QueryParams) => wh.query(sql, params);
  const probs = `[${QUANTILE_PROBS.join(', ')}]`;
  const dist = greatCircleMilesSql('pickup_latitude', 'pickup_longitude', 'dropoff_latitude', 'dropoff_longitude');

  const [counts] = await q(`SELECT count(*) AS n,
      count(*) FILTER (WHERE trip_miles IS NULL) AS miles_null, count(*) FILTER (WHERE trip_miles = 0) AS miles_zero,
      count(*) FILTER (WHERE trip_seconds IS NULL) AS secs_null, count(*) FILTER (WHERE trip_seconds = 0) AS secs_zero,
      count(*) FILTER (WHERE fare IS NULL) AS fare_null, count(*) FILTER (WHERE fare = 0) AS fare_zero,
      count(*) FILTER (WHERE trip_start_timestamp IS NOT NULL) AS with_time
    FROM ${T}`);
  const n = num(counts!['n'], 'row count');
  if (num(counts!['with_time'], 'rows with a start time') < 100) {
    throw new Error(`synthetic model: ${formatTableRef(source)} has ${String(counts!['with_time'])} trips with a start time; at least 100 are needed to learn from`);
  }
  const share = (k: string) => num(counts![k], k) / n;

  const yearMonth = await q(`SELECT year(trip_start_timestamp) AS y, month(trip_start_timestamp) AS m, count(*) AS w
    FROM ${T} WHERE trip_start_timestamp IS NOT NULL GROUP BY ALL ORDER BY ALL`);
  const dowHour = await q(`SELECT dayofweek(trip_start_timestamp) AS d, hour(trip_start_timestamp) AS h, count(*) AS w
    FROM ${T} WHERE trip_start_timestamp IS NOT NULL GROUP BY ALL ORDER BY ALL`);

  const pairRows = await q(`SELECT pickup_census_tract AS pt, pickup_community_area AS pa, pickup_latitude AS plat, pickup_longitude AS plon,
      dropoff_census_tract AS dt, dropoff_community_area AS da, dropoff_latitude AS dlat, dropoff_longitude AS dlon, count(*) AS w
    FROM ${T} GROUP BY ALL ORDER BY ALL`);
  const points: LocationRecord[] = [];
  const pointIndex = new Map<string, number>();
  const pointOf = (tract: unknown, area: unknown, lat: unknown, lon: unknown): number => {
    const rec: LocationRecord = { censusTract: nullableInt(tract), communityArea: nullableInt(area), latitude: nullableNum(lat), longitude: nullableNum(lon) };
    const key = JSON.stringify(rec);
    let i = pointIndex.get(key);
    if (i === undefined) {
      i = points.length;
      points.push(rec);
      pointIndex.set(key, i);
    }
    return i;
  };
  const pairs: Distribution<{ pickup: number; dropoff: number }> = { values: [], weights: [] };
  const pickupW = new Map<number, number>();
  const dropoffW = new Map<number, number>();
  for (const r of pairRows) {
    const pickup = pointOf(r['pt'], r['pa'], r['plat'], r['plon']);
    const dropoff = pointOf(r['dt'], r['da'], r['dlat'], r['dlon']);
    const w = num(r['w'], 'pair count');
    pairs.values.push({ pickup, dropoff });
    pairs.weights.push(w);
    pickupW.set(pickup, (pickupW.get(pickup) ?? 0) + w);
    dropoffW.set(dropoff, (dropoffW.get(dropoff) ?? 0) + w);
  }
  const fromMap = (m: Map<number, number>): Distribution<number> => ({ values: [...m.keys()], weights: [...m.values()] });

  // Resolutions: the coarsest step at which 95% of the recorded values sit.
  const [res] = await q(`SELECT
      avg((trip_seconds % 60 = 0)::INTEGER) FILTER (WHERE trip_seconds > 0) AS s60,
      avg((abs(trip_miles * 10 - round(trip_miles * 10)) < 1e-6)::INTEGER) FILTER (WHERE trip_miles > 0) AS m10,
      avg((abs(fare * 20 - round(fare * 20)) < 1e-6)::INTEGER) FILTER (WHERE fare > 0) AS f20,
      avg((abs(tips - round(tips)) < 1e-6)::INTEGER) FILTER (WHERE tips > 0) AS t1
    FROM ${T}`);
  const atLeast = (k: string) => Number(res![k] ?? 0) >= 0.95;

  // 3. trip length against the great-circle distance.
  const lnD = `ln(${dist} + ${DISTANCE_OFFSET_MILES})`;
  const [mfit] = await q(`SELECT regr_intercept(ln(trip_miles), ${lnD}) AS a, regr_slope(ln(trip_miles), ${lnD}) AS b, count(*) AS n
    FROM ${T} WHERE trip_miles > 0 AND pickup_latitude IS NOT NULL AND pickup_longitude IS NOT NULL AND dropoff_latitude IS NOT NULL AND dropoff_longitude IS NOT NULL`);
  const milesA = num(mfit!['a'], 'trip_miles ~ distance intercept');
  const milesB = num(mfit!['b'], 'trip_miles ~ distance slope');
  const [mres] = await q(`SELECT quantile_cont(ln(trip_miles) - ($a + $b * ${lnD}), ${probs}) AS q
    FROM ${T} WHERE trip_miles > 0 AND pickup_latitude IS NOT NULL AND pickup_longitude IS NOT NULL AND dropoff_latitude IS NOT NULL AND dropoff_longitude IS NOT NULL`,
  { a: milesA, b: milesB });
  const [nodist] = await q(`SELECT quantile_cont(ln(trip_miles), ${probs}) FILTER (WHERE ${dist} IS NULL) AS q, count(*) FILTER (WHERE ${dist} IS NULL) AS n,
      quantile_cont(ln(trip_miles), ${probs}) AS q_all
    FROM ${T} WHERE trip_miles > 0`);
  const withoutDistance = Number(nodist!['n']) >= 30 ? nodist!['q'] : nodist!['q_all'];

  // 4. duration against length.
  const [sfit] = await q(`SELECT regr_intercept(ln(trip_seconds), ln(trip_miles)) AS a, regr_slope(ln(trip_seconds), ln(trip_miles)) AS b
    FROM ${T} WHERE trip_miles > 0 AND trip_seconds > 0`);
  const secsA = num(sfit!['a'], 'trip_seconds ~ trip_miles intercept');
  const secsB = num(sfit!['b'], 'trip_seconds ~ trip_miles slope');
  const [sres] = await q(`SELECT quantile_cont(ln(trip_seconds) - ($a + $b * ln(trip_miles)), ${probs}) AS q FROM ${T} WHERE trip_miles > 0 AND trip_seconds > 0`,
    { a: secsA, b: secsB });

  // 5. fare: least squares on miles and minutes over the central 99% of trips, multiplicative residuals.
  const [trim] = await q(`SELECT quantile_cont(fare, 0.995) FILTER (WHERE trip_miles > 0 AND trip_seconds > 0) AS f,
      quantile_cont(trip_miles, 0.995) FILTER (WHERE trip_miles > 0 AND trip_seconds > 0) AS m, quantile_cont(fare, 0.01) AS floor
    FROM ${T} WHERE fare > 0`);
  const fareWhere = `fare > 0 AND trip_miles > 0 AND trip_seconds > 0 AND fare <= $fmax AND trip_miles <= $mmax`;
  const trimParams = { fmax: num(trim!['f'], 'fare quantile'), mmax: num(trim!['m'], 'trip_miles quantile') };
  const [s] = await q(`SELECT count(*) AS n, sum(trip_miles) AS x1, sum(trip_seconds / 60.0) AS x2, sum(fare) AS y,
      sum(trip_miles * trip_miles) AS x11, sum(trip_miles * trip_seconds / 60.0) AS x12, sum(pow(trip_seconds / 60.0, 2)) AS x22,
      sum(trip_miles * fare) AS x1y, sum(trip_seconds / 60.0 * fare) AS x2y
    FROM ${T} WHERE ${fareWhere}`, trimParams);
  const [base, perMile, perMinute] = solve3(
    [[num(s!['n'], 'n'), num(s!['x1'], 'x1'), num(s!['x2'], 'x2')],
      [num(s!['x1'], 'x1'), num(s!['x11'], 'x11'), num(s!['x12'], 'x12')],
      [num(s!['x2'], 'x2'), num(s!['x12'], 'x12'), num(s!['x22'], 'x22')]],
    [num(s!['y'], 'y'), num(s!['x1y'], 'x1y'), num(s!['x2y'], 'x2y')],
  );
  const fareFloor = num(trim!['floor'], 'fare floor');
  const [fres] = await q(`SELECT quantile_cont(ln(fare / greatest($floor, $b0 + $b1 * trip_miles + $b2 * trip_seconds / 60.0)), ${probs}) AS q
    FROM ${T} WHERE ${fareWhere}`, { ...trimParams, floor: fareFloor, b0: base, b1: perMile, b2: perMinute });

  // 7. payment types and tips.
  const pay = await q(`SELECT payment_type AS p, count(*) AS w, count(*) FILTER (WHERE tips > 0) AS tipped,
      quantile_cont(tips / fare, ${probs}) FILTER (WHERE tips > 0 AND fare > 0) AS q
    FROM ${T} GROUP BY ALL ORDER BY w DESC, p`);
  const [pooled] = await q(`SELECT count(*) FILTER (WHERE tips > 0) / count(*) AS share, quantile_cont(tips / fare, ${probs}) FILTER (WHERE tips > 0 AND fare > 0) AS q FROM ${T}`);
  const pooledTips: TipModel = { positiveShare: num(pooled!['share'], 'tipped share'), ratios: quantiles(pooled!['q'], 'tip ratios') };
  const byPayment: Record<string, TipModel> = {};
  for (const r of pay) {
    if (r['p'] === null) continue;
    const tipped = Number(r['tipped']);
    byPayment[String(r['p'])] = {
      positiveShare: tipped / num(r['w'], 'payment count'),
      ratios: tipped >= MIN_TIPPED_TRIPS && r['q'] ? quantiles(r['q'], `tip ratios of ${String(r['p'])}`) : pooledTips.ratios,
    };
  }

  const company = await q(`SELECT company AS c, count(*) AS w FROM ${T} GROUP BY ALL ORDER BY w DESC, c NULLS FIRST`);

  return {
    source: formatTableRef(source),
    sampleRows: n,
    yearMonth: { values: yearMonth.map((r) => ({ year: Number(r['y']), month: Number(r['m']) })), weights: yearMonth.map((r) => Number(r['w'])) },
    dowHour: { values: dowHour.map((r) => ({ dow: Number(r['d']), hour: Number(r['h']) })), weights: dowHour.map((r) => Number(r['w'])) },
    points,
    pairs,
    pickups: fromMap(pickupW),
    dropoffs: fromMap(dropoffW),
    independentShare: INDEPENDENT_SHARE,
    miles: {
      nullShare: share('miles_null'), zeroShare: share('miles_zero'), resolution: atLeast('m10') ? 0.1 : 0.01,
      intercept: milesA, slope: milesB, residuals: quantiles(mres!['q'], 'trip_miles residuals'), withoutDistance: quantiles(withoutDistance, 'trip_miles without coordinates'),
    },
    seconds: {
      nullShare: share('secs_null'), zeroShare: share('secs_zero'), resolution: atLeast('s60') ? 60 : 1,
      intercept: secsA, slope: secsB, residuals: quantiles(sres!['q'], 'trip_seconds residuals'),
    },
    fare: {
      nullShare: share('fare_null'), zeroShare: share('fare_zero'), resolution: atLeast('f20') ? 0.05 : 0.01,
      base, perMile, perMinute, floor: fareFloor, logResiduals: quantiles(fres!['q'], 'fare residuals'),
    },
    payment: { values: pay.map((r) => (r['p'] === null ? null : String(r['p']))), weights: pay.map((r) => Number(r['w'])) },
    tips: { resolution: atLeast('t1') ? 1 : 0.01, byPayment, pooled: pooledTips },
    company: { values: company.map((r) => (r['c'] === null ? null : String(r['c']))), weights: company.map((r) => Number(r['w'])) },
  };
}

function quantiles(v: unknown, what: string): QuantileTable {
  if (!Array.isArray(v) || v.length !== QUANTILE_PROBS.length) throw new Error(`synthetic model: no ${what} (too few rows in the source table)`);
  return v.map((x) => num(x, what));
}

/** Solves a 3x3 linear system by Gaussian elimination with partial pivoting. */
function solve3(a: number[][], b: number[]): [number, number, number] {
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < 3; c++) {
    let p = c;
    for (let r = c + 1; r < 3; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    if (Math.abs(m[c]![c]!) < 1e-12) throw new Error('synthetic model: fare regression is singular (the source table has too few distinct trips)');
    for (let r = 0; r < 3; r++) {
      if (r === c) continue;
      const row = m[r]!;
      const pivot = m[c]!;
      const f = row[c]! / pivot[c]!;
      for (let k = c; k < 4; k++) row[k] = row[k]! - f * pivot[k]!;
    }
  }
  return [m[0]![3]! / m[0]![0]!, m[1]![3]! / m[1]![1]!, m[2]![3]! / m[2]![2]!];
}
