// generateStatistics: a warehouse table -> TFDV's DatasetFeatureStatisticsList, computed in the warehouse.
// Scans: one aggregate pass over all columns, then one summary query per feature (two more for list columns);
// each returns a bounded number of rows, so Node's memory does not grow with the table.
import { create } from '@bufbuild/protobuf';
import type { Row, TableRef, Warehouse } from '@formalize/common/warehouse';
import { formatTableRef } from '@formalize/common/warehouse';
import { z } from 'zod';
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
import { approxSummarySql, listLengthSource, presenceAggregates, selectAggregates, summarySql, topKSql, valueAggregates, valueSource, weightExpr } from './sql.ts';

export interface GenerateHooks {
  /** Called after each feature: features done of total. */
  onProgress?: (done: number, total: number, feature: string) => void;
  /** Called before each query (label says which part), e.g. to count scans. */
  onQuery?: (label: string, sql: string) => void;
  signal?: AbortSignal;
}

/** How each numeric feature's quantiles were obtained (exact GROUP BY summary, or the warehouse's approximation). */
export type QuantilesMethod = 'exact' | 'approximate';

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
    if (!f.list) aggs.push(...valueAggregates(run.d, f, f.value(run.d.ident(f.name)), `f${i}_`, w));
  }
  const [pass1] = await run.query('aggregates', selectAggregates(run.table, aggs));
  const numExamples = num(pass1!['n']);
  const weightedNumExamples = w ? num(pass1!['wn']) : undefined;
  if (weight && num(pass1!['wnull']) > 0) {
    throw new StatsInputError(`weightFeature: column "${weight.name}" is NULL in ${num(pass1!['wnull'])} of ${numExamples} rows; every example needs a weight`);
  }

  const out: FeatureNameStatistics[] = [];
  const methods: Record<string, QuantilesMethod> = {};
  for (const [i, f] of features.entries()) {
    out.push(await featureStatistics(run, f, `f${i}_`, pass1!, numExamples, weightedNumExamples, methods));
    hooks.onProgress?.(i + 1, features.length, f.name);
  }
  const dataset = create(DatasetFeatureStatisticsSchema, { numExamples: BigInt(numExamples), features: out });
  if (weightedNumExamples !== undefined) dataset.weightedNumExamples = weightedNumExamples;
  return { statistics: create(DatasetFeatureStatisticsListSchema, { datasets: [dataset] }), quantiles: methods, queries: run.queries };
}

async function featureStatistics(
  run: Run, f: FeatureSpec, p: string, pass1: Row, numExamples: number, weightedNumExamples: number | undefined, methods: Record<string, QuantilesMethod>,
): Promise<FeatureNameStatistics> {
  const { d, opts } = run;
  const src = valueSource(d, run.table, f, run.weightSpec);
  // A list column's value aggregates need its elements unnested: one more query.
  const values = f.list ? (await run.query(`${f.name}: values`, selectAggregates(src.from, valueAggregates(d, f, src.value, p, src.weight))))[0]! : pass1;
  const presence = await presenceOf(run, f, p, pass1, numExamples, weightedNumExamples);
  const common = commonStatistics(presence, numExamples, weightedNumExamples, opts);
  const type = f.kind === 'INT' ? FeatureNameStatistics_Type.INT : f.kind === 'FLOAT' ? FeatureNameStatistics_Type.FLOAT : FeatureNameStatistics_Type.STRING;
  const stat = create(FeatureNameStatisticsSchema, { fieldId: { case: 'path', value: create(PathSchema, { step: [f.name] }) }, type });
  if (f.kind === 'STRING' || f.categorical) {
    stat.stats = { case: 'stringStats', value: stringStatistics(common, await stringValues(run, f, p, values, src), opts) };
  } else {
    const v = numericValues(f, p, values);
    let qc: QuantilesAndCounts | undefined;
    let weightedQc: QuantilesAndCounts | undefined;
    if (v.count > 0) {
      const approximate = !v.weighted && v.posInf === 0 && v.negInf === 0 && num(values[`${p}nd`]) > opts.exactQuantilesMaxDistinct;
      methods[f.name] = approximate ? 'approximate' : 'exact';
      if (approximate) qc = await approximateQuantiles(run, f, src, v);
      else ({ qc, weightedQc } = await exactQuantiles(run, f, p, src, values, v));
    }
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
    const q = { src: listLengthSource(d, run.table, f, empty), skipNan: false, total: nonMissing, numQuantiles: opts.numValuesHistogramBuckets };
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

function numericValues(f: FeatureSpec, p: string, r: Row): NumericValues {
  const nan = num(r[`${p}nan`]);
  const count = num(r[`${p}vcnt`]) - nan;
  const min = maybe(r[`${p}min`]) ?? Number.NaN;
  const max = maybe(r[`${p}max`]) ?? Number.NaN;
  const v: NumericValues = {
    count, nan, zeros: num(r[`${p}zeros`]), min, max,
    // INT values are always finite.
    finiteMin: f.floating ? (maybe(r[`${p}fmin`]) ?? Infinity) : min,
    finiteMax: f.floating ? (maybe(r[`${p}fmax`]) ?? -Infinity) : max,
    posInf: num(r[`${p}pinf`]), negInf: num(r[`${p}ninf`]),
    finiteMean: maybe(r[`${p}mean`]) ?? Number.NaN, finiteVariance: maybe(r[`${p}var`]) ?? Number.NaN,
  };
  if (r[`${p}wn`] !== undefined) {
    const wn = num(r[`${p}wn`]);
    // Zero total weight: TFDV reports weighted mean and std_dev 0.
    v.weighted = { mean: wn === 0 ? 0 : num(r[`${p}wsum`]) / wn, variance: 0, posInf: num(r[`${p}wpinf`]) };
  }
  return v;
}

async function exactQuantiles(
  run: Run, f: FeatureSpec, p: string, src: ValueSource, values: Row, v: NumericValues,
): Promise<{ qc: QuantilesAndCounts; weightedQc?: QuantilesAndCounts }> {
  const { d, opts } = run;
  const Q = QUANTILES_FACTOR * opts.numQuantilesHistogramBuckets;
  const positive = num(values[`${p}wpos`]);
  const weighted = v.weighted && positive > 0 ? { total: positive, mean: v.weighted.mean } : undefined;
  const rows = await run.query(`${f.name}: quantiles`, summarySql(d, { src, skipNan: f.floating, total: v.count, numQuantiles: Q, ...(weighted && { weighted }) }));
  const qc = numericQuantiles(summaryEntries(rows), opts);
  if (!v.weighted) return { qc };
  const wn = num(values[`${p}wn`]);
  if (rows.length > 0 && wn !== 0) v.weighted.variance = num(rows[0]!['wss']) / wn;
  if (!weighted) return { qc };
  const entries = rows.filter((r) => num(r['sw']) > 0).map((r) => {
    const sw = num(r['sw']);
    const lo = num(r['wlo']);
    return { value: num(r['v']), weight: sw, minRank: lo, maxRank: lo + sw };
  });
  return { qc, weightedQc: generateQuantiles(entries, Q) };
}

/**
 * Quantiles from the warehouse's approximate quantile function (DuckDB t-digest, BigQuery APPROX_QUANTILES):
 * boundary k sits at rank ~k * W / Q; the exact min and max replace the first and last. A run of equal boundaries
 * j0..j1 is one heavy value, given the cumulative weight (j1 + 1/2) * W / Q (W for the maximum).
 */
async function approximateQuantiles(run: Run, f: FeatureSpec, src: ValueSource, v: NumericValues): Promise<QuantilesAndCounts> {
  const Q = QUANTILES_FACTOR * run.opts.numQuantilesHistogramBuckets;
  const [row] = await run.query(`${f.name}: approximate quantiles`, approxSummarySql(run.d, src, f.floating, Q));
  const raw = z.array(z.union([z.number(), z.bigint()])).length(Q + 1).parse(row?.['q']).map(Number);
  const quantiles = raw.map((x, k) => (k === 0 ? v.min : k === Q ? v.max : Math.min(v.max, Math.max(v.min, x))));
  for (let k = 1; k <= Q; k++) quantiles[k] = Math.max(quantiles[k]!, quantiles[k - 1]!);
  const W = v.count;
  const cumulative = Array.from<number>({ length: Q + 1 });
  for (let k = Q; k >= 0; k--) {
    const last = k < Q && quantiles[k + 1] === quantiles[k] ? undefined : k;
    cumulative[k] = last === undefined ? cumulative[k + 1]! : last === Q ? W : Math.min(W, ((last + 0.5) * W) / Q);
  }
  return { quantiles, cumulative };
}

async function stringValues(run: Run, f: FeatureSpec, p: string, values: Row, src: ValueSource): Promise<StringValues> {
  const { d, opts } = run;
  const count = num(values[`${p}vcnt`]);
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
