// Drives the components as the KFP launcher does: `node src/main.ts --component <name> --executor_input <json>` in a
// child process, against a warehouse folder of the test's own; reads the warehouse back between runs (closed before
// the next run, which needs the project's write lock).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildExecutorInput, type ExecutorInputArtifact, type ExecutorInputSpec } from '@formalize/common';
import type { Row, Warehouse } from '@formalize/common/warehouse';
import { DuckdbWarehouse, TAXI_SAMPLE_CSV } from '@formalize/common/warehouse';

export const PKG = resolve(import.meta.dirname, '..');
const MAIN = join(PKG, 'src/main.ts');

export interface Workdir {
  dir: string;
  warehouse: string;
}

export async function workdir(): Promise<Workdir> {
  const dir = await mkdtemp(join(tmpdir(), 'bq-extract-'));
  return { dir, warehouse: join(dir, 'warehouse') };
}

export type ArtifactIn = ExecutorInputArtifact;

/** ExecutorInput for `component` with its outputs under `<dir>/<task>/`. */
export function executorInput(w: Workdir, task: string, o: Omit<ExecutorInputSpec, 'outputDir'>) {
  return buildExecutorInput({ ...o, outputDir: join(w.dir, task) });
}

export interface Launch {
  code: number | null;
  stderr: string;
  /** `error: ...` lines. */
  errors: string[];
  /** ExecutorOutput, when written. */
  output: { parameterValues?: Record<string, unknown>; artifacts?: Record<string, { artifacts: { name: string; uri: string; metadata: Record<string, unknown> }[] }> } | undefined;
}

export function launch(w: Workdir, component: string, task: string, ei: unknown, env: Record<string, string> = {}): Launch {
  const r = spawnSync(process.execPath, [MAIN, '--component', component, '--executor_input', JSON.stringify(ei)], {
    env: { ...process.env, FORMALIZE_WAREHOUSE: w.warehouse, ...env },
    encoding: 'utf8',
  });
  const outFile = join(w.dir, task, 'executor_output.json');
  return {
    code: r.status,
    stderr: r.stderr,
    errors: r.stderr.split('\n').filter((l) => l.startsWith('error: ')),
    output: existsSync(outFile) ? JSON.parse(readFileSync(outFile, 'utf8')) : undefined,
  };
}

/** Runs bq-extract with these parameters into task folder `task`. */
export function extract(w: Workdir, task: string, parameters: Record<string, unknown>): Launch {
  return launch(w, 'bq-extract', task, executorInput(w, task, {
    parameters: { project: 'my-project', ...parameters },
    outputArtifacts: { destination_table: 'google.BQTable' },
    outputParameters: ['row_count'],
  }));
}

export async function withWarehouse<T>(w: Workdir, f: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await DuckdbWarehouse.open({ dir: w.warehouse });
  try {
    return await f(wh);
  } finally {
    await wh.close();
  }
}

export async function queryRows(w: Workdir, sql: string): Promise<Row[]> {
  return withWarehouse(w, (wh) => wh.query(sql));
}

/** Every table of the warehouse but the public sample, `project.dataset.table`. */
export async function projectTables(w: Workdir): Promise<string[]> {
  const rows = await queryRows(w, `SELECT table_catalog || '.' || table_schema || '.' || table_name AS t FROM information_schema.tables
    WHERE table_catalog NOT IN ('bigquery-public-data', 'system', 'temp', 'memory') ORDER BY 1`);
  return rows.map((r) => String(r['t']));
}

/** The shipped sample as plain records, parsed here (no quotes or commas inside its fields). */
export interface SampleTrip {
  ts: Date;
  tripSeconds: number | null;
  tripMiles: number | null;
  fare: number | null;
  tips: number | null;
  paymentType: string | null;
  company: string | null;
  pickupLat: number | null;
  pickupLon: number | null;
  dropoffLat: number | null;
  dropoffLon: number | null;
}

export function sampleTrips(): SampleTrip[] {
  const [header, ...lines] = readFileSync(TAXI_SAMPLE_CSV, 'utf8').trim().split('\n');
  const cols = header!.split(',');
  const at = (name: string) => cols.indexOf(name);
  const n = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
  const s = (v: string | undefined) => (v === undefined || v === '' ? null : v);
  return lines.map((line) => {
    const f = line.split(',');
    return {
      ts: new Date(Number(f[at('trip_start_timestamp')]) * 1000),
      tripSeconds: n(f[at('trip_seconds')]), tripMiles: n(f[at('trip_miles')]), fare: n(f[at('fare')]), tips: n(f[at('tips')]),
      paymentType: s(f[at('payment_type')]), company: s(f[at('company')]),
      pickupLat: n(f[at('pickup_latitude')]), pickupLon: n(f[at('pickup_longitude')]),
      dropoffLat: n(f[at('dropoff_latitude')]), dropoffLon: n(f[at('dropoff_longitude')]),
    };
  });
}

/** Haversine distance in metres on a sphere of radius `r`. */
export function haversine(lon1: number, lat1: number, lon2: number, lat2: number, r = 6371010): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * r * Math.asin(Math.sqrt(a));
}
