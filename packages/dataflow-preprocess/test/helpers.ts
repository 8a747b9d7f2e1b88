// Test fixtures: a temp warehouse with the seed's feature table built from the shipped public sample (the
// feature SQL of make_chicago_bq_dataset in DuckDB terms, without the year filter and limit), and a launcher
// that drives the component as the KFP launcher does.
import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckdbWarehouse, TAXI_TABLE, duckdbDialect, parseTableRef } from '@formalize/common/warehouse';

export const PKG = resolve(import.meta.dirname, '..');
export const MAIN = join(PKG, 'src/main.ts');
export const PROJECT = 'test-project';
export const FEATURES_TABLE = `${PROJECT}.chicago_taxi_trips.features`;
export const NUMERIC = ['trip_seconds', 'trip_miles', 'euclidean'];
export const CATEGORICAL = ['trip_month', 'trip_day', 'trip_day_of_week', 'trip_hour', 'payment_type', 'pickup_grid', 'dropoff_grid', 'loc_cross'];
export const LABEL = 'tip_bin';

const grid = (lon: string, lat: string) => `'POINT(' || CAST(round(${lon}, 1) AS VARCHAR) || ' ' || CAST(round(${lat}, 1) AS VARCHAR) || ')'`;

/** The seed's feature SQL over the sample: ST_SnapToGrid as rounded text, ST_Distance as the haversine distance. */
export const FEATURE_SQL = `
  SELECT
    CAST(EXTRACT(MONTH FROM trip_start_timestamp) AS BIGINT) AS trip_month,
    CAST(EXTRACT(DAY FROM trip_start_timestamp) AS BIGINT) AS trip_day,
    CAST(EXTRACT(DOW FROM trip_start_timestamp) + 1 AS BIGINT) AS trip_day_of_week,
    CAST(EXTRACT(HOUR FROM trip_start_timestamp) AS BIGINT) AS trip_hour,
    CAST(trip_seconds AS DOUBLE) AS trip_seconds,
    trip_miles,
    payment_type,
    ${grid('pickup_longitude', 'pickup_latitude')} AS pickup_grid,
    ${grid('dropoff_longitude', 'dropoff_latitude')} AS dropoff_grid,
    2 * 6371008.8 * asin(sqrt(pow(sin(radians(dropoff_latitude - pickup_latitude) / 2), 2)
      + cos(radians(pickup_latitude)) * cos(radians(dropoff_latitude)) * pow(sin(radians(dropoff_longitude - pickup_longitude) / 2), 2))) AS euclidean,
    ${grid('pickup_longitude', 'pickup_latitude')} || ${grid('dropoff_longitude', 'dropoff_latitude')} AS loc_cross,
    CAST(CASE WHEN tips / fare >= 0.2 THEN 1 ELSE 0 END AS BIGINT) AS tip_bin
  FROM ${duckdbDialect.table(TAXI_TABLE)}
  WHERE pickup_longitude IS NOT NULL AND pickup_latitude IS NOT NULL AND dropoff_longitude IS NOT NULL AND dropoff_latitude IS NOT NULL
    AND trip_miles > 0 AND trip_seconds > 0 AND fare > 0`;

/** A fresh warehouse folder holding the feature table (and any extra tables: name -> SQL). */
export async function makeWarehouse(extra: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'preprocess-wh-'));
  const wh = await DuckdbWarehouse.open({ dir, writeProjects: [PROJECT] });
  try {
    await wh.createTableAs(parseTableRef(FEATURES_TABLE), FEATURE_SQL);
    for (const [name, sql] of Object.entries(extra)) await wh.createTableAs(parseTableRef(name), sql);
  } finally {
    await wh.close();
  }
  return dir;
}

export interface Launch {
  code: number | null;
  stderr: string;
  errors: string[];
  logs: Record<string, unknown>[];
}

export const OUTPUT_ARTIFACTS = { train: 'system.Dataset', val: 'system.Dataset', test: 'system.Dataset', transform: 'system.Artifact', test_requests: 'system.Dataset' } as const;
export const OUTPUT_PARAMETERS = ['numeric_features', 'categorical_features', 'embedding_features', 'train_rows', 'val_rows', 'test_rows'] as const;

/** ExecutorInput as the KFP launcher writes it, with outputs under gs://pipeline-root/run-1/preprocess/. */
export function executorInput(dir: string, parameterValues: Record<string, unknown>, artifacts: Record<string, unknown> = {}) {
  const root = 'gs://pipeline-root/run-1/preprocess';
  return {
    inputs: { parameterValues, artifacts },
    outputs: {
      artifacts: Object.fromEntries(Object.entries(OUTPUT_ARTIFACTS).map(([k, type]) => [k, { artifacts: [{ name: k, type: { schemaTitle: type, schemaVersion: '0.0.1' }, uri: `${root}/${k}`, metadata: {} }] }])),
      parameters: Object.fromEntries(OUTPUT_PARAMETERS.map((k) => [k, { outputFile: join(dir, 'kfp/outputs', k) }])),
      outputFile: join(dir, 'task/executor_output.json'),
    },
  };
}

/** The local path of an output artifact of `executorInput(dir, ...)`. */
export const outputPath = (dir: string, name: string) => join(dir, 'gcs/pipeline-root/run-1/preprocess', name);

export function launch(dir: string, warehouse: string, ei: unknown, env: Record<string, string> = {}): Launch {
  const r = spawnSync(process.execPath, [MAIN, '--component', 'dataflow-preprocess', '--executor_input', JSON.stringify(ei)], {
    env: { ...process.env, FORMALIZE_GCS_MOUNT: join(dir, 'gcs'), FORMALIZE_WAREHOUSE: warehouse, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = r.stderr.split('\n');
  return {
    code: r.status,
    stderr: r.stderr,
    errors: lines.filter((l) => l.startsWith('error: ')),
    logs: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export const DEFAULT_INPUTS = { bq_table: FEATURES_TABLE, numeric_features: NUMERIC, categorical_features: CATEGORICAL, label_column: LABEL };
