// The DuckDB SQL that samples taxi trips from a TaxiTripModel (see synthetic-model.ts for the model). The model
// becomes one row of list columns (alias tables, quantile tables, lookup lists), cross-joined into a chain of
// projections over the uniforms of synthetic-sampling.ts: no joins, no row-sized state, so a batch of rows streams
// through DuckDB in bounded memory whatever its size. What can be computed once per category is (calendar of each
// month, great-circle distance of each pickup/dropoff combination): per row only lookups and a few exp/ln remain.
import { duckdbDialect as d } from './dialect.ts';
import { TAXI_COLUMNS } from './public-data.ts';
import type { TaxiDrift } from './synthetic-drift.ts';
import type { QuantileTable, TaxiTripModel } from './synthetic-model.ts';
import { DISTANCE_OFFSET_MILES, greatCircleMiles } from './synthetic-model.ts';
import type { StreamSpec } from './synthetic-sampling.ts';
import { aliasPickSql, aliasSlotSql, aliasTable, doubleList, intList, QUANTILE_PROBS, quantileSlotSql, quantileValueSql, uniformsSql } from './synthetic-sampling.ts';

/** Upper bound on pickup x dropoff combinations of the independent part of the location mixture. */
const MAX_INDEPENDENT_COMBINATIONS = 250_000;

const strList = (values: readonly (string | null)[]) => `[${values.map((v) => (v === null ? 'NULL' : d.literal(v))).join(', ')}]::VARCHAR[]`;

/** Rounds to a recording resolution without binary noise: x*20/20 for 0.05, x/60*60 for 60. */
function roundTo(expr: string, resolution: number): string {
  if (resolution >= 1) return `(round((${expr}) / ${resolution}) * ${resolution})`;
  const k = Math.round(1 / resolution);
  return `(round((${expr}) * ${k}) / ${k})`;
}

/**
 * The location mixture as one categorical over (pickup, dropoff) combinations: (1 - share) * empirical pair
 * frequency + share * pickup frequency * dropoff frequency, each combination with its distance.
 */
function locationCombinations(model: TaxiTripModel) {
  const share = model.independentShare;
  const total = (w: readonly number[]) => w.reduce((a, b) => a + b, 0);
  const byWeight = (dist: { values: number[]; weights: number[] }) =>
    dist.values.map((v, i) => [v, dist.weights[i]! / total(dist.weights)] as const).sort((a, b) => b[1] - a[1]);
  // A source with many distinct points keeps the most frequent ones on each side for the independent part.
  let pickups = byWeight(model.pickups);
  let dropoffs = byWeight(model.dropoffs);
  if (pickups.length * dropoffs.length > MAX_INDEPENDENT_COMBINATIONS) {
    const side = Math.floor(Math.sqrt(MAX_INDEPENDENT_COMBINATIONS));
    pickups = pickups.slice(0, side);
    dropoffs = dropoffs.slice(0, side);
  }
  const index = new Map<string, number>();
  const pu: number[] = [];
  const dof: number[] = [];
  const weights: number[] = [];
  const add = (p: number, q: number, w: number) => {
    const key = `${p},${q}`;
    const i = index.get(key);
    if (i !== undefined) weights[i] = weights[i]! + w;
    else {
      index.set(key, pu.length);
      pu.push(p);
      dof.push(q);
      weights.push(w);
    }
  };
  const pairTotal = total(model.pairs.weights);
  model.pairs.values.forEach((v, i) => add(v.pickup, v.dropoff, ((1 - share) * model.pairs.weights[i]!) / pairTotal));
  for (const [p, wp] of pickups) for (const [q, wq] of dropoffs) add(p, q, share * wp * wq);
  const pt = model.points;
  const dist = pu.map((p, i) => greatCircleMiles(pt[p]!.latitude, pt[p]!.longitude, pt[dof[i]!]!.latitude, pt[dof[i]!]!.longitude));
  return { pu, dof, weights, dist };
}

export interface GenerationSql {
  /** SELECT of the one-row model table. */
  readonly modelSelect: string;
  /**
   * SELECT of the rows numbered by `rowsSql` (a query of one column `i`), with the public table's columns,
   * reading the model table `modelTable`.
   */
  rows(modelTable: string, rowsSql: string): string;
}

export function generationSql(model: TaxiTripModel, drift: TaxiDrift, seed: number): GenerationSql {
  const ym = aliasTable(model.yearMonth.weights);
  const dh = aliasTable(model.dowHour.weights);
  const locs = locationCombinations(model);
  const loc = aliasTable(locs.weights);
  const pay = aliasTable(model.payment.weights);
  const co = aliasTable(model.company.weights);

  // Tip tables: 0 is pooled, then one per payment type with its own ratios; unseen payment types use pooled.
  const tipTables: QuantileTable[] = [model.tips.pooled.ratios];
  const payTipOffset: number[] = [];
  const payTipShare: number[] = [];
  for (const p of model.payment.values) {
    const own = p === null ? undefined : model.tips.byPayment[p];
    payTipShare.push((own ?? model.tips.pooled).positiveShare);
    if (own && own.ratios !== model.tips.pooled.ratios) {
      payTipOffset.push(tipTables.length * QUANTILE_PROBS.length);
      tipTables.push(own.ratios);
    } else payTipOffset.push(0);
  }
  const pts = model.points;
  const ymv = model.yearMonth.values;
  const alias = (name: string, t: { prob: readonly number[]; alias: readonly number[] }) =>
    [`${doubleList(t.prob)} AS ${name}_prob`, `${intList(t.alias)} AS ${name}_alias`];
  const modelSelect = `SELECT ${[
    // The calendar of each (year, month): epoch microseconds of its first day, that day's weekday, its length.
    ...alias('ym', ym),
    `${intList(ymv.map((v) => Date.UTC(v.year, v.month - 1, 1) * 1000))} AS ym_start_us`,
    `${intList(ymv.map((v) => new Date(Date.UTC(v.year, v.month - 1, 1)).getUTCDay()))} AS ym_first_dow`,
    `${intList(ymv.map((v) => new Date(Date.UTC(v.year, v.month, 0)).getUTCDate()))} AS ym_days`,
    ...alias('dh', dh), `${intList(model.dowHour.values.map((v) => v.dow))} AS dh_dow`, `${intList(model.dowHour.values.map((v) => v.hour))} AS dh_hour`,
    ...alias('loc', loc), `${intList(locs.pu)} AS loc_pu`, `${intList(locs.dof)} AS loc_do`, `${doubleList(locs.dist)} AS loc_dist`,
    `${intList(pts.map((p) => p.censusTract))} AS pt_tract`, `${intList(pts.map((p) => p.communityArea))} AS pt_area`,
    `${doubleList(pts.map((p) => p.latitude))} AS pt_lat`, `${doubleList(pts.map((p) => p.longitude))} AS pt_lon`,
    `${doubleList(model.miles.residuals)} AS miles_res`, `${doubleList(model.miles.withoutDistance)} AS miles_nodist`,
    `${doubleList(model.seconds.residuals)} AS secs_res`, `${doubleList(model.fare.logResiduals)} AS fare_res`,
    ...alias('pay', pay), `${strList(model.payment.values)} AS pay_name`, `${intList(payTipOffset)} AS pay_tip_offset`, `${doubleList(payTipShare)} AS pay_tip_share`,
    // One flat list: a nested list element would be copied out per row before indexing into it.
    `${doubleList(tipTables.flat())} AS tip_ratios`,
    ...alias('co', co), `${strList(model.company.values)} AS co_name`,
  ].join(',\n  ')}`;

  // 32-bit uniforms for draws over many values, 16-bit pairs for coin flips and small choices.
  const missing = Object.entries(drift.missing ?? {}).filter(([, f]) => f > 0).map(([c, f]) => ({ column: c, fraction: f, u: `miss_${c}` }));
  const missingStreams: StreamSpec[] = [];
  for (let k = 0; k < missing.length; k += 2) missingStreams.push(k + 1 < missing.length ? [missing[k]!.u, missing[k + 1]!.u] : missing[k]!.u);
  const streams: StreamSpec[] = [
    'ym', 'dh', 'loc', 'miles', 'secs', 'fare', 'pay', 'tip', 'company',
    ['day', 'quarter'], ['miles_flag', 'secs_flag'], ['fare_flag', 'tip_flag'], ...missingStreams,
  ];
  const { miles, seconds, fare, tips } = model;

  const rows = (modelTable: string, rowsSql: string): string => {
    const from = (sql: string) => `FROM (${sql}) AS r CROSS JOIN ${modelTable} AS m`;
    const missU = missing.map((m) => `r.u_${m.u}`);
    // 1. slots of the alias and inverse-CDF draws
    const aliasDraws = { ym: ym.prob.length, dh: dh.prob.length, loc: loc.prob.length, pay: pay.prob.length, co: co.prob.length };
    const uOf: Record<string, string> = { co: 'company' };
    const quantileDraws = ['miles', 'secs', 'fare', 'tip'];
    let sql = `SELECT r.u_day, r.u_quarter, r.u_miles_flag, r.u_secs_flag, r.u_fare_flag, r.u_tip_flag, ${[...missU, ''].join(', ')}
      ${Object.entries(aliasDraws).map(([name, n]) => {
        const { k, f } = aliasSlotSql(n, `r.u_${uOf[name] ?? name}`);
        return `${k} AS a_${name}_k, ${f} AS a_${name}_f`;
      }).join(',\n      ')},
      ${quantileDraws.map((name) => {
        const { k, t } = quantileSlotSql(`r.u_${name}`);
        return `${k} AS q_${name}_k, ${t} AS q_${name}_t`;
      }).join(',\n      ')}
    FROM (${uniformsSql({ seed, rowsSql, streams })}) AS r`;
    // 2. category indices
    sql = `SELECT r.* EXCLUDE (${Object.keys(aliasDraws).flatMap((n) => [`a_${n}_k`, `a_${n}_f`]).join(', ')}),
      ${Object.keys(aliasDraws).map((name) => `${aliasPickSql(name, `r.a_${name}_k`, `r.a_${name}_f`)} AS k_${name}`).join(',\n      ')}
    ${from(sql)}`;
    // 3. values of the categories
    sql = `SELECT r.* EXCLUDE (${Object.keys(aliasDraws).map((n) => `k_${n}`).join(', ')}),
      m.ym_start_us[r.k_ym + 1] AS month_start_us, m.ym_first_dow[r.k_ym + 1] AS first_dow, m.ym_days[r.k_ym + 1] AS month_days,
      m.dh_dow[r.k_dh + 1] AS t_dow, m.dh_hour[r.k_dh + 1] AS t_hour,
      m.loc_pu[r.k_loc + 1] AS p_pu, m.loc_do[r.k_loc + 1] AS p_do, m.loc_dist[r.k_loc + 1] AS distance_miles,
      m.pay_name[r.k_pay + 1] AS payment_type, m.pay_tip_offset[r.k_pay + 1] AS tip_offset, m.pay_tip_share[r.k_pay + 1] AS tip_share,
      m.co_name[r.k_co + 1] AS company
    ${from(sql)}`;
    // 4. locations; the first day of the month with the drawn weekday; latent length
    const q = (list: string, name: string, offset?: string) => quantileValueSql(list, `r.q_${name}_k`, `r.q_${name}_t`, offset);
    sql = `SELECT r.* EXCLUDE (p_pu, p_do),
      m.pt_tract[r.p_pu + 1] AS pickup_census_tract, m.pt_area[r.p_pu + 1] AS pickup_community_area,
      m.pt_lat[r.p_pu + 1] AS pickup_latitude, m.pt_lon[r.p_pu + 1] AS pickup_longitude,
      m.pt_tract[r.p_do + 1] AS dropoff_census_tract, m.pt_area[r.p_do + 1] AS dropoff_community_area,
      m.pt_lat[r.p_do + 1] AS dropoff_latitude, m.pt_lon[r.p_do + 1] AS dropoff_longitude,
      1 + ((r.t_dow - r.first_dow + 7) % 7) AS first_day,
      CASE WHEN r.distance_miles IS NULL THEN exp(${q('m.miles_nodist', 'miles')})
        ELSE exp(${miles.intercept} + ${miles.slope} * ln(r.distance_miles + ${DISTANCE_OFFSET_MILES}) + ${q('m.miles_res', 'miles')}) END AS latent_miles
    ${from(sql)}`;
    // 5. start time: one of the month's days with the drawn weekday, on the public table's 15-minute grid;
    //    latent duration
    sql = `SELECT r.*,
      make_timestamp(r.month_start_us + (
        (r.first_day - 1 + 7 * least(floor(r.u_day * ((r.month_days - r.first_day) // 7 + 1)), (r.month_days - r.first_day) // 7))::BIGINT * 86400
        + r.t_hour * 3600 + 900 * least(floor(r.u_quarter * 4), 3)::BIGINT) * 1000000) AS trip_start_timestamp,
      exp(${seconds.intercept} + ${seconds.slope} * ln(r.latent_miles) + ${q('m.secs_res', 'secs')}) AS latent_secs
    ${from(sql)}`;
    // 6. recorded length, duration and fare
    const recorded = (u: string, nullShare: number, zeroShare: number, value: string) =>
      `CASE WHEN ${u} < ${nullShare} THEN NULL WHEN ${u} < ${nullShare + zeroShare} THEN 0 ELSE ${value} END`;
    sql = `SELECT r.*,
      ${recorded('r.u_miles_flag', miles.nullShare, miles.zeroShare, `greatest(${miles.resolution}, ${roundTo('r.latent_miles', miles.resolution)})`)} AS trip_miles,
      ${recorded('r.u_secs_flag', seconds.nullShare, seconds.zeroShare, `greatest(${seconds.resolution}, ${roundTo('r.latent_secs', seconds.resolution)})`)} AS trip_seconds,
      ${recorded('r.u_fare_flag', fare.nullShare, fare.zeroShare, roundTo(`greatest(${fare.floor}, (${fare.base} + ${fare.perMile} * r.latent_miles + ${fare.perMinute} * r.latent_secs / 60.0) * exp(${q('m.fare_res', 'fare')}))`, fare.resolution))} AS fare
    ${from(sql)}`;
    // 7. tips from the recorded fare, by payment type
    sql = `SELECT r.*,
      CASE WHEN r.u_tip_flag < r.tip_share THEN ${roundTo(`r.fare * greatest(0.0, ${q('m.tip_ratios', 'tip', 'r.tip_offset')})`, tips.resolution)} ELSE 0.0 END AS tips
    ${from(sql)}`;
    // 8. drift on the output, then the public table's columns and types
    const resolutionOf: Record<string, number> = { trip_seconds: seconds.resolution, trip_miles: miles.resolution, fare: fare.resolution, tips: tips.resolution };
    const columns = TAXI_COLUMNS.map(([name, type]) => {
      let v = `r.${name}`;
      const scale = drift.scale?.[name as keyof NonNullable<TaxiDrift['scale']>];
      const shift = drift.shift?.[name as keyof NonNullable<TaxiDrift['shift']>];
      if (scale !== undefined || shift !== undefined) {
        v = `${v} * ${scale ?? 1} + ${shift ?? 0}`;
        const res = resolutionOf[name];
        if (res !== undefined) v = roundTo(v, res);
      }
      const miss = missing.find((m) => m.column === name);
      if (miss) v = `CASE WHEN r.u_${miss.u} < ${miss.fraction} THEN NULL ELSE ${v} END`;
      return `CAST(${v} AS ${type}) AS ${d.ident(name)}`;
    });
    return `SELECT ${columns.join(', ')} FROM (${sql}) AS r`;
  };
  return { modelSelect, rows };
}
