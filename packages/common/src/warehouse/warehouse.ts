// The warehouse a component reads and writes tables in: the embedded DuckDB warehouse in the pipeline root
// (`FORMALIZE_WAREHOUSE`, set by the local runner), or BigQuery (a later backend behind the same interface).
import type { ColumnType, SqlDialect, SqlLiteral } from './dialect.ts';
import type { TableRef } from './table-ref.ts';

export type Row = Record<string, unknown>;
export type QueryParams = Record<string, SqlLiteral>;

export interface ColumnInfo {
  readonly name: string;
  readonly type: ColumnType;
  /** The backend's own type name (e.g. DuckDB `BIGINT`). */
  readonly nativeType: string;
}

export interface TableInfo {
  readonly ref: TableRef;
  readonly columns: readonly ColumnInfo[];
  readonly numRows: number;
}

export interface ParquetExport {
  /** Local paths of the shards written, in order. */
  readonly files: readonly string[];
  readonly rows: number;
}

export interface Warehouse {
  readonly kind: 'duckdb' | 'bigquery';
  readonly dialect: SqlDialect;
  /** Independent queries that can usefully run at once (callers may keep this many in flight). */
  readonly concurrency: number;
  /** Runs a query and returns every row; for small results (aggregates, samples). Values: number, string,
   *  boolean, null, bigint beyond 2^53, Date for timestamps, arrays and objects for lists and structs. */
  query(sql: string, params?: QueryParams): Promise<Row[]>;
  /** Streams the rows of a query in chunks, in bounded memory. */
  stream(sql: string, params?: QueryParams): AsyncIterable<Row[]>;
  /** Runs a statement for its effect. */
  execute(sql: string, params?: QueryParams): Promise<void>;
  /** Columns and row count of a table; undefined when it does not exist. */
  getTable(ref: TableRef): Promise<TableInfo | undefined>;
  /** `CREATE OR REPLACE TABLE ref AS <sql>` (the dataset is created when missing); returns the row count. */
  createTableAs(ref: TableRef, sql: string, params?: QueryParams): Promise<number>;
  dropTable(ref: TableRef): Promise<void>;
  /** Writes the rows of a query as Parquet shards `<prefix>-00000-of-00004.parquet` into a local folder. */
  exportParquet(sql: string, dir: string, opts?: { prefix?: string; rowsPerShard?: number; params?: QueryParams }): Promise<ParquetExport>;
  close(): Promise<void>;
}

export class WarehouseError extends Error {
  override name = 'WarehouseError';
}

export class TableNotFoundError extends WarehouseError {
  override name = 'TableNotFoundError';
}
