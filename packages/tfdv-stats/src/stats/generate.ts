// generateStatistics: a warehouse table -> TFDV's DatasetFeatureStatisticsList, computed in the warehouse.
// Queries: one aggregate pass over all columns (presence, valency, string lengths), then one summary query per
// feature (GROUP BY value: quantiles, extremes, zeros, moments; or the top values), plus a block-sampled distinct
// estimate when a column may be key-like, two queries for such a column (its exact extremes and moments, the
// summary of a uniform sample) and two more for a list column. Every query returns a bounded number of rows, so
// Node's memory does not grow with the table; the warehouse spills past its memory limit.
import { create } from '@bufbuild/protobuf';
import type { Row, TableRef, Warehouse } from '@formalize/common/warehouse';
import { formatTableRef } from '@formalize/common/warehouse';
import type { DatasetFeatureStatisticsList, FeatureNameStatistics } from '../protos.ts';
import {
  DatasetFeatureStatisticsListSchema, DatasetFeatureStatisticsSchema, FeatureNameStatistics_Type, FeatureNameStatisticsSchema, PathSchema,
} from '../protos.ts';
import type { NumericValues, Presence, StringValues, ValueCount } from './build.ts';
import { commonStatistics, numericQuantiles, numericStatistics, stringStatistics } from './build.ts';
import type { StatsDialect } from './dialect.ts';
import { statsDialectFor } from './dialect.ts';
import type { FeatureSpec } from './features.ts';
import { StatsInputError, tableFeatures } from './features.ts';
import type { StatsOptions, StatsOptionsInput } from './options.ts';
import { QUANTILES_FACTOR, statsOptionsSchema } from './options.ts';
import type { QuantilesAndCounts, SummaryEntry } from './quantiles.ts';
import { exactSummary, generateQuantiles } from './quantiles.ts';
import type { ValueSource } from './sql.ts';
import { distinctSampleSql, listLengthSource, presenceAggregates, sampledSource, selectAggregates, summarySql, topKSql, valueAggregates, valueSource, valueStatisticsSql, weightExpr } from './sql.ts';

export interface GenerateHooks {
  /** Called after each feature: features done of total. */
  onProgress?: (done: number, total: number, feature: string) => void;
  /** Called before each query (label says which part), e.g. to count scans. */
  onQuery?: (label: string, sql: string) => void;
  signal?: AbortSignal;
}

/** How each numeric feature's quantiles were obtained: the exact GROUP BY summary, or a uniform sample's. */
export type QuantilesMethod = 'exact' | 'sampled';

export interface GenerateResult {
  readonly statistics: DatasetFeatureStatisticsList;
  readonly quantiles: Readonly<Record<string, QuantilesMethod>>;
  /** Queries run (each reads the table, or one column of it, once). */
  readonly queries: number;
}

/** Parses options, naming the bad field and value. */
export function parseStatsOptions(input: StatsOptionsInput): StatsOptions {
  const r = statsOptionsSchema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.join('.');
  const value = issue.path.reduce<unknown>((o, k) => (o as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey], input);
  throw new StatsInputError(`options.${path}: ${issue.message}, received ${JSON.stringify(value)}`);
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : typeof v === 'bigint' ? Number(v) : Number(v));
const maybe = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : num(v));

/** One statistics computation: the warehouse, the SQL dialect, the options, and a query counter. */
class Run {
  readonly d: StatsDialect;
  readonly table: string;
  readonly weight: string | undefined;
  readonly wh: Warehouse;
  readonly opts: StatsOptions;
  readonly hooks: GenerateHooks;
  readonly weightSpec: FeatureSpec | undefined;
  queries = 0;

  constructor(wh: Warehouse, ref: TableRef, opts: StatsOptions, hooks: GenerateHooks, weightSpec: FeatureSpec | undefined) {
    this.wh = wh;
    this.opts = opts;
    this.hooks = hooks;
    this.weightSpec = weightSpec;
    this.d = statsDialectFor(wh.dialect);
    this.table = this.d.table(ref);
    this.weight = weightSpec && weightExpr(this.d, weightSpec);
  }

  async query(label: string, sql: string): Promise<Row[]> {
    this.hooks.signal?.throwIfAborted();
    this.hooks.onQuery?.(label, sql);
    this.queries++;
    return this.wh.query(sql);
  }
}

/** Statistics of every column of a warehouse table, as TFDV computes them (defaults: TFDV's StatsOptions). */
export async function generateStatistics(wh: Warehouse, ref: TableRef, options: StatsOptionsInput = {}, hooks: GenerateHooks = {}): Promise<GenerateResult> {
  const opts = parseStatsOptions(options);
  const info = await wh.getTable(ref);
  if (!info) throw new StatsInputError(`table: ${formatTableRef(ref)} does not exist`);
  const { features, weight } = tableFeatures(statsDialectFor(wh.dialect), info, opts);
  const run = new Run(wh, ref, opts, hooks, weight);
  const w = run.weight;

  const aggs: [string, string][] = [['n', 'count(*)']];
  if (w) aggs.push(['wn', `sum(${w})`], ['wnull', `count(*) - count(${w})`]);
  for (const [i, f] of features.entries()) {
    aggs.push(...presenceAggregates(run.d, f, `f${i}_`, w));
    if (!f.list) aggs.push(...valueAggregates(run.d, f, f.value(run.d.ident(f.name)), `f${i}_`));
  }
  const [pass1] = await run.query('aggregates', selectAggregates(run.table, aggs));
  const numExamples = num(pass1!['n']);
  const weightedNumExamples = w ? num(pass1!['wn']) : undefined;
  if (weight && num(pass1!['wnull']) > 0) {
    throw new StatsInputError(`weightFeature: column "${weight.name}" is NULL in ${num(pass1!['wnull'])} of ${numExamples} rows; every example needs a weight`);
  }

  const highCardinality = await manyDistinct(run, features, pass1!);
  // Filled by index as the queries finish (every index is written before the dataset is built).
  const out: FeatureNameStatistics[] = [];
  const methods: Record<string, QuantilesMethod> = {};
  // The per-feature queries are independent: keep as many in flight as the warehouse runs at once (small queries
  // do not fill the cores on their own).
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < features.length; i = next++) {
      const f = features[i]!;
      out[i] = await featureStatistics(run, f, `f${i}_`, pass1!, numExamples, weightedNumExamples, methods, highCardinality.has(f.name));
      hooks.onProgress?.(++done, features.length, f.name);
    }
  };
  await Promise.all(Array.from({ length: Math.min(wh.concurrency, features.length) }, worker));
  const dataset = create(DatasetFeatureStatisticsSchema, { numExamples: BigInt(numExamples), features: out });
  if (weightedNumExamples !== undefined) dataset.weightedNumExamples = weightedNumExamples;
  return { statistics: create(DatasetFeatureStatisticsListSchema, { datasets: [dataset] }), quantiles: methods, queries: run.queries };
}

/** Rows (about) sampled to estimate distinct values: enough to tell a key-like column from a categorical one. */
const DISTINCT_SAMPLE_ROWS = 100_000;

/**
 * The scalar numeric features with more distinct values than `exactQuantilesMaxDistinct` (unweighted; weighted
 * quantiles always take the exact summary), estimated on a block sample: d distinct of s sampled values is d when
 * values repeat (d < s / 2), else scaled to the column, d * n / s. A column with few distinct values always has
 * few in the sample, so features where TFDV's sketch is exact (<= 6,001 distinct) always get the exact summary.
 */
async function manyDistinct(run: Run, features: readonly FeatureSpec[], pass1: Row): Promise<Set<string>> {
  const max = run.opts.exactQuantilesMaxDistinct;
  const candidates = features.flatMap((f, i) => (
    f.kind !== 'STRING' && !f.categorical && !f.list && !run.weight && num(pass1[`f${i}_cnt`]) > max ? [[f, `f${i}`] as const] : []));
  if (candidates.length === 0) return new Set();
  const percent = Math.min(100, Number(((100 * DISTINCT_SAMPLE_ROWS) / Math.max(1, num(pass1['n']))).toPrecision(2)));
  const [row] = await run.query('distinct values (sample)', distinctSampleSql(run.d, run.table, candidates.map(([f, a]) => [a, f.value(run.d.ident(f.name))]), percent));
  return new Set(candidates.filter(([, a]) => {
    const d = num(row![`${a}_d`]);
    const s = num(row![`${a}_n`]);
    const estimate = d < s / 2 ? d : (d * num(pass1[`${a}_cnt`])) / Math.max(s, 1);
    return estimate > max;
  }).map(([f]) => f.name));
}

async function featureStatistics(
  run: Run, f: FeatureSpec, p: string, pass1: Row, numExamples: number, weightedNumExamples: number | undefined,
  methods: Record<string, QuantilesMethod>, highCardinality: boolean,
): Promise<FeatureNameStatistics> {
  const { d, opts } = run;
  const src = valueSource(d, run.table, f, run.weightSpec);
  // A list column's value aggregates need its elements unnested: one more query.
  const values = f.list ? (await run.query(`${f.name}: values`, selectAggregates(src.from, valueAggregates(d, f, src.value, p))))[0]! : pass1;
  const presence = await presenceOf(run, f, p, pass1, numExamples, weightedNumExamples);
  const common = commonStatistics(presence, numExamples, weightedNumExamples, opts);
  const type = f.kind === 'INT' ? FeatureNameStatistics_Type.INT : f.kind === 'FLOAT' ? FeatureNameStatistics_Type.FLOAT : FeatureNameStatistics_Type.STRING;
  const stat = create(FeatureNameStatisticsSchema, { fieldId: { case: 'path', value: create(PathSchema, { step: [f.name] }) }, type });
  if (f.kind === 'STRING' || f.categorical) {
    stat.stats = { case: 'stringStats', value: stringStatistics(common, await stringValues(run, f, p, values, src), opts) };
  } else {
    const { v, qc, weightedQc, method } = await numericFeature(run, f, p, values, highCardinality, src);
    if (method) methods[f.name] = method;
    stat.stats = { case: 'numStats', value: numericStatistics(common, v, qc, weightedQc, opts) };
  }
  return stat;
}

async function presenceOf(run: Run, f: FeatureSpec, p: string, pass1: Row, numExamples: number, weightedNumExamples: number | undefined): Promise<Presence> {
  const { opts, d } = run;
  const empty = opts.nullAsEmptyList;
  const cnt = num(pass1[`${p}cnt`]);
  const nonMissing = empty ? numExamples : cnt;
  const weighted = weightedNumExamples === undefined ? undefined : {
    nonMissing: empty ? weightedNumExamples : num(pass1[`${p}wcnt`]),
    totalValues: f.list ? num(pass1[`${p}wtot`]) : num(pass1[`${p}wcnt`]),
  };
  if (!f.list) {
    // One value or none per example: the per-example value counts are known without a query.
    const numValues: { value: number; weight: number }[] = [];
    if (empty && numExamples > cnt) numValues.push({ value: 0, weight: numExamples - cnt });
    if (cnt > 0) numValues.push({ value: 1, weight: cnt });
    return {
      nonMissing, totalValues: cnt, minValues: empty && numExamples > cnt ? 0 : 1, maxValues: cnt > 0 ? 1 : 0,
      numValues: exactSummary(numValues), ...(weighted && { weighted }),
    };
  }
  let numValues: SummaryEntry[] = [];
  if (nonMissing > 0) {
    const q = { src: listLengthSource(d, run.table, f, empty), floating: false, numQuantiles: opts.numValuesHistogramBuckets };
    numValues = summaryEntries(await run.query(`${f.name}: value counts`, summarySql(d, q)));
  }
  return {
    nonMissing, totalValues: num(pass1[`${p}tot`]), minValues: empty && numExamples > cnt ? 0 : num(pass1[`${p}minv`]), maxValues: num(pass1[`${p}maxv`]),
    numValues, ...(weighted && { weighted }),
  };
}

function summaryEntries(rows: readonly Row[]): SummaryEntry[] {
  return rows.map((r) => {
    const c = num(r['c']);
    const lo = num(r['lo']);
    return { value: num(r['v']), weight: c, minRank: lo, maxRank: lo + c };
  });
}

interface NumericResult {
  v: NumericValues;
  qc?: QuantilesAndCounts;
  weightedQc?: QuantilesAndCounts;
  method?: QuantilesMethod;
}

/**
 * Values sampled for the quantiles of a feature with very many distinct values. A uniform sample of n values puts
 * every quantile within eps of its rank with probability >= 1 - 2 exp(-2 n eps^2) (Dvoretzky-Kiefer-Wolfowitz):
 * eps = 1% (TFDV's own error bound) fails with probability 2e-20 = 4e-9 for n = 100,000.
 */
export const QUANTILE_SAMPLE_VALUES = 100_000;

/** A numeric feature's values: its summary (exact, or from a uniform sample for very many distinct values) and moments. */
async function numericFeature(run: Run, f: FeatureSpec, p: string, agg: Row, highCardinality: boolean, src: ValueSource): Promise<NumericResult> {
  const Q = QUANTILES_FACTOR * run.opts.numQuantilesHistogramBuckets;
  const values = num(f.list ? agg[`${p}vcnt`] : agg[`${p}cnt`]);
  const empty = (nan: number): NumericValues => ({ count: 0, nan, zeros: 0, min: Number.NaN, max: Number.NaN, finiteMin: Infinity, finiteMax: -Infinity, posInf: 0, negInf: 0, mean: Number.NaN, variance: Number.NaN });
  if (values === 0) return { v: empty(0) };
  const weighted = run.weight !== undefined;

  if (highCardinality && !weighted) {
    const [row] = await run.query(`${f.name}: values`, valueStatisticsSql(run.d, src, f.floating));
    const n = num(row!['n']);
    const [min, max] = [num(row!['mn']), num(row!['mx'])];
    const fraction = QUANTILE_SAMPLE_VALUES / n;
    if (n > 0 && fraction < 1 && Number.isFinite(min) && Number.isFinite(max)) {
      const v: NumericValues = {
        count: n, nan: values - n, zeros: num(row!['zeros']), min, max, finiteMin: min, finiteMax: max, posInf: 0, negInf: 0,
        mean: maybe(row!['mean']) ?? Number.NaN, variance: maybe(row!['var']) ?? Number.NaN,
      };
      const rows = await run.query(`${f.name}: sampled quantiles`, summarySql(run.d, { src: sampledSource(run.d, src, fraction), floating: f.floating, numQuantiles: Q }));
      return { v, qc: sampledQuantiles(rows, v, Q), method: 'sampled' };
    }
  }

  const rows = await run.query(`${f.name}: quantiles`, summarySql(run.d, { src, floating: f.floating, numQuantiles: Q, moments: true, weighted }));
  if (rows.length === 0) return { v: empty(values) };
  const value = (r: Row) => num(r['v']);
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const finite = rows.filter((r) => Number.isFinite(value(r)));
  const total = num(first['tot']);
  const v: NumericValues = {
    count: total, nan: values - total, zeros: num(rows.find((r) => value(r) === 0)?.['c']), min: value(first), max: value(last),
    finiteMin: finite.length ? value(finite[0]!) : Infinity, finiteMax: finite.length ? value(finite[finite.length - 1]!) : -Infinity,
    posInf: value(last) === Infinity ? num(last['c']) : 0, negInf: value(first) === -Infinity ? num(first['c']) : 0,
    mean: maybe(first['mean']) ?? Number.NaN, variance: maybe(first['var']) ?? Number.NaN,
  };
  const qc = numericQuantiles(summaryEntries(rows), run.opts);
  if (!weighted) return { v, qc, method: 'exact' };
  // Zero total weight: TFDV reports weighted mean and std_dev 0.
  const wn = num(first['wn']);
  v.weighted = { mean: wn === 0 ? 0 : num(first['wmean']), variance: wn === 0 ? 0 : num(first['wvar']), posInf: value(last) === Infinity ? num(last['sa']) : 0 };
  const entries = rows.filter((r) => num(r['sw']) > 0).map((r) => {
    const sw = num(r['sw']);
    const lo = num(r['wlo']);
    return { value: value(r), weight: sw, minRank: lo, maxRank: lo + sw };
  });
  return { v, qc, ...(entries.length > 0 && { weightedQc: generateQuantiles(entries, Q) }), method: 'exact' };
}

/**
 * Quantiles of a sample's summary, its ranks scaled to the feature's W values; the first and last boundaries are
 * the exact minimum and maximum (TFDV's first boundary is always the minimum).
 */
function sampledQuantiles(rows: readonly Row[], v: NumericValues, Q: number): QuantilesAndCounts | undefined {
  if (rows.length === 0) return undefined;
  const scale = v.count / num(rows[0]!['tot']);
  const entries = summaryEntries(rows).map((e) => ({ value: e.value, weight: e.weight * scale, minRank: e.minRank * scale, maxRank: e.maxRank * scale }));
  const qc = generateQuantiles(entries, Q);
  qc.quantiles[0] = v.min;
  qc.quantiles[Q] = v.max;
  qc.cumulative[Q] = v.count;
  return qc;
}

async function stringValues(run: Run, f: FeatureSpec, p: string, values: Row, src: ValueSource): Promise<StringValues> {
  const { d, opts } = run;
  const count = num(f.list ? values[`${p}vcnt`] : values[`${p}cnt`]);
  const base = { count, totalLength: num(values[f.categorical ? `${p}chars` : `${p}bytes`]), invalidUtf8: num(values[`${p}bad`]) };
  if (count === 0) return { ...base, unique: 0, top: [] };
  const k = Math.max(opts.numTopValues, opts.numRankHistogramBuckets, 1);
  const label = (x: string) => (f.categorical ? d.toString(x) : f.bytes ? d.bytesLabel(x) : x);
  const rows = await run.query(`${f.name}: top values`, topKSql(d, { src, k, label }));
  const entry = (r: Row): ValueCount => ({ label: String(r['label']), count: num(r['c']), ...(src.weight !== undefined && { weighted: num(r['sw']) }) });
  const top = rows.filter((r) => num(r['r1']) <= k).map(entry);
  const unique = rows.length > 0 ? num(rows[0]!['uniq']) : 0;
  if (src.weight === undefined) return { ...base, unique, top };
  const weightedTop = rows.filter((r) => num(r['r2']) <= k).sort((a, b) => num(a['r2']) - num(b['r2'])).map(entry);
  return { ...base, unique, top, weightedTop };
}
