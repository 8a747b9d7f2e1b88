// tabular-dataset-create end to end: through the executor protocol (outputs and metadata.json), and through the
// local runner, whose ML Metadata store then answers the seed's find_dataset(display_name, label).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromContract, pipeline } from '@formalize/dsl';
import { findArtifacts, METADATA_FILE_NAME, openSqliteStore } from '@formalize/common/metadata';
import { createProcessLauncher, runPipeline } from '@formalize/runner';
import { datasetGet, datasetMetadataSchema, extract, tabularDatasetCreate } from '../src/components.ts';
import type { ArtifactIn, Workdir } from './helpers.ts';
import { executorInput, extract as runExtract, launch, workdir } from './helpers.ts';

const PUBLIC = 'bq://bigquery-public-data.chicago_taxi_trips.taxi_trips';

/** Runs tabular-dataset-create with the given parameters and artifacts. */
function createDataset(w: Workdir, task: string, parameters: Record<string, unknown>, artifacts: Record<string, ArtifactIn>) {
  return launch(w, 'tabular-dataset-create', task, executorInput(w, task, {
    parameters: { project: 'my-project', label_column: 'tip_bin', display_name: 'Chicago Taxi 20261201', ...parameters },
    artifacts,
    outputArtifacts: { dataset: 'google.VertexDataset' },
  }));
}

describe('tabular-dataset-create through the executor protocol', () => {
  let w: Workdir;
  let table: ArtifactIn;
  let upstream: Record<string, ArtifactIn>;
  beforeAll(async () => {
    w = await workdir();
    const r = runExtract(w, 'extract', { bq_table: PUBLIC, year: 2014, limit: 2000 });
    expect(r.code).toBe(0);
    const a = r.output!.artifacts!['destination_table']!.artifacts[0]!;
    table = { type: 'google.BQTable', uri: a.uri, metadata: a.metadata };
    // Upstream outputs as tfdv-stats and dataflow-preprocess would leave them: files under the pipeline root.
    const at = async (name: string, type: string, metadata: Record<string, unknown> = {}) => {
      const uri = join(w.dir, 'upstream', name);
      await mkdir(uri, { recursive: true });
      await writeFile(join(uri, 'payload'), name);
      return { type, uri, metadata };
    };
    upstream = {
      statistics: await at('statistics', 'system.Artifact'),
      schema: await at('schema', 'system.Artifact', { numeric_features: ['trip_seconds', 'trip_miles', 'euclidean'] }),
      transform: await at('transform', 'system.Artifact', {
        categorical_features: ['trip_month', 'trip_day', 'trip_day_of_week', 'trip_hour', 'payment_type', 'pickup_grid', 'dropoff_grid', 'loc_cross'],
        embedding_features: ['trip_day', 'loc_cross'],
      }),
      transformed_data: await at('transformed', 'system.Dataset'),
      exported_jsonl: await at('jsonl', 'system.Dataset'),
    };
  });

  it('records the seed\'s metadata from the wired artifacts, in the artifact and in metadata.json', async () => {
    const r = createDataset(w, 'dataset', { labels: { user_metadata: 'my-bucket' } }, { bq_table: table, ...upstream });
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const out = r.output!.artifacts!['dataset']!.artifacts[0]!;
    const seed = {
      label_column: 'tip_bin',
      statistics: upstream['statistics']!.uri,
      schema: upstream['schema']!.uri,
      numeric_features: ['trip_seconds', 'trip_miles', 'euclidean'],
      // Embedded features leave the categorical group, as the seed's transformed_data_analysis moves them.
      categorical_features: ['trip_month', 'trip_day_of_week', 'trip_hour', 'payment_type', 'pickup_grid', 'dropoff_grid'],
      embedding_features: ['trip_day', 'loc_cross'],
      transformed_data_prefix: upstream['transformed_data']!.uri,
      transform_artifacts_dir: upstream['transform']!.uri,
      exported_jsonl_prefix: upstream['exported_jsonl']!.uri,
    };
    expect(out.uri).toBe(join(w.dir, 'dataset', 'dataset'));
    expect(out.metadata).toEqual({
      resourceName: expect.stringMatching(/^projects\/my-project\/locations\/local\/datasets\/\d{1,19}$/),
      displayName: 'Chicago Taxi 20261201',
      labels: { user_metadata: 'my-bucket' },
      metadataSchemaUri: 'gs://google-cloud-aiplatform/schema/dataset/metadata/tabular_1.0.0.yaml',
      inputConfig: { bigquerySource: { uri: 'bq://my-project.chicago_taxi_trips.taxi_trips' } },
      ...seed,
    });
    const file = JSON.parse(await readFile(join(out.uri, 'metadata.json'), 'utf8'));
    expect(datasetMetadataSchema.parse(file)).toEqual(seed);
  });

  it('names the dataset from its inputs: the same inputs the same id, other inputs another', () => {
    const name = (task: string, display: string) =>
      createDataset(w, task, { display_name: display }, { bq_table: table }).output!.artifacts!['dataset']!.artifacts[0]!.metadata['resourceName'];
    expect(name('again-1', 'Chicago Taxi A')).toBe(name('again-2', 'Chicago Taxi A'));
    expect(name('again-3', 'Chicago Taxi B')).not.toBe(name('again-1', 'Chicago Taxi A'));
  });

  it('without upstream artifacts, types the features from the table as the seed\'s data_analysis does', () => {
    const r = createDataset(w, 'bare', {}, { bq_table: table });
    expect(r.output!.artifacts!['dataset']!.artifacts[0]!.metadata).toMatchObject({
      numeric_features: ['trip_seconds', 'trip_miles', 'euclidean'],
      categorical_features: ['trip_month', 'trip_day', 'trip_day_of_week', 'trip_hour', 'payment_type', 'pickup_grid', 'dropoff_grid', 'loc_cross'],
      embedding_features: [], statistics: null, schema: null, transform_artifacts_dir: null, labels: {},
    });
  });

  it.each([
    ['a label column not in the table', { label_column: 'tip' }, {}, /^error: inputs\.parameterValues\.label_column: a column of my-project\.chicago_taxi_trips\.taxi_trips \(trip_month, .*\), received "tip"$/],
    ['a label key Vertex refuses', { labels: { 'User Metadata': 'x' } }, {}, /^error: inputs\.parameterValues\.labels\["User Metadata"\]: label key: 1-63 lowercase letters/],
    ['a label value Vertex refuses', { labels: { user_metadata: 'my.bucket' } }, {}, /^error: inputs\.parameterValues\.labels\.user_metadata: label value: 0-63 lowercase letters, digits, _ or -, received "my\.bucket"$/],
    ['an unknown feature', { numeric_features: ['fare'] }, {}, /^error: inputs\.parameterValues\.numeric_features\[0\]: a column of my-project\.chicago_taxi_trips\.taxi_trips, received "fare"$/],
    ['the label as a feature', { categorical_features: ['tip_bin'] }, {}, /^error: inputs\.parameterValues\.categorical_features\[0\]: a feature, not the label column, received "tip_bin"$/],
    ['a feature in two groups', { numeric_features: ['trip_hour'], categorical_features: ['trip_hour'] }, {}, /^error: inputs\.parameterValues\.numeric_features: features in one group only, received \["trip_hour"\]$/],
    ['bad upstream metadata', {}, { transform: { type: 'system.Artifact', uri: '/tmp/t', metadata: { embedding_features: 'loc_cross' } } },
      /^error: inputs\.artifacts\.transform\.metadata\.embedding_features: a list of column names, received "loc_cross"$/],
    ['a table not in the warehouse', {}, { bq_table: { type: 'google.BQTable', uri: 'x', metadata: { projectId: 'my-project', datasetId: 'nowhere', tableId: 't' } } },
      /^error: inputs\.artifacts\.bq_table: a table that exists in the warehouse, received "my-project\.nowhere\.t"$/],
    ['the public table (the seed\'s bug)', {}, { bq_table: { type: 'google.BQTable', uri: 'https://www.googleapis.com/bigquery/v2/projects/bigquery-public-data/datasets/chicago_taxi_trips/tables/taxi_trips' } },
      /^error: inputs\.artifacts\.bq_table: the processed table of your project, not the public source \(the seed passed the public table: a bug\), received "bigquery-public-data\.chicago_taxi_trips\.taxi_trips"$/],
    ['a table artifact naming no table', {}, { bq_table: { type: 'google.BQTable', uri: 'gs://bucket/x' } }, /^error: inputs\.artifacts\.bq_table: a google\.BQTable artifact with metadata projectId, datasetId, tableId/],
  ])('%s fails naming the field and the value, writing nothing', (_, parameters, artifacts, message) => {
    const r = createDataset(w, 'bad', parameters, { bq_table: table, ...artifacts });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(message);
    expect(r.output).toBeUndefined();
  });
});

describe('through the local runner: what a later find_dataset(display_name, label) needs', () => {
  it('records the dataset in ML Metadata, findable by type, display name, label and BigQuery source', async () => {
    const w = await workdir();
    const extractOp = fromContract(extract);
    const datasetOp = fromContract(tabularDatasetCreate);
    const p = pipeline({ name: 'data-preprocessing' }, () => {
      const bq = extractOp({ bq_table: PUBLIC, year: 2015, limit: 1000 });
      datasetOp({ bq_table: bq.outputs.destination_table, display_name: 'Chicago Taxi 20261201', labels: { user_metadata: 'my-bucket' }, label_column: 'tip_bin' });
    });
    const run = await runPipeline(p.compile(), {
      pipelineRoot: w.dir, launchers: [createProcessLauncher({ workspaceRoot: resolve(import.meta.dirname, '../../..') })], parallelism: 1,
      env: { GOOGLE_CLOUD_PROJECT: 'my-project' },
    });
    expect(run.tasks.map((t) => [t.id, t.state, t.error])).toEqual([['bq-extract', 'SUCCEEDED', undefined], ['tabular-dataset-create', 'SUCCEEDED', undefined]]);

    // The seed's find_dataset: datasets whose display name starts with the prefix, with a BigQuery source and the
    // label, newest first; its metadata from the file the label's dataset points at.
    const store = await openSqliteStore(join(w.dir, METADATA_FILE_NAME));
    try {
      const found = (await findArtifacts(store, { type: 'google.VertexDataset', metadata: {} }))
        .filter((a) => String(a.metadata['displayName']).startsWith('Chicago Taxi')
          && (a.metadata['labels'] as Record<string, string> | undefined)?.['user_metadata'] !== undefined
          && (a.metadata['inputConfig'] as { bigquerySource?: { uri?: string } } | undefined)?.bigquerySource?.uri !== undefined);
      expect(found).toHaveLength(1);
      const dataset = found[0]!;
      expect(dataset.metadata['resourceName']).toMatch(/^projects\/my-project\/locations\/local\/datasets\/\d+$/);
      expect(dataset.metadata['inputConfig']).toEqual({ bigquerySource: { uri: 'bq://my-project.chicago_taxi_trips.taxi_trips' } });
      const seed = datasetMetadataSchema.parse(JSON.parse(await readFile(join(dataset.uri, 'metadata.json'), 'utf8')));
      expect(seed).toMatchObject({ label_column: 'tip_bin', numeric_features: ['trip_seconds', 'trip_miles', 'euclidean'] });
      // Queryable by metadata too, as ML Metadata filters do (top-level keys).
      expect((await findArtifacts(store, { type: 'google.VertexDataset', metadata: { label_column: 'tip_bin', displayName: 'Chicago Taxi 20261201' } })).map((a) => a.id)).toEqual([dataset.id]);
    } finally {
      await store.close();
    }

    // dataset-get: a later pipeline starts from that dataset by display name prefix and label.
    const getOp = fromContract(datasetGet);
    const launchers = [createProcessLauncher({ workspaceRoot: resolve(import.meta.dirname, '../../..') })];
    const found = await runPipeline(pipeline({ name: 'uses-dataset', inputs: {} }, () => {
      const g = getOp({ display_name: 'Chicago Taxi', labels: { user_metadata: 'my-bucket' } }).setCaching(false);
      return { dataset: g.outputs.dataset, resource_name: g.outputs.resource_name };
    }).compile(), { pipelineRoot: w.dir, launchers, parallelism: 1 });
    expect(found.state).toBe('SUCCEEDED');
    const [got] = found.outputs.artifacts['dataset']!;
    const created = run.tasks.find((t) => t.id === 'tabular-dataset-create')!.outputs!.artifacts['dataset']![0]!;
    expect(got!.uri).toBe(created.uri);
    expect(got!.metadata).toEqual(created.metadata);
    expect(found.outputs.parameters['resource_name']).toBe(created.metadata['resourceName']);

    // No such dataset (wrong label): the task fails naming the input and listing what is registered.
    const missing = await runPipeline(pipeline({ name: 'uses-dataset', inputs: {} }, () => {
      getOp({ display_name: 'Chicago Taxi', labels: { user_metadata: 'other-bucket' } }).setCaching(false);
    }).compile(), { pipelineRoot: w.dir, launchers, parallelism: 1 });
    expect(missing.state).toBe('FAILED');
    expect(missing.tasks[0]!.error).toMatch(/inputs\.parameterValues\.display_name: the display name \(prefix\) of a registered dataset with labels \{"user_metadata":"other-bucket"\} \(registered: Chicago Taxi 20261201\), received "Chicago Taxi"/);
  });
});
