// A LIMIT needs an order to pick a defined subset (the seed's `LIMIT` without `ORDER BY` returned whatever rows
// BigQuery produced first). Rows are ordered by the MD5 of their values (a fixed pseudo-random order, so the subset
// is spread over the whole table rather than its first weeks), then by the output columns themselves, so that rows
// with equal keys keep a defined order too: the same table and parameters give the same subset, every time, and in
// DuckDB and BigQuery alike (MD5 and the key text are computed identically in both, see ExtractDialect.keyText).
import type { ColumnType } from '@formalize/common/warehouse';
import type { ExtractDialect } from './dialect.ts';

export interface KeyColumn {
  /** SQL of the value (usually a quoted column). */
  expr: string;
  type: ColumnType;
}

/** Lowercase hex MD5 of the values joined by `|` (NULL as the empty string; a value holding `|` can only make two
 *  keys equal, and equal keys are ordered by the columns). */
export function sampleKeySql(d: ExtractDialect, cols: readonly KeyColumn[]): string {
  const parts = cols.flatMap((c, i) => [...(i ? [d.literal('|')] : []), `COALESCE(${d.keyText(c.expr, c.type)}, '')`]);
  return d.md5Hex(d.concat(...parts));
}

const ORDERABLE: ReadonlySet<ColumnType> = new Set(['INT64', 'FLOAT64', 'NUMERIC', 'BOOL', 'STRING', 'BYTES', 'TIMESTAMP', 'DATE', 'DATETIME', 'TIME']);

/** Whether BigQuery can ORDER BY a column of this type (not ARRAY, STRUCT, GEOGRAPHY, JSON). */
export const isOrderable = (type: ColumnType): boolean => ORDERABLE.has(type);
