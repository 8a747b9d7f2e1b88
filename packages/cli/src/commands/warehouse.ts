// `formalize warehouse generate|tables`: seeded synthetic Chicago taxi trips into the embedded warehouse (any size,
// with drift), and the warehouse's tables with their row counts. The warehouse is `--warehouse`, else
// FORMALIZE_WAREHOUSE, else `<pipeline root>/warehouse`, the folder the local runner gives its tasks.
// The warehouse module (and DuckDB) is imported when a subcommand runs, so `--help` stays fast.
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { EXIT, UsageError } from '../errors.ts';
import { colorsFor, formatDuration, table } from '../format.ts';
import { localPipelineRoot } from '../paths.ts';

export interface WarehouseLocation {
  warehouse?: string;
  pipelineRoot?: string;
}

export interface GenerateOptions extends WarehouseLocation {
  table: string;
  rows: number;
  seed: number;
  drift: string[];
  json: boolean;
}

export interface TablesOptions extends WarehouseLocation {
  json: boolean;
}

/** The warehouse folder: --warehouse, FORMALIZE_WAREHOUSE, or <pipeline root>/warehouse. */
export function warehouseDir(o: WarehouseLocation, env: NodeJS.ProcessEnv = process.env): string {
  if (o.warehouse) return resolve(o.warehouse);
  if (env['FORMALIZE_WAREHOUSE']) return resolve(env['FORMALIZE_WAREHOUSE']);
  return join(localPipelineRoot(o.pipelineRoot), 'warehouse');
}

const count = (n: number) => n.toLocaleString('en-US');

export async function generateCommand(o: GenerateOptions): Promise<number> {
  const w = await import('@formalize/common/warehouse');
  let ref;
  let drift;
  try {
    ref = w.parseTableRef(o.table, '--table');
    drift = w.parseTaxiDriftArgs(o.drift);
  } catch (err) {
    if (err instanceof w.InvalidTableRefError || err instanceof w.TaxiDriftError) throw new UsageError(err.message);
    throw err;
  }
  if (ref.projectId === w.PUBLIC_PROJECT) throw new UsageError(`--table ${o.table}: ${w.PUBLIC_PROJECT} is the read-only public project; write to a project of your own`);
  const dir = warehouseDir(o);
  const wh = await w.DuckdbWarehouse.open({ dir, writeProjects: [ref.projectId], onWait: (m) => process.stderr.write(`${m}\n`) });
  const started = Date.now();
  const tty = process.stderr.isTTY === true;
  const progress = (done: number, total: number) => {
    const line = `generating ${w.formatTableRef(ref)}: ${count(done)}/${count(total)} rows (${Math.floor((done / total) * 100)}%) ${formatDuration(Date.now() - started)}`;
    process.stderr.write(tty ? `\r${line}\x1b[K${done === total ? '\n' : ''}` : `${line}\n`);
  };
  let result;
  try {
    result = await w.generateTaxiTrips(wh, { table: ref, rows: o.rows, seed: o.seed, drift, onProgress: progress });
  } finally {
    await wh.close();
  }
  const seconds = result.durationMs / 1000;
  const summary = { table: w.formatTableRef(ref), warehouse: dir, rows: result.rows, seed: o.seed, drift, durationMs: result.durationMs, rowsPerSecond: Math.round(result.rows / seconds) };
  if (o.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else process.stdout.write(`wrote ${count(result.rows)} rows to ${summary.table} in ${formatDuration(result.durationMs)} (${count(summary.rowsPerSecond)} rows/s; warehouse ${dir})\n`);
  return EXIT.ok;
}

export async function tablesCommand(o: TablesOptions): Promise<number> {
  const w = await import('@formalize/common/warehouse');
  const dir = warehouseDir(o);
  const wh = await w.DuckdbWarehouse.open({ dir });
  const rows: { table: string; rows: number; columns: number }[] = [];
  try {
    const tables = await wh.query(`SELECT table_catalog AS p, table_schema AS d, table_name AS t, count(*) AS columns
      FROM information_schema.columns WHERE table_catalog NOT IN ('system', 'temp', 'memory') GROUP BY ALL ORDER BY ALL`);
    for (const t of tables) {
      const ref = { projectId: String(t['p']), datasetId: String(t['d']), tableId: String(t['t']) };
      const [n] = await wh.query(`SELECT count(*) AS n FROM ${wh.dialect.table(ref)}`);
      rows.push({ table: w.formatTableRef(ref), rows: Number(n!['n']), columns: Number(t['columns']) });
    }
  } finally {
    await wh.close();
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ warehouse: dir, tables: rows })}\n`);
    return EXIT.ok;
  }
  const c = colorsFor(process.stdout);
  process.stdout.write(`${table(['TABLE', 'ROWS', 'COLUMNS'], rows.map((r) => [r.table, count(r.rows), String(r.columns)]), c)}\n`);
  return EXIT.ok;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected an integer >= 1, received '${value}'`);
  return n;
};
const integer = (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer, received '${value}'`);
  return n;
};
const location = (cmd: Command) => cmd
  .addOption(new Option('--warehouse <dir>', 'warehouse folder (default: $FORMALIZE_WAREHOUSE, else <pipeline root>/warehouse)'))
  .addOption(new Option('--pipeline-root <dir|gs://...>', 'pipeline root whose warehouse to use (default: .formalize)'));

/** Adds `warehouse generate` and `warehouse tables` to `program`; each action reports its exit code to `setExitCode`. */
export function registerWarehouseCommand(program: Command, setExitCode: (code: number) => void): Command {
  const wh = program.command('warehouse').description('the embedded warehouse (DuckDB standing in for BigQuery): synthetic data, tables');
  location(wh.command('generate')
    .description('write seeded synthetic Chicago taxi trips, learned from the public sample, with optional drift')
    .requiredOption('--table <project.dataset.table>', 'destination table (replaced if it exists)')
    .requiredOption('--rows <n>', 'number of trips', positiveInt)
    .requiredOption('--seed <s>', 'seed: the same seed gives the same table', integer)
    .option('--drift <knob=value>', 'drift (repeatable): year=2020, scale.trip_miles=1.3, shift.fare=2, missing.company=0.1, mix.payment_type.Mobile=0.2', collect)
    .option('--json', 'print the result as JSON'))
    .action(async (o: Omit<GenerateOptions, 'drift' | 'json'> & { drift?: string[]; json?: boolean }) => {
      setExitCode(await generateCommand({ ...o, drift: o.drift ?? [], json: o.json === true }));
    });
  location(wh.command('tables')
    .description('list the warehouse\'s tables with their row counts')
    .option('--json', 'machine-readable output'))
    .action(async (o: Omit<TablesOptions, 'json'> & { json?: boolean }) => {
      setExitCode(await tablesCommand({ ...o, json: o.json === true }));
    });
  return wh;
}
