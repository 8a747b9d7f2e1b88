// Columns mode: chosen columns of a table, rows kept by structured filters ({column, op, value} data, never SQL
// text), optionally the first `limit` rows of the sample order. Columns are checked against the table and
// quoted; operators come from a fixed table; values travel as query parameters.
import type { ColumnInfo, ColumnType, QueryParams, TableInfo } from '@formalize/common/warehouse';
import { checkColumnName, formatTableRef } from '@formalize/common/warehouse';
import { fieldError } from '@formalize/common';
import type { ExtractDialect } from './dialect.ts';
import type { RowFilter } from './filters.ts';
import { isOrderable, sampleKeySql } from './sample-order.ts';

const NUMERIC: ReadonlySet<ColumnType> = new Set(['INT64', 'FLOAT64', 'NUMERIC']);
const TEMPORAL: Partial<Record<ColumnType, 'TIMESTAMP' | 'DATE' | 'DATETIME'>> = { TIMESTAMP: 'TIMESTAMP', DATE: 'DATE', DATETIME: 'DATETIME' };
// ISO 8601 dates and date-times as both warehouses cast them from strings.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:?\d{2}| UTC)?$/;

export interface PlainQueryOptions {
  table: TableInfo;
  /** Field prefix of the inputs in messages, e.g. `inputs.parameterValues`. */
  field: string;
  columns?: readonly string[] | undefined;
  filters?: readonly RowFilter[] | undefined;
  limit?: number | undefined;
}

export function plainQuery(d: ExtractDialect, o: PlainQueryOptions): { sql: string; params: QueryParams } {
  const byName = new Map(o.table.columns.map((c) => [c.name, c]));
  const known = () => `${formatTableRef(o.table.ref)} has ${o.table.columns.map((c) => c.name).join(', ')}`;
  const column = (name: string, field: string): ColumnInfo => {
    checkColumnName(name, field);
    const col = byName.get(name);
    if (!col) throw fieldError(field, `no such column (${known()})`, name);
    return col;
  };

  const names = o.columns ?? o.table.columns.map((c) => c.name);
  if (names.length === 0) throw fieldError(`${o.field}.columns`, 'at least one column (or leave it out for all columns)', names);
  const seen = new Set<string>();
  const selected = names.map((name, i) => {
    const col = column(name, `${o.field}.columns[${i}]`);
    if (seen.has(name)) throw fieldError(`${o.field}.columns[${i}]`, 'each column once', name);
    seen.add(name);
    return col;
  });

  const params: QueryParams = {};
  const where = (o.filters ?? []).map((f, i) => {
    const field = `${o.field}.filters[${i}]`;
    const col = column(f.column, `${field}.column`);
    const lhs = d.ident(col.name);
    if (f.op === 'IS NULL' || f.op === 'IS NOT NULL') {
      if (f.value !== undefined) throw fieldError(`${field}.value`, `no value with ${f.op}`, f.value);
      return `${lhs} ${f.op}`;
    }
    const list = f.op === 'IN' || f.op === 'NOT IN';
    if (f.value === undefined) throw fieldError(`${field}.value`, list ? `a non-empty list with ${f.op}` : `a value with ${f.op}`, undefined);
    if (list !== Array.isArray(f.value)) throw fieldError(`${field}.value`, list ? `a non-empty list with ${f.op}` : `one value with ${f.op} (lists go with IN / NOT IN)`, f.value);
    const values = Array.isArray(f.value) ? f.value : [f.value];
    const refs = values.map((v, j) => {
      const name = `f${i}_${j}`;
      params[name] = checkValue(v, col, list ? `${field}.value[${j}]` : `${field}.value`);
      const p = d.param(name);
      const temporal = TEMPORAL[col.type];
      return temporal ? d.castTemporal(p, temporal) : p;
    });
    return list ? `${lhs} ${f.op} (${refs.join(', ')})` : `${lhs} ${f.op} ${refs[0]}`;
  });

  let sql = `SELECT ${selected.map((c) => d.ident(c.name)).join(', ')}\nFROM ${d.table(o.table.ref)}`;
  if (where.length) sql += `\nWHERE ${where.join('\n  AND ')}`;
  if (o.limit !== undefined) {
    const key = sampleKeySql(d, selected.map((c) => ({ expr: d.ident(c.name), type: c.type })));
    const ties = selected.filter((c) => isOrderable(c.type)).map((c) => d.ident(c.name));
    sql += `\nORDER BY ${[key, ...ties].join(', ')}\nLIMIT ${d.param('limit')}`;
    params['limit'] = o.limit;
  }
  return { sql, params };
}

function checkValue(v: string | number | boolean, col: ColumnInfo, field: string): string | number | boolean {
  const t = col.type;
  if (!NUMERIC.has(t) && t !== 'BOOL' && t !== 'STRING' && !TEMPORAL[t]) throw fieldError(`${field.replace(/\.value(\[\d+\])?$/, '')}.column`, `a column of a comparable type (${col.name} is ${t})`, col.name);
  const want = NUMERIC.has(t) ? 'number' : t === 'BOOL' ? 'boolean' : 'string';
  if (typeof v !== want) throw fieldError(field, `a ${want} for ${t} column ${col.name}`, v);
  if (typeof v === 'number' && !Number.isFinite(v)) throw fieldError(field, 'a finite number', v);
  if (t === 'DATE' && !ISO_DATE.test(String(v))) throw fieldError(field, `a date YYYY-MM-DD for DATE column ${col.name}`, v);
  if ((t === 'TIMESTAMP' || t === 'DATETIME') && !ISO_DATETIME.test(String(v))) throw fieldError(field, `an ISO 8601 date-time for ${t} column ${col.name}`, v);
  return v;
}
