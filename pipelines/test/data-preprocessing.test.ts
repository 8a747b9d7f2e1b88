// The data pipeline end to end on the embedded default, as a user runs it: `formalize run` of the compiled IR
// against a fresh pipeline root (the warehouse loads the shipped taxi sample), outcomes checked against an
// independent reading of the sample CSV; then a second run that is served entirely from the cache.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/src/main.ts');
const SPEC = join(ROOT, 'pipelines/compiled/data-preprocessing.yaml');
const SAMPLE = join(ROOT, 'packages/common/data/chicago_taxi_trips.csv');
const YEAR = 2014;

interface RunRecord {
  state: string;
  runDir: string;
  tasks: { id: string; state: string; cached?: boolean }[];
  outputs: { parameters: Record<string, unknown>; artifacts: Record<string, { uri: string; metadata: Record<string, unknown> }[]> };
}

function formalizeRun(root: string): RunRecord {
  const r = spawnSync(process.execPath, [CLI, 'run', SPEC, '--pipeline-root', root, '-p', `year=${YEAR}`, '--json'], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`formalize run exited ${r.status}: ${r.stderr}\n${r.stdout.slice(-2000)}`);
  const lines = r.stdout.trim().split('\n');
  const last = JSON.parse(lines.at(-1)!) as { type: string; run: RunRecord };
  expect(last.type).toBe('run-record');
  return last.run;
}

/** Trips of the year that pass the seed's row filters, counted straight from the CSV (no SQL involved). */
async function expectedRows(): Promise<number> {
  const [header, ...rows] = (await readFile(SAMPLE, 'utf8')).trim().split('\n');
  const col = Object.fromEntries(header!.split(',').map((c, i) => [c, i]));
  return rows.map((l) => l.split(',')).filter((f) => {
    const num = (c: string) => (f[col[c]!] === '' ? Number.NaN : Number(f[col[c]!]));
    const coords = ['pickup_latitude', 'pickup_longitude', 'dropoff_latitude', 'dropoff_longitude'].every((c) => f[col[c]!] !== '');
    return coords && num('trip_miles') > 0 && num('trip_seconds') > 0 && num('fare') > 0
      && new Date(num('trip_start_timestamp') * 1000).getUTCFullYear() === YEAR;
  }).length;
}

describe('data-preprocessing pipeline', () => {
  let root: string;
  let first: RunRecord;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'data-pipeline-'));
    first = formalizeRun(root);
  });

  it('runs every task and extracts exactly the trips the seed SQL selects', async () => {
    expect(first.state).toBe('SUCCEEDED');
    expect(first.tasks.map((t) => `${t.id}:${t.state}`).sort()).toEqual([
      'bq-extract:SUCCEEDED', 'dataflow-preprocess:SUCCEEDED', 'tabular-dataset-create:SUCCEEDED', 'tfdv-stats:SUCCEEDED', 'tfdv-validate:SUCCEEDED',
    ]);
    expect(first.outputs.parameters['row_count']).toBe(await expectedRows());
  });

  it('statistics, anomalies and the split agree on the row count', async () => {
    const rows = first.outputs.parameters['row_count'] as number;
    const stats = JSON.parse(await readFile(join(first.outputs.artifacts['statistics']![0]!.uri, 'FeatureStats.json'), 'utf8'));
    expect(Number(stats.datasets[0].numExamples)).toBe(rows);
    // The schema was inferred from these very statistics: validating them against it finds nothing.
    expect(await readFile(join(first.runDir, 'tfdv-validate/anomaly_count'), 'utf8')).toBe('0');
    const split = await Promise.all(['train_rows', 'val_rows', 'test_rows'].map(async (f) => Number(await readFile(join(first.runDir, 'dataflow-preprocess', f), 'utf8'))));
    expect(split.reduce((a, b) => a + b, 0)).toBe(rows);
    expect(split[0]! / rows).toBeGreaterThan(0.75);
    expect(split[0]! / rows).toBeLessThan(0.85);
    const jsonl = join(first.runDir, 'dataflow-preprocess/test_requests');
    const requests = (await Promise.all((await readdir(jsonl)).map((f) => readFile(join(jsonl, f), 'utf8')))).join('').trim().split('\n');
    expect(requests).toHaveLength(split[2]!);
    expect(Object.keys(JSON.parse(requests[0]!))).not.toContain('tip_bin');
  });

  it('registers the dataset over the processed table with the seed metadata keys', async () => {
    const [dataset] = first.outputs.artifacts['dataset']!;
    const metadata = JSON.parse(await readFile(join(dataset!.uri, 'metadata.json'), 'utf8'));
    expect(Object.keys(metadata).sort()).toEqual([
      'categorical_features', 'embedding_features', 'exported_jsonl_prefix', 'label_column', 'numeric_features', 'schema', 'statistics',
      'transform_artifacts_dir', 'transformed_data_prefix',
    ]);
    expect(dataset!.metadata['inputConfig']).toEqual({ bigquerySource: { uri: 'bq://formalize-local.chicago_taxi_trips.taxi_trips' } });
    expect(dataset!.metadata['labels']).toEqual({ user_metadata: 'formalize' });
    expect(metadata.numeric_features).toEqual(['trip_seconds', 'trip_miles', 'euclidean']);
    // 12 months, 24 hours, many grid cells: vocabularies over 10 become embeddings, as the seed decides.
    expect(metadata.embedding_features).toEqual(expect.arrayContaining(['trip_month', 'trip_hour', 'pickup_grid', 'dropoff_grid', 'loc_cross']));
    expect(metadata.categorical_features).toEqual(expect.arrayContaining(['trip_day_of_week', 'payment_type']));
    expect((await readdir(metadata.transformed_data_prefix)).filter((f) => ['train', 'val', 'test'].includes(f)).sort()).toEqual(['test', 'train', 'val']);
    const transform = JSON.parse(await readFile(metadata.transform_artifacts_dir, 'utf8'));
    expect(transform.label.name).toBe('tip_bin');
  });

  it('a second run is served entirely from the cache, with the same outputs', () => {
    const second = formalizeRun(root);
    expect(second.state).toBe('SUCCEEDED');
    expect(second.tasks.every((t) => t.state === 'CACHED')).toBe(true);
    expect(second.outputs.parameters).toEqual(first.outputs.parameters);
    expect(second.outputs.artifacts['dataset']![0]!.uri).toBe(first.outputs.artifacts['dataset']![0]!.uri);
  });
});
