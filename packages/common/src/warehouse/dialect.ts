// SQL that differs between the warehouses. Components build their SQL through a dialect, so the same
// statistics / extraction / split queries run in the embedded DuckDB warehouse and in BigQuery.
import type { TableRef } from './table-ref.ts';

export type SqlLiteral = string | number | boolean | null;

/** BigQuery's column type names; DuckDB types are reported in these terms. */
export type ColumnType = 'INT64' | 'FLOAT64' | 'NUMERIC' | 'BOOL' | 'STRING' | 'BYTES' | 'TIMESTAMP' | 'DATE' | 'DATETIME' | 'TIME' | 'GEOGRAPHY' | 'JSON' | 'ARRAY' | 'STRUCT' | 'OTHER';

export interface SqlDialect {
  readonly name: 'duckdb' | 'bigquery';
  /** A quoted identifier (column, alias). */
  ident(name: string): string;
  /** A fully qualified, quoted table reference. */
  table(ref: TableRef): string;
  /** A SQL literal: strings quoted and escaped, non-finite numbers refused. */
  literal(value: SqlLiteral): string;
  /** A named query parameter (`$name` in DuckDB, `@name` in BigQuery). */
  param(name: string): string;
  /** `CAST(expr AS FLOAT64)` in this dialect's type names. */
  toFloat64(expr: string): string;
  toString(expr: string): string;
  /** `EXTRACT(part FROM ts)` with BigQuery's numbering (DAYOFWEEK: 1 = Sunday .. 7). */
  extract(part: 'YEAR' | 'MONTH' | 'DAY' | 'DAYOFWEEK' | 'HOUR', timestampExpr: string): string;
  /** The dialect's length in bytes of a string expression. */
  byteLength(expr: string): string;
  /** Rewrites BigQuery-style backtick table references (`` `p.d.t` ``) in hand-written SQL to this dialect. */
  rewriteTableRefs(sql: string, parse: (name: string) => TableRef): string;
}

function checkFinite(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`SQL literal: non-finite number ${value}`);
  return String(value);
}

const BACKTICKED = /`([^`]+)`/g;

export const duckdbDialect: SqlDialect = Object.freeze({
  name: 'duckdb' as const,
  ident: (name: string) => `"${name.replaceAll('"', '""')}"`,
  table(ref: TableRef) {
    return `${this.ident(ref.projectId)}.${this.ident(ref.datasetId)}.${this.ident(ref.tableId)}`;
  },
  literal(value: SqlLiteral) {
    if (value === null) return 'NULL';
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'number') return checkFinite(value);
    return `'${value.replaceAll("'", "''")}'`;
  },
  param: (name: string) => `$${name}`,
  toFloat64: (expr: string) => `CAST(${expr} AS DOUBLE)`,
  toString: (expr: string) => `CAST(${expr} AS VARCHAR)`,
  // BigQuery's DAYOFWEEK is 1 (Sunday) .. 7; DuckDB's dayofweek is 0 (Sunday) .. 6.
  extract: (part, ts) => part === 'DAYOFWEEK' ? `(EXTRACT(DOW FROM ${ts}) + 1)` : `EXTRACT(${part} FROM ${ts})`,
  byteLength: (expr: string) => `octet_length(CAST(${expr} AS BLOB))`,
  rewriteTableRefs(sql: string, parse: (name: string) => TableRef) {
    return sql.replace(BACKTICKED, (_, name: string) => this.table(parse(name)));
  },
} satisfies SqlDialect);

export const bigqueryDialect: SqlDialect = Object.freeze({
  name: 'bigquery' as const,
  ident: (name: string) => `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``,
  table: (ref: TableRef) => `\`${ref.projectId}.${ref.datasetId}.${ref.tableId}\``,
  literal(value: SqlLiteral) {
    if (value === null) return 'NULL';
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'number') return checkFinite(value);
    return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
  },
  param: (name: string) => `@${name}`,
  toFloat64: (expr: string) => `CAST(${expr} AS FLOAT64)`,
  toString: (expr: string) => `CAST(${expr} AS STRING)`,
  extract: (part, ts) => `EXTRACT(${part} FROM ${ts})`,
  byteLength: (expr: string) => `BYTE_LENGTH(${expr})`,
  rewriteTableRefs(sql: string, parse: (name: string) => TableRef) {
    return sql.replace(BACKTICKED, (_, name: string) => this.table(parse(name)));
  },
} satisfies SqlDialect);
