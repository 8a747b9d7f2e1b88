// The tfdv-stats component end to end, as the KFP launcher drives the container: the entrypoint in a child process
// with an ExecutorInput, the embedded warehouse named by FORMALIZE_WAREHOUSE, outputs checked on disk.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckdbWarehouse, parseTableRef } from '@formalize/common/warehouse';
import { readSchema, readStatistics } from '../src/io/artifacts.ts';
import { loadCsv } from '../src/io/csv-loader.ts';
import { stats } from '../src/components/stats.ts';

const PKG = resolve(import.meta.dirname, '..');
const MAIN = join(PKG, 'test/stats-component-main.ts');
const TAXI = '/work/shared/conformance/tfx-taxi/components/testdata/csv_example_gen/train.csv';

let warehouse: string;
beforeAll(async () => {
  warehouse = await mkdtemp(join(tmpdir(), 'stats-component-wh-'));
  const wh = await DuckdbWarehouse.open({ dir: warehouse, writeProjects: ['my-project'] });
  try {
    await loadCsv(wh, parseTableRef('my-project.taxi.train'), TAXI);
    await wh.createTableAs(parseTableRef('my-project.taxi.empty'), 'SELECT * FROM "my-project"."taxi"."train" WHERE false');
  } finally {
    await wh.close();
  }
});

interface Launch { code: number | null; stderr: string; errors: string[]; dir: string }

function artifactOut(name: string, type: string) {
  return { artifacts: [{ name, type: { schemaTitle: type, schemaVersion: '0.0.1' }, uri: `gs://root/run/tfdv-stats/${name}`, metadata: {} }] };
}

async function launch(parameterValues: Record<string, unknown>, artifacts: Record<string, unknown> = {}): Promise<Launch> {
  const dir = await mkdtemp(join(tmpdir(), 'stats-component-'));
  const ei = {
    inputs: { parameterValues, artifacts },
    outputs: {
      artifacts: { statistics: artifactOut('statistics', 'system.Artifact'), schema: artifactOut('schema', 'system.Artifact'), report: artifactOut('report', 'system.HTML') },
      parameters: { numeric_features: { outputFile: join(dir, 'kfp/numeric_features') }, categorical_features: { outputFile: join(dir, 'kfp/categorical_features') } },
      outputFile: join(dir, 'executor_output.json'),
    },
  };
  const r = spawnSync(process.execPath, [MAIN, '--component', 'tfdv-stats', '--executor_input', JSON.stringify(ei)], {
    env: { ...process.env, FORMALIZE_GCS_MOUNT: join(dir, 'gcs'), FORMALIZE_WAREHOUSE: warehouse },
    encoding: 'utf8',
  });
  return { code: r.status, stderr: r.stderr, errors: r.stderr.split('\n').filter((l) => l.startsWith('error: ')), dir };
}

const out = (dir: string, name: string) => join(dir, 'gcs/root/run/tfdv-stats', name);

describe('tfdv-stats component', () => {
  it('writes statistics, schema, report and the feature groups of a bq_table', async () => {
    const r = await launch({ bq_table: 'my-project.taxi.train', label_column: 'tips', stats_options: { num_top_values: 50 } });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect((await readdir(out(r.dir, 'statistics'))).sort()).toEqual(['FeatureStats.json', 'FeatureStats.pb', 'FeatureStats.pbtxt', 'facets.html']);
    const statistics = await readStatistics(out(r.dir, 'statistics'));
    const ds = statistics.datasets[0]!;
    expect(ds.numExamples).toBe(9909n);
    expect(ds.features).toHaveLength(18);
    const company = ds.features.find((f) => f.fieldId.case === 'path' && f.fieldId.value.step[0] === 'company')!;
    // num_top_values 50 of company's 53 values; the rank histogram keeps all (1000 buckets).
    expect(company.stats.case === 'stringStats' && [company.stats.value.topValues.length, company.stats.value.rankHistogram!.buckets.length]).toEqual([50, 53]);
    const schema = await readSchema(out(r.dir, 'schema'));
    expect(schema.feature.map((f) => f.name).sort()).toEqual(ds.features.map((f) => (f.fieldId.value as { step: string[] }).step[0]).sort());
    expect(await readdir(out(r.dir, 'schema'))).toEqual(['schema.json', 'schema.pbtxt']);
    const html = await readFile(out(r.dir, 'report'), 'utf8');
    expect(html).toContain('<title>Statistics of my-project.taxi.train</title>');

    const output = JSON.parse(await readFile(join(r.dir, 'executor_output.json'), 'utf8'));
    const numeric = ['fare', 'pickup_latitude', 'pickup_longitude', 'dropoff_latitude', 'dropoff_longitude', 'trip_miles'];
    expect([...output.parameterValues.numeric_features].sort()).toEqual(numeric.sort());
    expect(output.parameterValues.categorical_features).toHaveLength(11);
    expect(output.parameterValues.categorical_features).not.toContain('tips');
    expect(output.parameterValues.categorical_features).toContain('payment_type');
    expect(output.artifacts.statistics.artifacts[0].metadata).toMatchObject({
      format: 'tensorflow.metadata.v0.DatasetFeatureStatisticsList', table: 'my-project.taxi.train', num_examples: 9909, num_features: 18, queries: 19, sampled_quantiles: [],
    });
    expect(JSON.parse(await readFile(join(r.dir, 'kfp/numeric_features'), 'utf8'))).toEqual(output.parameterValues.numeric_features);

    // Structured logs with progress per feature, ending at 18/18.
    const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = logs.filter((l) => l['message'] === 'progress' && l['label'] === 'features');
    expect(progress.at(-1)).toMatchObject({ done: 18, total: 18 });
    expect(logs.at(-1)).toMatchObject({ message: 'succeeded' });
  });

  it('reads a google.BQTable artifact and a weight feature', async () => {
    const table = { artifacts: [{ name: 'table', type: { schemaTitle: 'google.BQTable', schemaVersion: '0.0.1' }, uri: 'https://www.googleapis.com/bigquery/v2/projects/my-project/datasets/taxi/tables/train', metadata: { projectId: 'my-project', datasetId: 'taxi', tableId: 'train' } }] };
    const r = await launch({ label_column: 'tips', weight_feature: 'trip_start_month' }, { table });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const ds = (await readStatistics(out(r.dir, 'statistics'))).datasets[0]!;
    expect(ds.weightedNumExamples).toBeGreaterThan(9909);
    const output = JSON.parse(await readFile(join(r.dir, 'executor_output.json'), 'utf8'));
    expect(output.parameterValues.categorical_features).not.toContain('trip_start_month');
  });

  it.each([
    ['a missing table', { bq_table: 'my-project.taxi.nope', label_column: 'tips' }, /^error: inputs\.parameterValues\.bq_table: no such table in the warehouse, received "my-project\.taxi\.nope"$/],
    ['an unknown label', { bq_table: 'my-project.taxi.train', label_column: 'tip_bin' }, /^error: inputs\.parameterValues\.label_column: expected a column of my-project\.taxi\.train \(.*\), received "tip_bin"$/],
    ['an unknown weight', { bq_table: 'my-project.taxi.train', label_column: 'tips', weight_feature: 'w' }, /^error: inputs\.parameterValues\.weight_feature: expected a column of my-project\.taxi\.train .*, received "w"$/],
    ['a string weight', { bq_table: 'my-project.taxi.train', label_column: 'tips', weight_feature: 'company' }, /^error: inputs\.parameterValues\.weight_feature: weightFeature: column "company" is VARCHAR; the weight must be a numeric/],
    ['a weight with NULLs', { bq_table: 'my-project.taxi.train', label_column: 'tips', weight_feature: 'trip_seconds' }, /^error: inputs\.parameterValues\.weight_feature: weightFeature: column "trip_seconds" is NULL in 3 of 9909 rows/],
    ['an empty table', { bq_table: 'my-project.taxi.empty', label_column: 'tips' }, /^error: inputs\.parameterValues\.bq_table: the table my-project\.taxi\.empty has no rows/],
    ['a bad table name', { bq_table: 'taxi.train', label_column: 'tips' }, /^error: inputs\.parameterValues\.bq_table: expected "project\.dataset\.table" \(got "taxi\.train"\)$/],
    ['no table at all', { label_column: 'tips' }, /^error: inputs\.parameterValues\.bq_table: expected a table "project\.dataset\.table" or the table artifact, received nothing$/],
    ['a bad option', { bq_table: 'my-project.taxi.train', label_column: 'tips', stats_options: { num_top_values: -1 } }, /^error: inputs\.parameterValues\.stats_options\.num_top_values: too small: expected number to be >=0, received -1$/],
    ['an unknown option', { bq_table: 'my-project.taxi.train', label_column: 'tips', stats_options: { top_k: 3 } }, /^error: inputs\.parameterValues\.stats_options: unexpected key\(s\) "top_k"/],
    ['an unknown allowlisted feature', { bq_table: 'my-project.taxi.train', label_column: 'tips', stats_options: { feature_allowlist: ['fare', 'fares'] } }, /^error: inputs\.parameterValues\.stats_options: featureAllowlist\[1\]: unknown column "fares"/],
  ])('%s exits 1 naming the input, leaving no outputs', async (_, params, message) => {
    const r = await launch(params);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(message);
    expect(existsSync(join(r.dir, 'executor_output.json'))).toBe(false);
    for (const o of ['statistics', 'schema', 'report']) expect(existsSync(out(r.dir, o)), o).toBe(false);
    expect(existsSync(join(r.dir, 'kfp'))).toBe(false);
  });

  it('loads nothing heavy to start: the contract imports only node builtins, zod and workspace sources', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stats-trace-'));
    const trace = join(dir, 'imports.txt');
    const r = spawnSync(process.execPath, ['--import', join(PKG, 'test/stats-component-trace.ts'), '--input-type=module', '-e', `await import(${JSON.stringify(join(PKG, 'src/components/stats.ts'))})`], {
      env: { ...process.env, TRACE_IMPORTS_FILE: trace }, encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const urls = [...new Set((await readFile(trace, 'utf8')).trim().split('\n'))];
    const repo = resolve(PKG, '../..');
    const foreign = urls.filter((u) => !u.startsWith('node:') && !u.startsWith(`file://${repo}/packages/`) && !/\/node_modules\/zod\//.test(u));
    expect(foreign).toEqual([]);
    expect(urls.some((u) => /duckdb|bufbuild|\/protos?\b|_pb\.ts/.test(u))).toBe(false);
  });

  it('declares its contract: inputs, outputs and their KFP types', () => {
    const ir = stats.toIR();
    expect(Object.keys(ir.inputDefinitions!.parameters!).sort()).toEqual(['bq_table', 'infer_feature_shape', 'label_column', 'stats_options', 'weight_feature']);
    expect(ir.inputDefinitions!.parameters!['stats_options']!.parameterType).toBe('STRUCT');
    expect(ir.inputDefinitions!.artifacts!['table']!.artifactType.schemaTitle).toBe('google.BQTable');
    expect(ir.outputDefinitions!.artifacts!['report']!.artifactType.schemaTitle).toBe('system.HTML');
    expect(ir.outputDefinitions!.parameters!['numeric_features']!.parameterType).toBe('LIST');
    expect(stats.image).toMatch(/\/formalize\/tfdv-stats:\d+\.\d+\.\d+$/);
  });
});
