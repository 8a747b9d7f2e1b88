// The public BigQuery table the seed pipelines read, played locally by the shipped Chicago taxi sample
// (data/chicago_taxi_trips.csv, see data/SOURCES.md) with the public table's column names and types.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lazy } from '../runtime/lazy.ts';
import { duckdbDialect as d } from './dialect.ts';

const duckdb = lazy(() => import('@duckdb/node-api'));

export const PUBLIC_PROJECT = 'bigquery-public-data';
export const TAXI_TABLE = { projectId: PUBLIC_PROJECT, datasetId: 'chicago_taxi_trips', tableId: 'taxi_trips' } as const;

/** Same place under src/ and dist/: two levels below the package root. */
export const TAXI_SAMPLE_CSV = fileURLToPath(new URL('../../data/chicago_taxi_trips.csv', import.meta.url));

// Column order and types of `bigquery-public-data.chicago_taxi_trips.taxi_trips`, for the columns the sample has.
export const TAXI_COLUMNS = [
  ['trip_start_timestamp', 'TIMESTAMP', 'make_timestamp(trip_start_timestamp * 1000000)'],
  ['trip_seconds', 'BIGINT'],
  ['trip_miles', 'DOUBLE'],
  ['pickup_census_tract', 'BIGINT'],
  ['dropoff_census_tract', 'BIGINT'],
  ['pickup_community_area', 'BIGINT'],
  ['dropoff_community_area', 'BIGINT'],
  ['fare', 'DOUBLE'],
  ['tips', 'DOUBLE'],
  ['payment_type', 'VARCHAR'],
  ['company', 'VARCHAR'],
  ['pickup_latitude', 'DOUBLE'],
  ['pickup_longitude', 'DOUBLE'],
  ['dropoff_latitude', 'DOUBLE'],
  ['dropoff_longitude', 'DOUBLE'],
] as const satisfies readonly (readonly [string, string, string?])[];

/** Creates `<dir>/bigquery-public-data.duckdb` from the sample, atomically (a racing process's copy is kept). */
export async function loadPublicData(dir: string): Promise<void> {
  const target = join(dir, `${PUBLIC_PROJECT}.duckdb`);
  const scratch = join(dir, `.${PUBLIC_PROJECT}.${process.pid}-${randomBytes(4).toString('hex')}.duckdb`);
  const { DuckDBInstance } = await duckdb();
  const instance = await DuckDBInstance.create(scratch, { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  try {
    const conn = await instance.connect();
    const select = TAXI_COLUMNS.map(([name, type, expr]) => `CAST(${expr ?? d.ident(name)} AS ${type}) AS ${d.ident(name)}`).join(', ');
    await conn.run(`CREATE SCHEMA ${d.ident(TAXI_TABLE.datasetId)}`);
    await conn.run(`CREATE TABLE ${d.ident(TAXI_TABLE.datasetId)}.${d.ident(TAXI_TABLE.tableId)} AS
      SELECT ${select} FROM read_csv(${d.literal(TAXI_SAMPLE_CSV)}, header = true, auto_detect = true)`);
    await conn.run('CHECKPOINT');
    conn.closeSync();
  } finally {
    instance.closeSync();
  }
  // The file is named after its catalog: attached as "<file name>", its tables live in that catalog.
  if (existsSync(target)) await rm(scratch, { force: true });
  else await rename(scratch, target);
  await rm(`${scratch}.wal`, { force: true });
}
