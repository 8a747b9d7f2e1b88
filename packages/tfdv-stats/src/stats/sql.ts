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

/** Aggregates over a feature's values: counts, extremes and moments (numeric), bytes and lengths (string). */
export function valueAggregates(d: StatsDialect, f: FeatureSpec, x: string, p: string, weight: string | undefined): Aggregates {
  const out: Aggregates = [[`${p}vcnt`, `count(${x})`]];
  if (f.kind === 'STRING' || f.categorical) {
    if (f.categorical) out.push([`${p}chars`, `sum(${d.intTextLength(x)})`]);
    else out.push([`${p}bytes`, `sum(${d.byteLength(x)})`]);
    if (f.bytes) out.push([`${p}bad`, d.countIf(d.isInvalidUtf8(x))]);
    return out;
  }
  const notNan = f.floating ? `NOT ${d.isNan(x)}` : `${x} IS NOT NULL`;
  const finite = f.floating ? `NOT ${d.isNan(x)} AND NOT ${d.isInf(x)}` : `${x} IS NOT NULL`;
  out.push(
    [`${p}zeros`, d.countIf(`${x} = 0`)],
    [`${p}min`, d.aggIf('min', x, notNan)],
    [`${p}max`, d.aggIf('max', x, notNan)],
    [`${p}mean`, d.aggIf('avg', x, finite)],
    [`${p}var`, d.aggIf('var_pop', x, finite)],
    [`${p}nd`, d.approxCountDistinct(f.floating ? `CASE WHEN ${notNan} THEN ${x} END` : x)],
  );
  if (f.floating) {
    out.push(
      [`${p}nan`, d.countIf(d.isNan(x))],
      [`${p}fmin`, d.aggIf('min', x, finite)],
      [`${p}fmax`, d.aggIf('max', x, finite)],
      [`${p}pinf`, d.countIf(`${x} > 0 AND ${d.isInf(x)}`)],
      [`${p}ninf`, d.countIf(`${x} < 0 AND ${d.isInf(x)}`)],
    );
  }
  if (weight) {
    out.push(
      [`${p}wsum`, d.aggIf('sum', `${weight} * ${x}`, finite)],
      [`${p}wn`, d.aggIf('sum', weight, finite)],
      // The total weight the weighted quantile summary covers: TFDV's sketch skips weights <= 0.
      [`${p}wpos`, d.aggIf('sum', weight, `${notNan} AND ${weight} > 0`)],
    );
    if (f.floating) out.push([`${p}wpinf`, d.aggIf('sum', weight, `${x} > 0 AND ${d.isInf(x)}`)]);
  }
  return out;
}

export function selectAggregates(from: string, aggs: Aggregates, where?: string): string {
  return `SELECT ${aggs.map(([a, s]) => `${s} AS ${a}`).join(',\n  ')}\nFROM ${from}${where ? ` WHERE ${where}` : ''}`;
}

export interface SummaryQuery {
  readonly src: ValueSource;
  /** Exclude NaN (FLOAT values): TFDV's sketch skips them. */
  readonly skipNan: boolean;
  /** Number of values the summary covers (for the thinning grid). */
  readonly total: number;
  /** The number of quantiles that will be asked of the summary. */
  readonly numQuantiles: number;
  /** When weighted: the total positive weight, and the weighted mean for the weighted variance. */
  readonly weighted?: { total: number; mean: number };
}

/**
 * The summary of one feature's values with exact ranks: GROUP BY value, running sums of the counts (and positive
 * weights) in value order, then only the entries whose rank range holds one of the ranks r * W / Q (r = 0..Q)
 * that TFDV's quantile query probes, plus the last. Those entries are exactly the ones the query selects from
 * the full summary (see README "Quantiles"), so at most Q + 2 rows leave the warehouse and the quantiles equal
 * those of the complete sorted data.
 */
export function summarySql(d: StatsDialect, q: SummaryQuery): string {
  const { src, total: W, numQuantiles: Q, weighted } = q;
  const where = [`${src.value} IS NOT NULL`, ...(q.skipNan ? [`NOT ${d.isNan(src.value)}`] : [])].join(' AND ');
  const running = (c: string) => `sum(${c}) OVER (ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - ${c}`;
  const grouped = [`${src.value} AS v`, 'count(*) AS c'];
  const ranked: [sql: string, alias: string][] = [['v', 'v'], ['c', 'c'], [running('c'), 'lo']];
  // Integer arithmetic: the first probe at or after lo is ceil(lo * Q / W); it lies in [lo, lo + c) when
  // ceil(lo * Q / W) * W < (lo + c) * Q.
  const keep = [`${d.intDiv(`lo * ${Q} + ${W - 1}`, String(W))} * ${W} < (lo + c) * ${Q}`, `lo + c = ${W}`];
  if (weighted && src.weight) {
    grouped.push(`sum(CASE WHEN ${src.weight} > 0 THEN ${src.weight} ELSE 0 END) AS sw`, `sum(${src.weight}) AS sa`);
    const finite = q.skipNan ? `NOT ${d.isInf('v')}` : 'TRUE';
    const m = d.double(weighted.mean);
    ranked.push(['sw', 'sw'], [running('sw'), 'wlo'], [`sum(CASE WHEN ${finite} THEN sa * (v - ${m}) * (v - ${m}) END) OVER ()`, 'wss']);
    // Doubles: keep every entry whose closed range is within a hair of a probe (extra entries change nothing).
    const ww = d.double(weighted.total);
    keep.push(`floor((wlo + sw) * ${Q} / ${ww} + 1e-9) >= ceil(wlo * ${Q} / ${ww} - 1e-9)`, `wlo + sw >= ${ww} * (1 - 1e-9)`);
  }
  return `SELECT ${ranked.map(([, a]) => a).join(', ')} FROM (
  SELECT ${ranked.map(([e, a]) => (e === a ? e : `${e} AS ${a}`)).join(', ')}
  FROM (SELECT ${grouped.join(', ')} FROM ${src.from} WHERE ${where} GROUP BY 1) g
) r WHERE ${keep.map((k) => `(${k})`).join(' OR ')} ORDER BY v`;
}

/** The warehouse's approximate quantiles of a feature's values (for features with very many distinct values). */
export function approxSummarySql(d: StatsDialect, src: ValueSource, skipNan: boolean, k: number): string {
  const where = [`${src.value} IS NOT NULL`, ...(skipNan ? [`NOT ${d.isNan(src.value)}`] : [])].join(' AND ');
  return `SELECT ${d.approxQuantiles(src.value, k)} AS q FROM ${src.from} WHERE ${where}`;
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
