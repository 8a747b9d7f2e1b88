// Writes a query's rows to a table with no partial result ever visible: the rows go to a temporary table next to
// the destination, which replaces the destination only when it is complete and not empty; on any failure the
// temporary table is dropped and an existing destination stays as it was.
import { randomBytes } from 'node:crypto';
import type { QueryParams, TableRef, Warehouse } from '@formalize/common/warehouse';
import type { ExtractDialect } from './dialect.ts';

export const TMP_MARKER = '__formalize_tmp_';

/** Returns the row count; `emptyError` makes the error thrown (with nothing written) when there are no rows. */
export async function materialize(
  wh: Warehouse, d: ExtractDialect, dest: TableRef, query: { sql: string; params?: QueryParams }, emptyError: () => Promise<Error>,
): Promise<number> {
  const tmp: TableRef = { ...dest, tableId: `${dest.tableId}${TMP_MARKER}${randomBytes(6).toString('hex')}` };
  try {
    const rows = await wh.createTableAs(tmp, query.sql, query.params);
    if (rows === 0) throw await emptyError();
    try {
      await wh.execute(d.replaceTableScript(tmp, dest));
    } catch (err) {
      // DuckDB keeps a failed transaction open until told otherwise; elsewhere there is nothing to roll back.
      await wh.execute('ROLLBACK').catch(() => undefined);
      throw err;
    }
    return rows;
  } catch (err) {
    await wh.dropTable(tmp).catch(() => undefined);
    throw err;
  }
}
