// Seeded synthetic Chicago taxi trips, any number of rows, written straight into the embedded warehouse with the
// public table's columns and types. The model is learned from the shipped sample (synthetic-model.ts); the rows are
// sampled by SQL over a table of row numbers with a counter-based hash (synthetic-sampling.ts, synthetic-sql.ts).
// Why SQL rather than a DuckDB appender fed by a JavaScript PRNG: the work stays inside DuckDB, vectorised and on
// every core, no row passes through JavaScript, memory is bounded by the batch, and it needs nothing beyond the
// Warehouse interface (an appender needs the raw connection); the hash is our own, so the same seed gives the same
// table on any machine and DuckDB version.
import { randomBytes } from 'node:crypto';
import { duckdbDialect as d } from './dialect.ts';
import { PUBLIC_PROJECT, TAXI_COLUMNS, TAXI_TABLE } from './public-data.ts';
import type { TaxiDrift } from './synthetic-drift.ts';
import { applyTaxiDrift, parseTaxiDrift } from './synthetic-drift.ts';
import type { TaxiTripModel } from './synthetic-model.ts';
import { learnTaxiTripModel } from './synthetic-model.ts';
import { generationSql } from './synthetic-sql.ts';
import type { TableRef } from './table-ref.ts';
import { formatTableRef, parseTableRef } from './table-ref.ts';
import type { Warehouse } from './warehouse.ts';
import { WarehouseError } from './warehouse.ts';

export { learnTaxiTripModel, type TaxiTripModel, type Distribution, type LocationRecord, type QuantileTable, type TipModel } from './synthetic-model.ts';
export {
  applyTaxiDrift, parseTaxiDrift, parseTaxiDriftArgs, taxiDriftSchema, TaxiDriftError, DRIFT_MIX_COLUMNS, DRIFT_NUMERIC_COLUMNS, type TaxiDrift,
} from './synthetic-drift.ts';
export { lowbias32, rowDraw, seedKey, streamKey, toUniform } from './synthetic-sampling.ts';

export interface GenerateTaxiTripsOptions {
  /** Destination `project.dataset.table` (replaced if it exists); its project must be open for writing. */
  table: TableRef | string;
  rows: number;
  /** Any safe integer; the same seed (and model, drift) gives the same table. */
  seed: number;
  drift?: TaxiDrift;
  /** Table to learn from (default: the public sample `bigquery-public-data.chicago_taxi_trips.taxi_trips`). */
  source?: TableRef | string;
  /** Rows per INSERT (default 1,048,576): the unit of progress and of memory. */
  batchRows?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateTaxiTripsResult {
  table: TableRef;
  rows: number;
  /** The model sampled from, drift applied. */
  model: TaxiTripModel;
  durationMs: number;
}

/** Row numbers are 32-bit in the hash. */
export const MAX_SYNTHETIC_ROWS = 2 ** 32 - 1;

export async function generateTaxiTrips(wh: Warehouse, opts: GenerateTaxiTripsOptions): Promise<GenerateTaxiTripsResult> {
  const started = Date.now();
  if (wh.kind !== 'duckdb') throw new WarehouseError(`generateTaxiTrips: runs in the embedded DuckDB warehouse, not in ${wh.kind}`);
  const table = typeof opts.table === 'string' ? parseTableRef(opts.table, 'table') : opts.table;
  const source = opts.source === undefined ? TAXI_TABLE : typeof opts.source === 'string' ? parseTableRef(opts.source, 'source') : opts.source;
  const { rows, seed } = opts;
  if (!Number.isSafeInteger(rows) || rows < 1 || rows > MAX_SYNTHETIC_ROWS) throw new RangeError(`rows: expected an integer from 1 to ${MAX_SYNTHETIC_ROWS}, received ${rows}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: expected a safe integer, received ${seed}`);
  const batch = opts.batchRows ?? 1 << 20;
  if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError(`batchRows: expected a positive integer, received ${batch}`);
  if (table.projectId === PUBLIC_PROJECT) throw new WarehouseError(`table: ${formatTableRef(table)} is in the read-only public project "${PUBLIC_PROJECT}"; write to a project of your own`);
  await requireWritable(wh, table.projectId);
  const drift = parseTaxiDrift(opts.drift);

  const model = applyTaxiDrift(await learnTaxiTripModel(wh, source), drift);
  const gen = generationSql(model, drift, seed);
  const suffix = randomBytes(6).toString('hex');
  const modelTable = d.ident(`formalize_synthetic_model_${suffix}`);
  // range() is a single-threaded source in DuckDB: the row numbers of a batch come from a table, which DuckDB
  // scans in parallel, so generation uses every core.
  const idsTable = d.ident(`formalize_synthetic_ids_${suffix}`);
  const tmp: TableRef = { ...table, tableId: `${table.tableId}__formalize_tmp_${suffix}` };
  const columns = TAXI_COLUMNS.map(([name, type]) => `${d.ident(name)} ${type}`).join(', ');
  await wh.execute(`CREATE SCHEMA IF NOT EXISTS ${d.ident(table.projectId)}.${d.ident(table.datasetId)}`);
  await wh.execute(`CREATE TEMP TABLE ${modelTable} AS ${gen.modelSelect}`);
  await wh.execute(`CREATE TEMP TABLE ${idsTable} AS SELECT range AS i FROM range(${Math.min(batch, rows)})`);
  try {
    await wh.execute(`CREATE TABLE ${d.table(tmp)} (${columns})`);
    opts.onProgress?.(0, rows);
    for (let start = 0; start < rows; start += batch) {
      const end = Math.min(rows, start + batch);
      await wh.execute(`INSERT INTO ${d.table(tmp)} ${gen.rows(modelTable, `SELECT i + ${start} AS i FROM ${idsTable} WHERE i < ${end - start}`)}`);
      opts.onProgress?.(end, rows);
    }
    await swapTable(wh, tmp, table);
  } catch (err) {
    await wh.dropTable(tmp).catch(() => undefined);
    throw err;
  } finally {
    await wh.execute(`DROP TABLE IF EXISTS ${modelTable}; DROP TABLE IF EXISTS ${idsTable}`);
  }
  return { table, rows, model, durationMs: Date.now() - started };
}

async function requireWritable(wh: Warehouse, project: string): Promise<void> {
  const [db] = await wh.query('SELECT readonly FROM duckdb_databases() WHERE database_name = $p', { p: project });
  if (!db || db['readonly'] === true) {
    throw new WarehouseError(`table: project "${project}" is not open for writing (open the warehouse with writeProjects: ["${project}"])`);
  }
}

/** Replaces `dest` by `tmp` in one transaction: readers see the old table or the complete new one. */
async function swapTable(wh: Warehouse, tmp: TableRef, dest: TableRef): Promise<void> {
  try {
    await wh.execute(`BEGIN TRANSACTION; DROP TABLE IF EXISTS ${d.table(dest)}; ALTER TABLE ${d.table(tmp)} RENAME TO ${d.ident(dest.tableId)}; COMMIT`);
  } catch (err) {
    await wh.execute('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
