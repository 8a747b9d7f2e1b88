// Loads a CSV file into an embedded-warehouse table typed as tfx-bsl / TFX CSV ExampleGen type it
// (tfx_bsl/coders/csv_decoder.py ColumnTypeInferrer): a column is INT if every non-empty cell parses with Python
// `int()` and fits int64, else FLOAT if every one parses with `float()`, else STRING. FLOAT is float32 (DuckDB
// FLOAT), parsed as Python does: to a double, then rounded to float32. An empty cell is SQL NULL; whether that is a
// missing feature or an empty list is the statistics' `nullAsEmptyList` option. The typing runs in the warehouse.
import type { TableRef, Warehouse } from '@formalize/common/warehouse';
import { WarehouseError } from '@formalize/common/warehouse';

export type CsvColumnType = 'INT' | 'FLOAT' | 'STRING';

export interface LoadCsvOptions {
  delimiter?: string;
  /**
   * The type of a column with no value at all: `tfdv` (TFDV's CSV decoder, Arrow null type: STRING, the default)
   * or `example-gen` (TFX CSV ExampleGen >= 0.23 writes typed empty lists: INT, as in TFX's own statistics).
   */
  emptyColumnType?: 'tfdv' | 'example-gen';
}

export interface LoadedCsv {
  readonly rows: number;
  readonly columns: readonly { name: string; type: CsvColumnType }[];
}

// tfx-bsl parses the cells' bytes: Python `int(b'...')` / `float(b'...')` accept ASCII whitespace around the literal
// and PEP 515 underscores between digits, nothing else (no Unicode digits, as for bytes).
const WS = '[ \\t\\n\\r\\x0b\\x0c]';
const DIGITS = '[0-9](?:_?[0-9])*';
const INT_RE = `${WS}*[+-]?${DIGITS}${WS}*`;
const FLOAT_RE = `${WS}*[+-]?(?:(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?|(?i:inf|infinity|nan))${WS}*`;
// Doubles at or beyond this round to +-inf in float32 (half-way between FLT_MAX and 2^128 rounds to even: up).
const FLOAT32_OVERFLOW = '3.4028235677973366e38';

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

export async function loadCsv(wh: Warehouse, ref: TableRef, path: string, opts: LoadCsvOptions = {}): Promise<LoadedCsv> {
  if (wh.kind !== 'duckdb') throw new WarehouseError(`loadCsv: loads local files into the embedded DuckDB warehouse, not ${wh.kind}`);
  const d = wh.dialect;
  const delimiter = opts.delimiter ?? ',';
  const source = `read_csv(${d.literal(path)}, header = true, all_varchar = true, delim = ${d.literal(delimiter)}, quote = '"', escape = '"')`;
  const names = (await wh.query(`DESCRIBE SELECT * FROM ${source}`)).map((r) => String(r['column_name']));
  const cell = (n: string) => `NULLIF(${d.ident(n)}, '')`;
  const norm = (n: string) => `replace(trim(${cell(n)}, ${lit(' \t\n\r\x0b\x0c')}), '_', '')`;
  const int64 = (n: string) => `coalesce(TRY_CAST(${norm(n)} AS HUGEINT) BETWEEN -9223372036854775808 AND 9223372036854775807, false)`;
  // Over the non-empty cells only (an empty cell is UNKNOWN, below every type).
  const cells = (agg: string, n: string) => `${agg} FILTER (WHERE ${cell(n)} IS NOT NULL)`;
  const typing = names.flatMap((n, i) => [
    `count(${cell(n)}) AS n${i}`,
    `${cells(`bool_and(regexp_full_match(${cell(n)}, ${lit(INT_RE)}) AND ${int64(n)})`, n)} AS i${i}`,
    // An integer beyond int64 makes the column STRING (tfx-bsl: "We infer STRING type when we have long integer values").
    `${cells(`bool_or(regexp_full_match(${cell(n)}, ${lit(INT_RE)}) AND NOT ${int64(n)})`, n)} AS l${i}`,
    `${cells(`bool_and(regexp_full_match(${cell(n)}, ${lit(FLOAT_RE)}))`, n)} AS f${i}`,
  ]);
  const [t] = await wh.query(`SELECT count(*) AS rows, ${typing.join(', ')} FROM ${source}`);
  const columns = names.map((name, i) => {
    const type: CsvColumnType = Number(t![`n${i}`]) === 0 ? (opts.emptyColumnType === 'example-gen' ? 'INT' : 'STRING')
      : t![`l${i}`] === true ? 'STRING' : t![`i${i}`] === true ? 'INT' : t![`f${i}`] === true ? 'FLOAT' : 'STRING';
    return { name, type };
  });
  const select = columns.map(({ name, type }) => {
    const dbl = `TRY_CAST(${norm(name)} AS DOUBLE)`;
    const expr = type === 'INT' ? `CAST(${norm(name)} AS BIGINT)`
      : type === 'FLOAT' ? `CASE WHEN isnan(${dbl}) THEN 'nan'::FLOAT WHEN ${dbl} >= ${FLOAT32_OVERFLOW} THEN 'inf'::FLOAT WHEN ${dbl} <= -${FLOAT32_OVERFLOW} THEN '-inf'::FLOAT ELSE CAST(${dbl} AS FLOAT) END`
        : `CAST(${cell(name)} AS VARCHAR)`;
    return `${expr} AS ${d.ident(name)}`;
  });
  const rows = await wh.createTableAs(ref, `SELECT ${select.join(', ')} FROM ${source}`);
  return { rows, columns };
}
