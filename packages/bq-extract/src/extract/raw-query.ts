// Query mode: a hand-written SELECT in the warehouse's own SQL (DuckDB SQL in the embedded warehouse, GoogleSQL
// on BigQuery). BigQuery-style backtick table names (`project.dataset.table`) are validated and rewritten to the
// warehouse's quoting, so a query that names tables that way reads the same tables in both. The text must be one
// SELECT: it is wrapped in CREATE TABLE ... AS, and a second statement smuggled after a `;` is refused.
import type { TableRef, Warehouse } from '@formalize/common/warehouse';
import { parseTableRef } from '@formalize/common/warehouse';
import { ContractError, fieldError } from '@formalize/common';
import type { ExtractDialect } from './dialect.ts';

export function rawQuery(d: ExtractDialect, query: string, field: string): { sql: string; tables: TableRef[] } {
  const tables: TableRef[] = [];
  let sql: string;
  try {
    sql = d.rewriteTableRefs(query, (name) => {
      const ref = parseTableRef(name, field);
      tables.push(ref);
      return ref;
    });
  } catch (err) {
    throw new ContractError([`${(err as Error).message}`]);
  }
  return { sql, tables };
}

export async function assertSingleSelect(wh: Warehouse, d: ExtractDialect, sql: string, field: string): Promise<void> {
  if (!d.singleSelectCheck) throw fieldError(field, `query mode needs a ${d.name} statement check, which this build does not have`, sql);
  const [r] = await wh.query(d.singleSelectCheck(d.param('sql')), { sql });
  if (r?.['error'] === true || Number(r?.['statements']) !== 1) {
    const message = String(r?.['message'] ?? '');
    const why = r?.['error'] !== true ? `holds ${String(r?.['statements'])} statements`
      : /only SELECT/i.test(message) ? 'holds a statement other than SELECT' : `does not parse: ${message}`;
    throw fieldError(field, `exactly one SELECT statement in ${d.name} SQL (this ${why})`, sql);
  }
}
