// The statistics queries. One aggregate pass computes every feature's counts and moments; then each feature gets
// one summary query (a GROUP BY over its values, thinned in SQL to the entries TFDV's quantile queries can land on,
// or the top-k), plus, for list columns, the value aggregates and the list-length summary. All SQL is built through
// a StatsDialect, so it runs in DuckDB and BigQuery alike; every query returns a bounded number of rows.
import type { StatsDialect } from './dialect.ts';
import type { FeatureSpec } from './features.ts';

/** A FROM item and the expressions of one feature's values (and weights) over it. */
export interface ValueSource {
  readonly from: string;
  /** One value, NULL when absent. */
  readonly value: string;
  /** The example's weight as a double, when weighted. */
  readonly weight?: string;
}

export type Aggregates = [alias: string, sql: string][];

/** A scalar column's values come from the table; a list column's from its unnested elements. */
export function valueSource(d: StatsDialect, table: string, f: FeatureSpec, weight?: FeatureSpec): ValueSource {
  if (!f.list) return { from: table, value: f.value(d.ident(f.name)), ...(weight && { weight: weightExpr(d, weight, '') }) };
  const { from, element } = d.unnestFrom(table, f.name);
  return { from, value: f.value(element), ...(weight && { weight: weightExpr(d, weight, 't.') }) };
}

/** The weight of an example as a double (`prefix` qualifies the column when the FROM item is a join). */
export function weightExpr(d: StatsDialect, weight: FeatureSpec, prefix = ''): string {
  return d.toFloat64(weight.value(`${prefix}${d.ident(weight.name)}`));
}

/** Presence and valency of a feature: counted over rows, one per example. */
export function presenceAggregates(d: StatsDialect, f: FeatureSpec, p: string, weight: string | undefined): Aggregates {
  const col = d.ident(f.name);
  const out: Aggregates = [];
  if (f.list) {
    const len = d.listLength(col);
    out.push([`${p}cnt`, `count(${col})`], [`${p}tot`, `sum(${len})`], [`${p}minv`, `min(${len})`], [`${p}maxv`, `max(${len})`]);
    if (weight) out.push([`${p}wcnt`, d.aggIf('sum', weight, `${col} IS NOT NULL`)], [`${p}wtot`, `sum(${weight} * ${len})`]);
  } else {
    out.push([`${p}cnt`, `count(${f.value(col)})`]);
    if (weight) out.push([`${p}wcnt`, d.aggIf('sum', weight, `${f.value(col)} IS NOT NULL`)]);
  }
  return out;
}

/**
 * Aggregates over a feature's values that the summary queries do not give: the count of a list column's elements
 * (a scalar column's is its presence count), the total length and invalid UTF-8 of strings. A numeric feature's
 * extremes, zeros, NaN, infinities and moments come with its summary query, computed over its GROUP BY groups:
 * a few thousand rows instead of a second pass over the column (measured: avg + var_pop of 8 columns cost ~1 s of
 * CPU per 10M rows in the aggregate pass).
 */
export function valueAggregates(d: StatsDialect, f: FeatureSpec, x: string, p: string): Aggregates {
  const out: Aggregates = f.list ? [[`${p}vcnt`, `count(${x})`]] : [];
  if (f.kind === 'STRING' || f.categorical) {
    if (f.categorical) out.push([`${p}chars`, `sum(${d.intTextLength(x)})`]);
    else out.push([`${p}bytes`, `sum(${d.valueBytes(x, f.bytes)})`]);
    if (f.bytes) out.push([`${p}bad`, d.countIf(d.isInvalidUtf8(x))]);
  }
  return out;
}

/**
 * How many distinct values the numeric features have in a block sample of the table (`percent` of its storage
 * blocks, read without scanning the rest; the same TABLESAMPLE SYSTEM syntax in DuckDB and BigQuery).
 */
export function distinctSampleSql(d: StatsDialect, table: string, values: readonly [alias: string, value: string][], percent: number): string {
  const cols = values.map(([, v], i) => `${v} AS c${i}`).join(', ');
  const aggs = values.flatMap(([a], i) => [`${d.approxCountDistinct(`c${i}`)} AS ${a}_d`, `count(c${i}) AS ${a}_n`]);
  return `SELECT ${aggs.join(', ')} FROM (SELECT ${cols} FROM ${table} TABLESAMPLE SYSTEM (${percent} PERCENT)) s`;
}

export function selectAggregates(from: string, aggs: Aggregates, where?: string): string {
  return `SELECT ${aggs.map(([a, s]) => `${s} AS ${a}`).join(',\n  ')}\nFROM ${from}${where ? ` WHERE ${where}` : ''}`;
}

export interface SummaryQuery {
  readonly src: ValueSource;
  /** FLOAT values: NaN excluded (TFDV's sketch skips them), the entries next to infinities kept. */
  readonly floating: boolean;
  /** The number of quantiles that will be asked of the summary. */
  readonly numQuantiles: number;
  /** Add the moments (mean, variance) over the groups. */
  readonly moments?: boolean;
  /** Add the weighted summary (positive weights, as TFDV's sketch) and weighted moments (all weights). */
  readonly weighted?: boolean;
}

/**
 * The summary of one feature's values with exact ranks: GROUP BY value, running sums of the counts (and positive
 * weights) in value order, then only the entries whose rank range holds one of the ranks r * W / Q (r = 0..Q)
 * that TFDV's quantile query probes. Those are exactly the entries the query selects from the full summary (see
 * README "Quantiles"), so at most ~Q rows leave the warehouse and the quantiles equal those of the sorted data.
 * Also kept: the first and last entries (min, max, -inf/+inf counts), the zero (num_zeros) and, for FLOAT, the
 * entries next to the infinities (the finite min and max). Every row carries the total W (non-NaN values) and,
 * with `moments`, the mean over all non-NaN values (infinite or NaN with infinities, as TFDV's float64 mean) and
 * the population variance of the finite ones, computed over the groups.
 */
export function summarySql(d: StatsDialect, q: SummaryQuery): string {
  const { src, numQuantiles: Q } = q;
  const weighted = q.weighted === true && src.weight !== undefined;
  const where = [`${src.value} IS NOT NULL`, ...(q.floating ? [`NOT ${d.isNan(src.value)}`] : [])].join(' AND ');
  const running = (c: string) => `sum(${c}) OVER (ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - ${c}`;
  const dv = d.toFloat64('v');
  const finite = q.floating ? d.isFinite('v') : 'TRUE';
  const variance = (w: string, m: string) => `sum(CASE WHEN ${finite} THEN ${w} * (${dv} - ${m}) * (${dv} - ${m}) END) OVER () / sum(CASE WHEN ${finite} THEN ${w} END) OVER ()`;
  const grouped = [`${src.value} AS v`, 'count(*) AS c'];
  const meaned: [sql: string, alias: string][] = [['v', 'v'], ['c', 'c']];
  const ranked: [sql: string, alias: string][] = [['v', 'v'], ['c', 'c'], [running('c'), 'lo'], ['sum(c) OVER ()', 'tot']];
  if (q.moments) {
    meaned.push([`sum(c * ${dv}) OVER () / sum(c) OVER ()`, 'mean']);
    ranked.push(['mean', 'mean'], [variance('c', 'mean'), 'var']);
  }
  // Integer arithmetic: the first probe at or after lo is ceil(lo * Q / W); it lies in [lo, lo + c) when
  // ceil(lo * Q / W) * W < (lo + c) * Q.
  const keep = [`${d.intDiv(`lo * ${Q} + tot - 1`, 'tot')} * tot < (lo + c) * ${Q}`, 'lo = 0', 'lo + c = tot', 'v = 0'];
  if (q.floating) {
    ranked.push(['lag(v) OVER (ORDER BY v)', 'pv'], ['lead(v) OVER (ORDER BY v)', 'nv']);
    keep.push(d.isInf('pv'), d.isInf('nv'));
  }
  if (weighted) {
    grouped.push(`sum(CASE WHEN ${src.weight} > 0 THEN ${src.weight} ELSE 0 END) AS sw`, `sum(${src.weight}) AS sa`);
    meaned.push(['sw', 'sw'], ['sa', 'sa'], [`sum(sa * ${dv}) OVER () / sum(sa) OVER ()`, 'wmean']);
    ranked.push(['sw', 'sw'], ['sa', 'sa'], [running('sw'), 'wlo'], ['sum(sw) OVER ()', 'wtot'], ['sum(sa) OVER ()', 'wn'], ['wmean', 'wmean'], [variance('sa', 'wmean'), 'wvar']);
    // Doubles: keep every entry whose closed range is within a hair of a probe (extra entries change nothing).
    keep.push(`wtot > 0 AND floor((wlo + sw) * ${Q} / wtot + 1e-9) >= ceil(wlo * ${Q} / wtot - 1e-9)`, `wtot > 0 AND wlo + sw >= wtot * (1 - 1e-9)`);
  }
  const select = (cols: [string, string][]) => cols.map(([e, a]) => (e === a ? e : `${e} AS ${a}`)).join(', ');
  const groups = `(SELECT ${grouped.join(', ')} FROM ${src.from} WHERE ${where} GROUP BY 1) g`;
  const from = meaned.length > 2 ? `(SELECT ${select(meaned)} FROM ${groups}) m` : groups;
  return `SELECT ${ranked.map(([, a]) => a).join(', ')} FROM (
  SELECT ${select(ranked)} FROM ${from}
) r WHERE ${keep.map((k) => `(${k})`).join(' OR ')} ORDER BY v`;
}

/**
 * Exact count, zeros, extremes and moments of a feature's values, for the features whose quantiles come from a
 * sample. (An infinite min or max sends the feature to the exact summary, which handles infinities.)
 */
export function valueStatisticsSql(d: StatsDialect, src: ValueSource, floating: boolean): string {
  const x = src.value;
  const dx = d.toFloat64(x);
  const where = [`${x} IS NOT NULL`, ...(floating ? [`NOT ${d.isNan(x)}`] : [])].join(' AND ');
  return `SELECT count(*) AS n, ${d.countIf(`${x} = 0`)} AS zeros, min(${x}) AS mn, max(${x}) AS mx, avg(${dx}) AS mean,
  ${floating ? d.aggIf('var_pop', dx, d.isFinite(x)) : `var_pop(${dx})`} AS var FROM ${src.from} WHERE ${where}`;
}

/** A uniform random sample of a feature's values (each kept with probability `fraction`), as a value source. */
export function sampledSource(d: StatsDialect, src: ValueSource, fraction: number): ValueSource {
  return { from: `(${d.bernoulliSample(`SELECT ${src.value} AS sv FROM ${src.from}`, fraction)}) s`, value: 'sv' };
}

export interface TopKQuery {
  readonly src: ValueSource;
  /** Rows to return per ordering: max(num_top_values, num_rank_histogram_buckets), at least 1. */
  readonly k: number;
  /** SQL of the label of value `v`. */
  readonly label: (v: string) => string;
}

/**
 * Top-k and uniques: value counts (and weighted counts) ordered by count descending, ties broken by the larger
 * value first (TFDV sorts (count, value) descending), with the number of distinct values on every row.
 */
export function topKSql(d: StatsDialect, q: TopKQuery): string {
  const { src, k } = q;
  const weighted = src.weight !== undefined;
  const grouped = [`${src.value} AS v`, 'count(*) AS c', ...(weighted ? [`sum(${src.weight}) AS sw`] : [])];
  const ranked = [
    `${q.label('v')} AS label`, 'c', ...(weighted ? ['sw'] : []), 'count(*) OVER () AS uniq',
    'row_number() OVER (ORDER BY c DESC, v DESC) AS r1', ...(weighted ? ['row_number() OVER (ORDER BY sw DESC, v DESC) AS r2'] : []),
  ];
  return `SELECT label, c, ${weighted ? 'sw, r2, ' : ''}uniq, r1 FROM (
  SELECT ${ranked.join(', ')}
  FROM (SELECT ${grouped.join(', ')} FROM ${src.from} WHERE ${src.value} IS NOT NULL GROUP BY 1) g
) r WHERE r1 <= ${k}${weighted ? ` OR r2 <= ${k}` : ''} ORDER BY r1`;
}

/** The list-length summary source of a list feature: one row per example (present ones, or all as empty lists). */
export function listLengthSource(d: StatsDialect, table: string, f: FeatureSpec, nullAsEmptyList: boolean): ValueSource {
  const len = d.listLength(d.ident(f.name));
  return { from: table, value: nullAsEmptyList ? `coalesce(${len}, 0)` : len };
}
