// End to end through the executor protocol on a temp warehouse holding the seed's feature table built from the
// public sample: the split, the z-score constants and the vocabularies against independent computations here,
// every Parquet row against applyTransform of its raw row (no skew), the JSON Lines requests, the metadata.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ShardRow, SplitName, TransformArtifact } from '@formalize/common/transform';
import { SPLIT_NAMES, applyTransform, assignSplit, listShards, makeSplitDefinition, readTransformArtifact, readTransformedRows } from '@formalize/common/transform';
import type { Row } from '@formalize/common/warehouse';
import { DuckdbWarehouse, duckdbDialect as d, parseTableRef } from '@formalize/common/warehouse';
import {
  CATEGORICAL, DEFAULT_INPUTS, FEATURES_TABLE, LABEL, NUMERIC, PROJECT, executorInput, launch, makeWarehouse, outputPath,
} from './helpers.ts';
import type { Launch } from './helpers.ts';

const SHUFFLED_TABLE = `${PROJECT}.chicago_taxi_trips.features_shuffled`;
let warehouse: string;
let dir: string;
let run: Launch;
let raw: Row[];
let artifact: TransformArtifact;

async function collect(it: AsyncIterable<ShardRow>): Promise<ShardRow[]> {
  const rows: ShardRow[] = [];
  for await (const r of it) rows.push(r);
  return rows;
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, any>;

beforeAll(async () => {
  warehouse = await makeWarehouse({
    [SHUFFLED_TABLE]: `SELECT * FROM ${d.table(parseTableRef(FEATURES_TABLE))} ORDER BY md5(CAST(euclidean AS VARCHAR) || loc_cross) DESC`,
  });
  dir = await mkdtemp(join(tmpdir(), 'preprocess-'));
  run = launch(dir, warehouse, executorInput(dir, { ...DEFAULT_INPUTS, rows_per_shard: 500 }));
  const wh = await DuckdbWarehouse.open({ dir: warehouse });
  try {
    raw = await wh.query(`SELECT * FROM ${d.table(parseTableRef(FEATURES_TABLE))}`);
  } finally {
    await wh.close();
  }
  if (run.code === 0) artifact = await readTransformArtifact(outputPath(dir, 'transform'));
});

/** The split of each raw row by the TypeScript hash, with the key built here: features and label sorted by name. */
function splitsHere(): Map<SplitName, Row[]> {
  const types: Record<string, 'INT64' | 'FLOAT64' | 'STRING'> = { trip_seconds: 'FLOAT64', trip_miles: 'FLOAT64', euclidean: 'FLOAT64', payment_type: 'STRING', pickup_grid: 'STRING', dropoff_grid: 'STRING', loc_cross: 'STRING' };
  const names = [...NUMERIC, ...CATEGORICAL, LABEL].sort();
  const def = makeSplitDefinition(names.map((name) => ({ name, type: types[name] ?? 'INT64' })));
  expect(artifact.split).toEqual(def);
  const out = new Map<SplitName, Row[]>(SPLIT_NAMES.map((s) => [s, []]));
  for (const r of raw) out.get(assignSplit(def, r))!.push(r);
  return out;
}

describe('dataflow-preprocess end to end', () => {
  it('succeeds, reporting progress and the post-transform feature groups', async () => {
    expect(run.errors).toEqual([]);
    expect(run.code).toBe(0);
    const output = await readJson(join(dir, 'task/executor_output.json'));
    expect(output['parameterValues']).toMatchObject({
      numeric_features: NUMERIC,
      categorical_features: ['trip_day_of_week', 'payment_type'],
      embedding_features: ['trip_month', 'trip_day', 'trip_hour', 'pickup_grid', 'dropoff_grid', 'loc_cross'],
    });
    const { train_rows: train, val_rows: val, test_rows: test } = output['parameterValues'];
    expect(train + val + test).toBe(raw.length);
    expect(await readFile(join(dir, 'kfp/outputs/embedding_features'), 'utf8')).toBe(JSON.stringify(output['parameterValues']['embedding_features']));
    const progress = run.logs.filter((l) => l['message'] === 'progress');
    expect(progress.at(-1)).toMatchObject({ label: 'rows', done: raw.length, total: raw.length });
    expect(run.logs.find((l) => l['message'] === 'transformed')?.['rowsPerSecond']).toBeGreaterThan(0);
  });

  it('splits 80/10/10 (within 1.5 points) exactly as the TypeScript hash does', async () => {
    const here = splitsHere();
    const output = await readJson(join(dir, 'task/executor_output.json'));
    for (const s of SPLIT_NAMES) {
      expect(output['parameterValues'][`${s}_rows`]).toBe(here.get(s)!.length);
      expect(artifact.analysis.rows[s]).toBe(here.get(s)!.length);
    }
    const share = (s: SplitName) => (100 * here.get(s)!.length) / raw.length;
    expect(Math.abs(share('train') - 80)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(share('val') - 10)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(share('test') - 10)).toBeLessThanOrEqual(1.5);
  });

  it('z-score constants: mean and population std of the train split, as computed here', () => {
    const train = splitsHere().get('train')!;
    for (const name of NUMERIC) {
      const xs = train.map((r) => r[name] as number);
      const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length);
      const f = artifact.features.find((g) => g.name === name)!;
      expect(f).toMatchObject({ op: 'z_score', group: 'numeric', type: 'FLOAT64', count: xs.length });
      if (f.op !== 'z_score') throw new Error('unreachable');
      expect(Math.abs(f.mean - mean)).toBeLessThanOrEqual(1e-12 * Math.abs(mean));
      expect(Math.abs(f.std - std)).toBeLessThanOrEqual(1e-12 * std);
    }
  });

  it('vocabularies: train-split counts, most frequent first, ties by the larger byte string; more than 10 -> embedding', () => {
    const train = splitsHere().get('train')!;
    for (const name of CATEGORICAL) {
      const counts = new Map<string, number>();
      for (const r of train) if (r[name] !== null) counts.set(String(r[name]), (counts.get(String(r[name])) ?? 0) + 1);
      const want = [...counts].sort(([a, n], [b, m]) => m - n || Buffer.compare(Buffer.from(b), Buffer.from(a))).map(([t]) => t);
      const f = artifact.features.find((g) => g.name === name)!;
      if (f.op !== 'vocabulary') throw new Error(`${name} is not a vocabulary feature`);
      expect(f.vocabulary).toEqual(want);
      expect(f.group).toBe(want.length > 10 ? 'embedding' : 'categorical');
      expect(artifact.groups.vocabularySizes[name]).toBe(want.length);
    }
    expect(artifact.label).toEqual({ name: LABEL, type: 'INT64' });
  });

  it('no skew: every Parquet row of every split is applyTransform of its raw row, exactly', async () => {
    const here = splitsHere();
    for (const s of SPLIT_NAMES) {
      const rows = await collect(readTransformedRows(outputPath(dir, s)));
      const want = here.get(s)!.map((r) => applyTransform(artifact, r));
      expect(rows).toHaveLength(want.length);
      expect(rows).toEqual(want);
      expect(Object.keys(rows[0]!)).toEqual([...NUMERIC, ...CATEGORICAL, LABEL]);
    }
  });

  it('no skew for serving: applyTransform(each JSON Lines request) is its test row in the Parquet shards, exactly', async () => {
    const test = await collect(readTransformedRows(outputPath(dir, 'test')));
    const files = await listShards(outputPath(dir, 'test_requests'), 'jsonl');
    const lines = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).flatMap((t) => t.split('\n').filter((l) => l !== ''));
    expect(lines).toHaveLength(test.length);
    const served = await readTransformArtifact(outputPath(dir, 'transform'));
    lines.forEach((line, i) => {
      const request = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(request)).toEqual([...NUMERIC, ...CATEGORICAL]);
      const { [LABEL]: label, ...features } = test[i]!;
      expect(label === 0 || label === 1).toBe(true);
      expect(applyTransform(served, request)).toStrictEqual(features);
    });
  });

  it('shards: about rows_per_shard rows each, request shards aligned with test shards, listed in the metadata', async () => {
    const output = await readJson(join(dir, 'task/executor_output.json'));
    const meta = (k: string) => output['artifacts'][k]['artifacts'][0]['metadata'];
    for (const s of SPLIT_NAMES) {
      const files = await readdir(outputPath(dir, s));
      expect(meta(s)).toMatchObject({ split: s, format: 'parquet', rows: artifact.analysis.rows[s], shards: files.sort(), labelColumn: LABEL, transform: 'gs://pipeline-root/run-1/preprocess/transform' });
      expect(meta(s)['schema']).toEqual([...NUMERIC.map((name) => ({ name, type: 'FLOAT64' })), ...CATEGORICAL.map((name) => ({ name, type: 'INT64' })), { name: LABEL, type: 'INT64' }]);
      expect(files.length).toBe(Math.ceil(artifact.analysis.rows[s] / 500));
    }
    const testShards = await listShards(outputPath(dir, 'test'));
    const requestShards = await listShards(outputPath(dir, 'test_requests'), 'jsonl');
    expect(requestShards.length).toBe(testShards.length);
    for (const [i, f] of requestShards.entries()) {
      const lines = (await readFile(f, 'utf8')).split('\n').filter((l) => l !== '').length;
      expect(lines).toBe((await collect(readTransformedRows(outputPath(dir, 'test')))).slice(i * 500, (i + 1) * 500).length);
    }
    expect(meta('test_requests')).toMatchObject({ split: 'test', format: 'jsonl', rows: artifact.analysis.rows.test, excludes: [LABEL] });
    expect(meta('transform')).toMatchObject({
      format: 'formalize.transform', version: 1, source: FEATURES_TABLE, labelColumn: LABEL, numeric_features: NUMERIC,
      transformed_data_prefix: 'gs://pipeline-root/run-1/preprocess', exported_jsonl_prefix: 'gs://pipeline-root/run-1/preprocess/test_requests',
      split: { algorithm: 'md5-key-v1', keyColumns: [...NUMERIC, ...CATEGORICAL, LABEL].sort(), percentages: [80, 10, 10] },
    });
    // Only the outputs: no staging folders left beside them.
    expect((await readdir(join(dir, 'gcs/pipeline-root/run-1/preprocess'))).sort()).toEqual(['test', 'test_requests', 'train', 'transform', 'val']);
  });

  it('the table as a google.BQTable artifact, rows in another order: the same splits and constants', async () => {
    const other = await mkdtemp(join(tmpdir(), 'preprocess-'));
    const [projectId, datasetId, tableId] = SHUFFLED_TABLE.split('.');
    const table = { artifacts: [{ name: 'table', type: { schemaTitle: 'google.BQTable', schemaVersion: '0.0.1' }, uri: `https://www.googleapis.com/bigquery/v2/projects/${projectId}/datasets/${datasetId}/tables/${tableId}`, metadata: { projectId, datasetId, tableId } }] };
    const { bq_table: _, ...inputs } = DEFAULT_INPUTS;
    const r = launch(other, warehouse, executorInput(other, { ...inputs, embedding_threshold: 12 }, { table }));
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const shuffled = await readTransformArtifact(outputPath(other, 'transform'));
    expect(shuffled.source).toBe(SHUFFLED_TABLE);
    // Threshold 12: the 12-entry grids are one-hot now.
    expect(shuffled.groups.categorical).toEqual(['trip_month', 'trip_day_of_week', 'payment_type', 'pickup_grid', 'dropoff_grid']);
    // Summation order differs with row order, so the moments may differ in their last bits; all else is equal.
    const constants = (a: TransformArtifact) => a.features.map((f) => (f.op === 'z_score' ? [f.name, f.mean.toPrecision(12), f.std.toPrecision(12)] : [f.name, f.vocabulary]));
    expect(constants(shuffled)).toEqual(constants(artifact));
    expect({ split: shuffled.split, rows: shuffled.analysis.rows }).toEqual({ split: artifact.split, rows: artifact.analysis.rows });
    const lines = async (base: string) => (await Promise.all((await listShards(outputPath(base, 'test_requests'), 'jsonl')).map((f) => readFile(f, 'utf8'))))
      .flatMap((t) => t.split('\n').filter((l) => l !== '')).sort();
    expect(await lines(other)).toEqual(await lines(dir));
    const rounded = (rows: ShardRow[]) => rows.map((row) => JSON.stringify(Object.values(row).map((v) => (typeof v === 'number' ? Number(v.toPrecision(10)) : v)))).sort();
    for (const s of SPLIT_NAMES) {
      expect(rounded(await collect(readTransformedRows(outputPath(other, s))))).toEqual(rounded(await collect(readTransformedRows(outputPath(dir, s)))));
    }
  });

  it('vocabulary_source: keeps the vocabularies of another transform artifact (a file or a model folder); tokens it lacks map to the OOV index', async () => {
    // The source: payment_type's vocabulary reversed and without its rarest token, everything else as computed.
    const payment = artifact.features.find((f) => f.name === 'payment_type')!;
    if (payment.op !== 'vocabulary') throw new Error('payment_type is not a vocabulary feature');
    const dropped = payment.vocabulary.at(-1)!;
    const kept = payment.vocabulary.slice(0, -1).reverse();
    const source = structuredClone(artifact) as Record<string, any>;
    source['source'] = 'elsewhere.batches.first';
    source['features'] = source['features'].map((f: Record<string, unknown>) => (f['name'] === 'payment_type' ? { ...f, vocabulary: kept } : f));
    source['groups']['vocabularySizes']['payment_type'] = kept.length;
    const sourceDir = await mkdtemp(join(tmpdir(), 'vocabulary-source-'));
    await writeFile(join(sourceDir, 'transform.json'), JSON.stringify(source));
    const asArtifact = (uri: string) => ({ vocabulary_source: { artifacts: [{ name: 'vocabulary_source', type: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' }, uri, metadata: {} }] } });

    for (const uri of [join(sourceDir, 'transform.json'), sourceDir]) {
      const out = await mkdtemp(join(tmpdir(), 'preprocess-kept-'));
      const r = launch(out, warehouse, executorInput(out, DEFAULT_INPUTS, asArtifact(uri)));
      expect(r.errors).toEqual([]);
      expect(r.code).toBe(0);
      const got = await readTransformArtifact(outputPath(out, 'transform'));
      const vocabulary = (a: TransformArtifact, name: string) => a.features.find((f) => f.name === name && f.op === 'vocabulary') as { vocabulary: string[] } | undefined;
      expect(vocabulary(got, 'payment_type')!.vocabulary).toEqual(kept);
      for (const name of CATEGORICAL) expect(vocabulary(got, name)!.vocabulary).toEqual(name === 'payment_type' ? kept : vocabulary(artifact, name)!.vocabulary);
      // The z-score constants and the split are still this table's.
      expect(got.features.filter((f) => f.op === 'z_score')).toEqual(artifact.features.filter((f) => f.op === 'z_score'));
      expect(got.source).toBe(FEATURES_TABLE);
      expect(r.logs.find((l) => l['message'] === 'analyzed')).toMatchObject({ vocabularySource: uri, unseenTokens: { payment_type: 1, loc_cross: 0 } });
      const executorOutput = JSON.parse(await readFile(join(out, 'task/executor_output.json'), 'utf8')) as { artifacts: Record<string, { artifacts: { metadata: Record<string, unknown> }[] }> };
      expect(executorOutput.artifacts['transform']!.artifacts[0]!.metadata).toMatchObject({ vocabulary_source: uri, unseen_tokens: { payment_type: 1 }, vocabularySizes: { payment_type: kept.length } });
      // A train row with the dropped token has the OOV index; the others their index in the kept vocabulary.
      const rows = await collect(readTransformedRows(outputPath(out, 'train')));
      const train = splitsHere().get('train')!;
      expect(rows).toHaveLength(train.length);
      expect(rows).toEqual(train.map((r) => applyTransform(got, r)));
      const oov = train.flatMap((r, i) => (r['payment_type'] === dropped ? [Number(rows[i]!['payment_type'])] : []));
      expect(oov.length).toBeGreaterThan(0);
      expect(new Set(oov)).toEqual(new Set([kept.length]));
    }

    // A source without one of the features, or with it of another type: exit 1 naming the input, no outputs.
    const lacking = structuredClone(source);
    lacking['features'] = lacking['features'].filter((f: Record<string, unknown>) => f['name'] !== 'loc_cross');
    lacking['groups']['embedding'] = lacking['groups']['embedding'].filter((n: string) => n !== 'loc_cross');
    delete lacking['groups']['vocabularySizes']['loc_cross'];
    const lackingFile = join(sourceDir, 'lacking.json');
    await writeFile(lackingFile, JSON.stringify(lacking));
    const bad = await mkdtemp(join(tmpdir(), 'preprocess-kept-bad-'));
    const r = launch(bad, warehouse, executorInput(bad, DEFAULT_INPUTS, asArtifact(lackingFile)));
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/^error: inputs\.artifacts\.vocabulary_source: loc_cross is no vocabulary feature of the source transform of elsewhere\.batches\.first \(it has trip_month, .*\), received "loc_cross"$/)]);
    expect(existsSync(join(bad, 'task/executor_output.json'))).toBe(false);
    const missing = launch(bad, warehouse, executorInput(bad, DEFAULT_INPUTS, asArtifact(join(sourceDir, 'nope.json'))));
    expect(missing.code).toBe(1);
    expect(missing.errors[0]).toMatch(/^error: inputs\.artifacts\.vocabulary_source: cannot read .*nope\.json \(ENOENT\)/);
  });
});

describe('bad input: exit 1 naming the field and value, no outputs', () => {
  const ERROR_TABLES = {
    tiny: `SELECT * FROM ${d.table(parseTableRef(FEATURES_TABLE))} LIMIT 3`,
    strings: `SELECT * REPLACE (CASE WHEN trip_day = 3 THEN 'n/a' ELSE CAST(trip_miles AS VARCHAR) END AS trip_miles) FROM ${d.table(parseTableRef(FEATURES_TABLE))}`,
    nulls: `SELECT * REPLACE (CASE WHEN trip_day = 3 THEN NULL ELSE tip_bin END AS tip_bin) FROM ${d.table(parseTableRef(FEATURES_TABLE))}`,
    nans: `SELECT * REPLACE (CASE WHEN trip_day = 3 THEN CAST('NaN' AS DOUBLE) ELSE euclidean END AS euclidean) FROM ${d.table(parseTableRef(FEATURES_TABLE))}`,
  };
  let errorWarehouse: string;
  beforeAll(async () => {
    errorWarehouse = await makeWarehouse(Object.fromEntries(Object.entries(ERROR_TABLES).map(([k, sql]) => [`${PROJECT}.bad.${k}`, sql])));
  });
  const table = (k: string) => `${PROJECT}.bad.${k}`;

  it.each([
    ['a missing table', { bq_table: `${PROJECT}.chicago_taxi_trips.nope` }, [`error: inputs.parameterValues.bq_table: no such table in the warehouse, received "${PROJECT}.chicago_taxi_trips.nope"`]],
    ['an invalid table name', { bq_table: 'no-dots' }, [/^error: inputs\.parameterValues\.bq_table: expected "project\.dataset\.table" \(got "no-dots"\)$/]],
    ['no table at all', { bq_table: undefined }, ['error: inputs.parameterValues.bq_table: expected a table "project.dataset.table" or the table artifact, received nothing']],
    ['a feature not in the table', { numeric_features: ['trip_miles', 'fare'] }, [/^error: inputs\.parameterValues\.numeric_features\[1\]: no such column in test-project\.chicago_taxi_trips\.features \(columns: trip_month, .*, tip_bin\), received "fare"$/]],
    ['a missing label', { label_column: 'tips' }, [/^error: inputs\.parameterValues\.label_column: no such column in test-project\.chicago_taxi_trips\.features \(columns: .*\), received "tips"$/]],
    ['a feature listed twice', { categorical_features: ['payment_type', 'trip_miles'] }, ['error: inputs.parameterValues.categorical_features[1]: already listed as numeric_features[1], received "trip_miles"']],
    ['the label as a feature', { numeric_features: ['tip_bin'] }, ['error: inputs.parameterValues.numeric_features[0]: already listed as label_column, received "tip_bin"']],
    ['a STRING column as numeric', { numeric_features: ['payment_type'], categorical_features: ['trip_hour'] }, ['error: inputs.parameterValues.numeric_features[0]: column payment_type is STRING in test-project.chicago_taxi_trips.features, expected INT64 or FLOAT64 for a numeric feature, received "payment_type" (sample value "Cash")']],
    ['a string in a numeric column', { bq_table: table('strings') }, ['error: inputs.parameterValues.numeric_features[1]: column trip_miles is STRING in test-project.bad.strings, expected INT64 or FLOAT64 for a numeric feature, received "trip_miles" (sample value "n/a")']],
    ['a FLOAT64 column as categorical', { categorical_features: ['trip_hour', 'euclidean'], numeric_features: ['trip_miles'] }, ['error: inputs.parameterValues.categorical_features[1]: column euclidean is FLOAT64 in test-project.chicago_taxi_trips.features, expected INT64 or STRING for a categorical feature, received "euclidean"']],
    ['an unknown split key column', { split_key_columns: ['trip_miles', 'nope'] }, [/^error: inputs\.parameterValues\.split_key_columns\[1\]: no such column in .*, received "nope"$/]],
    ['percentages not summing to 100', { split_percentages: [80, 10, 5] }, ['error: inputs.parameterValues.split_percentages: expected percentages summing to 100, received [80,10,5]']],
    ['an empty split (3 rows)', { bq_table: table('tiny') }, [/^error: inputs\.parameterValues\.bq_table: the (val|test|val and test) splits? (is|are) empty: test-project\.bad\.tiny has 3 rows, split 80\/10\/10 by the hash into train \d, val \d, test \d; every split needs at least one row, received "test-project\.bad\.tiny"$/]],
    ['NULL labels', { bq_table: table('nulls') }, [/^error: inputs\.parameterValues\.label_column: \d+ rows of test-project\.bad\.nulls have a NULL label, received "tip_bin"$/]],
    ['a NaN in a numeric column', { bq_table: table('nans') }, [/^error: inputs\.parameterValues\.numeric_features\[2\]: column euclidean has \d+ non-finite values in test-project\.bad\.nans \(e\.g\. NaN\), received "euclidean"$/]],
  ] as [string, Record<string, unknown>, (string | RegExp)[]][])('%s', async (_, patch, want) => {
    const out = await mkdtemp(join(tmpdir(), 'preprocess-bad-'));
    const r = launch(out, errorWarehouse, executorInput(out, Object.fromEntries(Object.entries({ ...DEFAULT_INPUTS, ...patch }).filter(([, v]) => v !== undefined))));
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(want.length);
    want.forEach((w, i) => (typeof w === 'string' ? expect(r.errors[i]).toBe(w) : expect(r.errors[i]).toMatch(w)));
    // A clean message, not a crash: no stack trace.
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(out, 'task/executor_output.json'))).toBe(false);
    expect(existsSync(join(out, 'kfp/outputs/train_rows'))).toBe(false);
    const root = join(out, 'gcs/pipeline-root/run-1/preprocess');
    expect(existsSync(root) ? await readdir(root) : []).toEqual([]);
  });

  it('both a table name and a table artifact', async () => {
    const out = await mkdtemp(join(tmpdir(), 'preprocess-bad-'));
    const table = { artifacts: [{ name: 'table', type: { schemaTitle: 'google.BQTable' }, uri: 'https://example/t', metadata: { projectId: PROJECT, datasetId: 'bad', tableId: 'tiny' } }] };
    const r = launch(out, errorWarehouse, executorInput(out, DEFAULT_INPUTS, { table }));
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([`error: inputs.parameterValues.bq_table: give either bq_table or the table artifact, not both, received "${FEATURES_TABLE}"`]);
  });
});
