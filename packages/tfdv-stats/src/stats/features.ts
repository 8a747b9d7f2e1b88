// How a warehouse table maps to TFDV features: one feature per column, named by the column. A column's type
// decides the feature type (BigQuery FLOAT64/NUMERIC -> FLOAT, INT64/BOOL/TIMESTAMP -> INT, everything else ->
// STRING); an ARRAY column is a feature with a list of values per example, a scalar column one value (or none).
import type { ColumnInfo, TableInfo } from '@formalize/common/warehouse';
import { formatTableRef } from '@formalize/common/warehouse';
import type { StatsDialect } from './dialect.ts';
import type { StatsOptions } from './options.ts';

export type FeatureKind = 'INT' | 'FLOAT' | 'STRING';

export interface FeatureSpec {
  /** Column name; the feature's `path.step[0]`. */
  readonly name: string;
  readonly kind: FeatureKind;
  /** An ARRAY column: each example holds a list of values. */
  readonly list: boolean;
  /** An INT feature reported with `string_stats` (schema `int_domain.is_categorical`). */
  readonly categorical: boolean;
  /** Values are bytes (BYTES/BLOB): counted for invalid UTF-8, labelled with TFDV's placeholder when invalid. */
  readonly bytes: boolean;
  /** FLOAT values that may be NaN or infinite (INT values never are). */
  readonly floating: boolean;
  /** SQL for one value of the feature, given the column (or list element) expression. */
  value(x: string): string;
}

export class StatsInputError extends Error {
  override name = 'StatsInputError';
}

interface Mapped { kind: FeatureKind; bytes: boolean; floating: boolean; value: (x: string) => string }

/** The element type of an ARRAY column's native type: DuckDB `DOUBLE[]`, BigQuery `ARRAY<FLOAT64>`. */
function elementType(native: string): string | undefined {
  const t = native.trim();
  if (t.endsWith('[]')) return t.slice(0, -2);
  const m = /^ARRAY<(.+)>$/i.exec(t);
  return m?.[1];
}

/** A native type name in BigQuery's terms (the warehouse reports DuckDB types that way too). */
function baseType(native: string): string {
  const t = native.toUpperCase().trim();
  if (/^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|INT64)$/.test(t)) return 'INT64';
  if (/^(FLOAT|REAL|FLOAT4|DOUBLE|FLOAT8|FLOAT64)$/.test(t)) return 'FLOAT64';
  if (/^(DECIMAL|NUMERIC|BIGNUMERIC)/.test(t)) return 'NUMERIC';
  if (t === 'BOOLEAN' || t === 'BOOL') return 'BOOL';
  if (t === 'VARCHAR' || t === 'STRING' || t === 'TEXT') return 'STRING';
  if (t === 'BLOB' || t === 'BYTES' || t === 'BYTEA') return 'BYTES';
  if (t.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  return t;
}

function mapType(d: StatsDialect, native: string): Mapped {
  switch (baseType(native)) {
    case 'INT64': return { kind: 'INT', bytes: false, floating: false, value: (x) => x };
    case 'BOOL': return { kind: 'INT', bytes: false, floating: false, value: (x) => d.toInt64(x) };
    // Epoch microseconds: BigQuery's own TIMESTAMP resolution, ordered and exact, so min/max, quantiles and
    // drift distances stay meaningful (a timestamp's text would only get top-k).
    case 'TIMESTAMP': return { kind: 'INT', bytes: false, floating: false, value: (x) => d.epochMicros(x) };
    case 'FLOAT64': return { kind: 'FLOAT', bytes: false, floating: true, value: (x) => x };
    // Decimals are numbers: TFDV would refuse Arrow's decimal type, reporting them as FLOAT keeps their statistics.
    case 'NUMERIC': return { kind: 'FLOAT', bytes: false, floating: true, value: (x) => d.toFloat64(x) };
    case 'STRING': return { kind: 'STRING', bytes: false, floating: false, value: (x) => x };
    case 'BYTES': return { kind: 'STRING', bytes: true, floating: false, value: (x) => x };
    // DATE, DATETIME, TIME, JSON, GEOGRAPHY, STRUCT, ...: their text.
    default: return { kind: 'STRING', bytes: false, floating: false, value: (x) => d.toString(x) };
  }
}

function featureOf(d: StatsDialect, col: ColumnInfo, categorical: boolean): FeatureSpec {
  const element = elementType(col.nativeType);
  const m = mapType(d, element ?? col.nativeType);
  return { name: col.name, list: element !== undefined, categorical: categorical && m.kind === 'INT', ...m };
}

function checkNames(field: string, names: readonly string[], info: TableInfo): void {
  const known = new Set(info.columns.map((c) => c.name));
  for (const [i, n] of names.entries()) {
    if (!known.has(n)) {
      throw new StatsInputError(`${field}[${i}]: unknown column "${n}" in table ${formatTableRef(info.ref)} (columns: ${[...known].join(', ')})`);
    }
  }
}

export interface TableFeatures {
  readonly features: FeatureSpec[];
  /** The weight column as a feature, when `weightFeature` is set. */
  readonly weight?: FeatureSpec;
}

/** The table's features (column order), checked against the options: names exist, the weight is a numeric scalar. */
export function tableFeatures(d: StatsDialect, info: TableInfo, opts: StatsOptions): TableFeatures {
  if (opts.featureAllowlist) checkNames('featureAllowlist', opts.featureAllowlist, info);
  checkNames('categoricalFeatures', opts.categoricalFeatures, info);
  const categorical = new Set(opts.categoricalFeatures);
  const all = info.columns.map((c) => featureOf(d, c, categorical.has(c.name)));
  for (const f of all) {
    if (categorical.has(f.name) && f.kind === 'FLOAT') {
      throw new StatsInputError(`categoricalFeatures: column "${f.name}" is FLOAT; only INT columns can be categorical`);
    }
  }
  const allow = opts.featureAllowlist ? new Set(opts.featureAllowlist) : undefined;
  const features = allow ? all.filter((f) => allow.has(f.name)) : all;
  if (opts.weightFeature === undefined) return { features };
  const weight = all.find((f) => f.name === opts.weightFeature);
  if (!weight) {
    throw new StatsInputError(`weightFeature: unknown column "${opts.weightFeature}" in table ${formatTableRef(info.ref)} (columns: ${all.map((f) => f.name).join(', ')})`);
  }
  const native = info.columns.find((c) => c.name === weight.name)!.nativeType;
  if (weight.kind === 'STRING' || weight.list || weight.categorical) {
    throw new StatsInputError(`weightFeature: column "${weight.name}" is ${native}; the weight must be a numeric (INT64 or FLOAT64) column with one value per example`);
  }
  return { features, weight };
}
