// The SQL the statistics queries need beyond the warehouse's base dialect: NaN/infinity tests, filtered
// aggregates, list columns, sampling, UTF-8 checks. One implementation per warehouse, so the same
// query builders run in the embedded DuckDB warehouse and in BigQuery.
import type { SqlDialect } from '@formalize/common/warehouse';
import { bigqueryDialect, duckdbDialect } from '@formalize/common/warehouse';

/** TFDV's label for values that are not valid UTF-8 (constants.py NON_UTF8_PLACEHOLDER). */
export const NON_UTF8_PLACEHOLDER = '__BYTES_VALUE__';

export interface StatsDialect extends SqlDialect {
  isNan(x: string): string;
  isInf(x: string): string;
  /** Neither NaN nor infinite (NULL stays NULL). */
  isFinite(x: string): string;
  /** Length in bytes of a string value (`bytes`: a BYTES/BLOB value). */
  valueBytes(x: string, bytes: boolean): string;
  /** `agg(x)` over the rows where `cond` holds (NULL when there are none, as for any aggregate). */
  aggIf(agg: 'count' | 'sum' | 'min' | 'max' | 'avg' | 'var_pop', x: string, cond: string): string;
  countIf(cond: string): string;
  approxCountDistinct(x: string): string;
  /** The rows of `select` (a SELECT without WHERE), each kept independently with probability `fraction`. */
  bernoulliSample(select: string, fraction: number): string;
  /** Number of elements of a list (ARRAY) column; NULL for a NULL list. */
  listLength(x: string): string;
  /** A FROM item joining each row of `table` (aliased `t`) to the elements of its list column, and the element. */
  unnestFrom(table: string, column: string): { from: string; element: string };
  intDiv(a: string, b: string): string;
  toInt64(x: string): string;
  epochMicros(ts: string): string;
  /** Characters of the decimal text of an integer (Python `len(str(v))`). */
  intTextLength(x: string): string;
  /** A bytes value as text, TFDV's placeholder when it is not valid UTF-8. */
  bytesLabel(x: string): string;
  isInvalidUtf8(x: string): string;
  /** A double literal, including the non-finite values. */
  double(v: number): string;
}

function doubleLiteral(v: number, nan: string, inf: string, negInf: string): string {
  if (Number.isNaN(v)) return nan;
  if (v === Infinity) return inf;
  if (v === -Infinity) return negInf;
  return String(v);
}

export const duckdbStatsDialect: StatsDialect = Object.freeze({
  ...duckdbDialect,
  isNan: (x: string) => `isnan(${x})`,
  isInf: (x: string) => `isinf(${x})`,
  isFinite: (x: string) => `isfinite(${x})`,
  // strlen counts UTF-8 bytes of a VARCHAR without the copy a cast to BLOB costs.
  valueBytes: (x: string, bytes: boolean) => (bytes ? `octet_length(${x})` : `strlen(${x})`),
  aggIf: (agg, x, cond) => `${agg}(${x}) FILTER (WHERE ${cond})`,
  countIf: (cond: string) => `count(*) FILTER (WHERE ${cond})`,
  approxCountDistinct: (x: string) => `approx_count_distinct(${x})`,
  bernoulliSample: (select: string, fraction: number) => `${select} USING SAMPLE ${100 * fraction} PERCENT (bernoulli)`,
  listLength: (x: string) => `len(${x})`,
  unnestFrom: (table: string, column: string) => ({ from: `${table} AS t, unnest(t.${duckdbDialect.ident(column)}) AS u(e)`, element: 'u.e' }),
  intDiv: (a: string, b: string) => `((${a}) // (${b}))`,
  toInt64: (x: string) => `CAST(${x} AS BIGINT)`,
  epochMicros: (ts: string) => `epoch_us(${ts})`,
  intTextLength: (x: string) => `length(CAST(${x} AS VARCHAR))`,
  bytesLabel: (x: string) => `coalesce(try(decode(${x})), '${NON_UTF8_PLACEHOLDER}')`,
  isInvalidUtf8: (x: string) => `(${x} IS NOT NULL AND try(decode(${x})) IS NULL)`,
  double: (v: number) => doubleLiteral(v, `'nan'::DOUBLE`, `'inf'::DOUBLE`, `'-inf'::DOUBLE`),
} satisfies StatsDialect);

export const bigqueryStatsDialect: StatsDialect = Object.freeze({
  ...bigqueryDialect,
  isNan: (x: string) => `IS_NAN(${x})`,
  isInf: (x: string) => `IS_INF(${x})`,
  isFinite: (x: string) => `(NOT IS_INF(${x}) AND NOT IS_NAN(${x}))`,
  valueBytes: (x: string) => `BYTE_LENGTH(${x})`,
  aggIf: (agg, x, cond) => `${agg.toUpperCase()}(IF(${cond}, ${x}, NULL))`,
  countIf: (cond: string) => `COUNTIF(${cond})`,
  approxCountDistinct: (x: string) => `APPROX_COUNT_DISTINCT(${x})`,
  // TABLESAMPLE SYSTEM samples storage blocks, not rows; RAND() keeps each row independently.
  bernoulliSample: (select: string, fraction: number) => `${select} WHERE RAND() < ${fraction}`,
  listLength: (x: string) => `ARRAY_LENGTH(${x})`,
  unnestFrom: (table: string, column: string) => ({ from: `${table} AS t, UNNEST(t.${bigqueryDialect.ident(column)}) AS e`, element: 'e' }),
  intDiv: (a: string, b: string) => `DIV(${a}, ${b})`,
  toInt64: (x: string) => `CAST(${x} AS INT64)`,
  epochMicros: (ts: string) => `UNIX_MICROS(${ts})`,
  intTextLength: (x: string) => `LENGTH(CAST(${x} AS STRING))`,
  bytesLabel: (x: string) => `COALESCE(SAFE_CAST(${x} AS STRING), '${NON_UTF8_PLACEHOLDER}')`,
  isInvalidUtf8: (x: string) => `(${x} IS NOT NULL AND SAFE_CAST(${x} AS STRING) IS NULL)`,
  double: (v: number) => doubleLiteral(v, `CAST('nan' AS FLOAT64)`, `CAST('inf' AS FLOAT64)`, `CAST('-inf' AS FLOAT64)`),
} satisfies StatsDialect);

export function statsDialectFor(base: SqlDialect): StatsDialect {
  return base.name === 'bigquery' ? bigqueryStatsDialect : duckdbStatsDialect;
}
