// Every warehouse-specific expression of the extraction, so that one query builder writes BigQuery SQL for
// BigQuery and DuckDB SQL for the embedded warehouse. The BigQuery forms are the seed's own functions; the DuckDB
// forms compute the same values in plain SQL (DuckDB here has no spatial extension and cannot download one).
import type { ColumnType, SqlDialect, TableRef } from '@formalize/common/warehouse';
import { bigqueryDialect, duckdbDialect } from '@formalize/common/warehouse';

/**
 * BigQuery's sphere: 6,371,010 m (S2's `S2Earth::RadiusMeters()`, Yoder 1995), not the IUGG mean radius
 * 6,371,008.8 m. Two published BigQuery results pin it: ST_DISTANCE of (139.7454316 35.658584) and
 * (139.8108103 35.7100069) = 8219.632821167155 m (dev.classmethod.jp/articles/bigquery-geography-functions-try),
 * and of (10 12) and (15 17) = 773697.017019 m (github.com/mrafayaleem/sql-snippets, bigquery/geographical-distance.md);
 * both equal the great-circle angle times 6371010 to 1e-9 relative, and differ from 6371008.8 by 0.15 m per 773 km.
 */
export const BIGQUERY_EARTH_RADIUS_M = 6_371_010;

export interface ExtractDialect extends SqlDialect {
  /**
   * `ST_AsText(ST_SnapToGrid(ST_GeogPoint(lon, lat), 10^-decimals))`: the point rounded to the grid, as WKT with
   * the shortest decimals (`POINT(-87.6 41.9)`, `POINT(-87.7 42)`).
   */
  gridPointText(lon: string, lat: string, decimals: number): string;
  /** `ST_Distance(ST_GeogPoint(lon1, lat1), ST_GeogPoint(lon2, lat2))`: metres on BigQuery's sphere. */
  sphericalDistance(lon1: string, lat1: string, lon2: string, lat2: string): string;
  /** BigQuery's CONCAT: NULL when any part is NULL. */
  concat(...parts: string[]): string;
  /** `IF(cond, then, else)`. */
  iif(cond: string, then: string, otherwise: string): string;
  toInt64(expr: string): string;
  /** `CAST(expr AS <type>)` for a filter value on a temporal column. */
  castTemporal(expr: string, type: 'TIMESTAMP' | 'DATE' | 'DATETIME'): string;
  /**
   * Text of a value for the sample key: identical in both warehouses for INT64, FLOAT64, NUMERIC, STRING, BOOL,
   * TIMESTAMP and DATE (floats as `%.17g`, timestamps as epoch microseconds); other types use the warehouse's
   * own text, deterministic within that warehouse.
   */
  keyText(expr: string, type: ColumnType): string;
  /** Lowercase hex MD5 of a string (the same digest in both warehouses). */
  md5Hex(expr: string): string;
  /** Statements that make `tmp`'s rows the table `dest` and remove `tmp`, readers seeing old or new, never neither. */
  replaceTableScript(tmp: TableRef, dest: TableRef): string;
  /**
   * A query of one row (`error` BOOLEAN, `message` the parser's, `statements` INT64) telling whether the SQL held by `sqlParam` parses as
   * exactly one SELECT. Undefined where the warehouse answers this by other means: BigQuery's is a dry-run job
   * (`statementType`), which the BigQuery backend runs.
   */
  singleSelectCheck?: (sqlParam: string) => string;
}

const decimalsOf = (decimals: number) => {
  if (!Number.isInteger(decimals) || decimals < 1 || decimals > 9) throw new RangeError(`grid decimals: expected an integer from 1 to 9 (BigQuery grids are 10^n, -10 < n < 0), received ${decimals}`);
  return decimals;
};

/** DuckDB prints 42.0 for an integral double where BigQuery's WKT prints 42. */
const duckdbNumberText = (x: string) => `CASE WHEN ${x} = trunc(${x}) THEN CAST(CAST(${x} AS BIGINT) AS VARCHAR) ELSE CAST(${x} AS VARCHAR) END`;

export const duckdbExtractDialect: ExtractDialect = Object.freeze({
  ...duckdbDialect,
  gridPointText(lon: string, lat: string, decimals: number) {
    const k = 10 ** decimalsOf(decimals);
    // round(x * 10^n) / 10^n: the division gives the double nearest to the decimal, as BigQuery's snapped vertex.
    const snap = (x: string) => `(round(${x} * ${k}) / ${k})`;
    return `('POINT(' || ${duckdbNumberText(snap(lon))} || ' ' || ${duckdbNumberText(snap(lat))} || ')')`;
  },
  sphericalDistance(lon1: string, lat1: string, lon2: string, lat2: string) {
    // As S2 measures it: the chord between the unit vectors, then the angle 2 asin(chord / 2).
    const v = (lon: string, lat: string) => [`cos(radians(${lat})) * cos(radians(${lon}))`, `cos(radians(${lat})) * sin(radians(${lon}))`, `sin(radians(${lat}))`];
    const [a, b] = [v(lon1, lat1), v(lon2, lat2)];
    const chord2 = a.map((x, i) => `pow(${x} - ${b[i]}, 2)`).join(' + ');
    return `(2 * ${BIGQUERY_EARTH_RADIUS_M}.0 * asin(least(1.0, sqrt(${chord2}) / 2)))`;
  },
  concat: (...parts: string[]) => `(${parts.join(' || ')})`,
  iif: (cond: string, then: string, otherwise: string) => `(CASE WHEN ${cond} THEN ${then} ELSE ${otherwise} END)`,
  toInt64: (expr: string) => `CAST(${expr} AS BIGINT)`,
  castTemporal: (expr: string, type: 'TIMESTAMP' | 'DATE' | 'DATETIME') => `CAST(${expr} AS ${type === 'DATETIME' ? 'TIMESTAMP' : type})`,
  keyText(expr: string, type: ColumnType) {
    if (type === 'FLOAT64' || type === 'NUMERIC') return `printf('%.17g', CAST(${expr} AS DOUBLE))`;
    if (type === 'TIMESTAMP') return `CAST(epoch_us(${expr}) AS VARCHAR)`;
    return `CAST(${expr} AS VARCHAR)`;
  },
  md5Hex: (expr: string) => `md5(${expr})`,
  replaceTableScript(tmp: TableRef, dest: TableRef) {
    return `BEGIN TRANSACTION; DROP TABLE IF EXISTS ${duckdbDialect.table(dest)}; ALTER TABLE ${duckdbDialect.table(tmp)} RENAME TO ${duckdbDialect.ident(dest.tableId)}; COMMIT`;
  },
  singleSelectCheck: (sqlParam: string) =>
    `SELECT CAST(j->>'error' AS BOOLEAN) AS error, j->>'error_message' AS message, coalesce(json_array_length(j->'statements'), 0) AS statements
     FROM (SELECT json_serialize_sql(CAST(${sqlParam} AS VARCHAR))::JSON AS j)`,
});

export const bigqueryExtractDialect: ExtractDialect = Object.freeze({
  ...bigqueryDialect,
  gridPointText: (lon: string, lat: string, decimals: number) =>
    `ST_AsText(ST_SnapToGrid(ST_GeogPoint(${lon}, ${lat}), ${(10 ** -decimalsOf(decimals)).toFixed(decimals)}))`,
  sphericalDistance: (lon1: string, lat1: string, lon2: string, lat2: string) => `ST_Distance(ST_GeogPoint(${lon1}, ${lat1}), ST_GeogPoint(${lon2}, ${lat2}))`,
  concat: (...parts: string[]) => `CONCAT(${parts.join(', ')})`,
  iif: (cond: string, then: string, otherwise: string) => `IF(${cond}, ${then}, ${otherwise})`,
  toInt64: (expr: string) => `CAST(${expr} AS INT64)`,
  castTemporal: (expr: string, type: 'TIMESTAMP' | 'DATE' | 'DATETIME') => `CAST(${expr} AS ${type})`,
  keyText(expr: string, type: ColumnType) {
    if (type === 'FLOAT64' || type === 'NUMERIC') return `FORMAT('%.17g', CAST(${expr} AS FLOAT64))`;
    if (type === 'TIMESTAMP') return `CAST(UNIX_MICROS(${expr}) AS STRING)`;
    return `CAST(${expr} AS STRING)`;
  },
  md5Hex: (expr: string) => `TO_HEX(MD5(${expr}))`,
  replaceTableScript: (tmp: TableRef, dest: TableRef) => `CREATE OR REPLACE TABLE ${bigqueryDialect.table(dest)} COPY ${bigqueryDialect.table(tmp)}; DROP TABLE ${bigqueryDialect.table(tmp)};`,
});

/** The extract dialect of a warehouse's SQL dialect. */
export function extractDialectFor(d: SqlDialect): ExtractDialect {
  return d.name === 'duckdb' ? duckdbExtractDialect : bigqueryExtractDialect;
}
