// Contracts of this package's components. Kept light (zod + @formalize/common + node builtins) because pipelines
// import it for typed wiring and the entrypoint imports it on every container start; the work (and the warehouse)
// is loaded inside run().
import { z } from 'zod';
import { artifact, defineComponent, lazy } from '@formalize/common';
import pkg from '../package.json' with { type: 'json' };
import { filterSchema } from './extract/filters.ts';
import { labelsSchema } from './dataset/labels.ts';

const runExtract = lazy(() => import('./extract/run.ts'));
const runDatasetCreate = lazy(() => import('./dataset/run.ts'));
const runDatasetGet = lazy(() => import('./dataset/get.ts'));

// One image per component, both built from this package; the package version is the component version.
const entrypoint = '/app/packages/bq-extract/dist/main.js';
/** GCPC's default for `project`: the pipeline's Google Cloud project (the local runner: GOOGLE_CLOUD_PROJECT). */
const PIPELINE_PROJECT = '{{$.pipeline_google_cloud_project_id}}';

export const EXTRACT_MODES = ['features', 'columns', 'query'] as const;

export const extractInputs = {
  mode: z.enum(EXTRACT_MODES).default('features').describe(
    '`features`: the seed\'s feature SQL over a Chicago-taxi-shaped table (trip_month, trip_day, trip_day_of_week, trip_hour, trip_seconds, trip_miles, payment_type, pickup_grid, dropoff_grid, euclidean, loc_cross, tip_bin) for one year; '
    + '`columns`: chosen columns and structured row filters of any table; `query`: one hand-written SELECT in the warehouse\'s SQL.'),
  bq_table: z.string().optional().describe('Source table `project.dataset.table` (also `bq://…`); features and columns modes.'),
  project: z.string().default(PIPELINE_PROJECT).describe('Project the table is written to when `destination` is not given.'),
  destination: z.string().optional().describe('Destination table `project.dataset.table` (or `dataset.table` in `project`), replaced if it exists; default `<project>.<source dataset>.<source table>` (the seed\'s copy `<project>.chicago_taxi_trips.taxi_trips`); required in query mode.'),
  year: z.int().optional().describe('Features mode: the year of trip_start_timestamp to extract (required).'),
  limit: z.int().min(1).optional().describe('At most this many rows, a fixed pseudo-random subset: rows ordered by the MD5 of their values, then by the output columns (features and columns modes).'),
  columns: z.array(z.string()).optional().describe('Columns mode: the columns, in order (default: all).'),
  filters: z.array(filterSchema).optional().describe('Columns mode: rows to keep, all must hold: `[{"column": "fare", "op": ">", "value": 0}]`; op is one of =, !=, <, <=, >, >=, IN, NOT IN (value a list), IS NULL, IS NOT NULL (no value).'),
  query: z.string().optional().describe('Query mode: one SELECT in the warehouse\'s own SQL (DuckDB SQL in the embedded warehouse, GoogleSQL on BigQuery); backtick table names `project.dataset.table` are rewritten for the warehouse.'),
};

export const extractOutputs = {
  destination_table: artifact('google.BQTable', { description: 'The table written (uri: its BigQuery REST resource; metadata: projectId, datasetId, tableId).' }),
  row_count: z.int().describe('Rows written.'),
};

export const extract = defineComponent({
  name: 'bq-extract',
  version: pkg.version,
  description: 'Extracts rows into a project table of the warehouse (BigQuery, or the embedded DuckDB warehouse): the seed\'s Chicago taxi feature SQL, chosen columns with row filters, or a hand-written query.',
  entrypoint,
  inputs: extractInputs,
  outputs: extractOutputs,
  async run(ctx) {
    return (await runExtract()).runExtract(ctx);
  },
});

const feature = z.array(z.string().min(1));

export const datasetCreateInputs = {
  bq_table: artifact('google.BQTable', { description: 'The processed table the dataset is made of (bq-extract\'s destination_table), not the public source.' }),
  display_name: z.string().min(1).max(128).describe('Display name of the dataset (Vertex: at most 128 characters).'),
  labels: labelsSchema.default({}).describe('Labels, e.g. {"user_metadata": "<bucket>"} (Vertex rules: at most 64; keys 1-63 lowercase letters, digits, _ or -, starting with a letter; values 0-63 of the same).'),
  project: z.string().default(PIPELINE_PROJECT).describe('Project of the dataset resource.'),
  label_column: z.string().min(1).describe('The label column of the table (the seed: tip_bin).'),
  statistics: artifact('system.Artifact', { optional: true, description: 'Statistics of the table (tfdv-stats); its URI is recorded as `statistics`.' }),
  schema: artifact('system.Artifact', { optional: true, description: 'Schema of the table (tfdv-stats); its URI is recorded as `schema`.' }),
  transform: artifact('system.Artifact', { optional: true, description: 'The transform artifact (dataflow-preprocess); its URI is recorded as `transform_artifacts_dir`, and its metadata may carry the feature groups and data locations.' }),
  transformed_data: artifact('system.Artifact', { optional: true, description: 'The transformed splits; its URI is recorded as `transformed_data_prefix`.' }),
  exported_jsonl: artifact('system.Artifact', { optional: true, description: 'The raw test split as JSON lines; its URI is recorded as `exported_jsonl_prefix`.' }),
  numeric_features: feature.optional().describe('Numeric features; default: from the upstream artifacts\' metadata, else the table\'s FLOAT64 columns.'),
  categorical_features: feature.optional().describe('Categorical features; default: from the upstream artifacts\' metadata, else the table\'s INT64 and STRING columns.'),
  embedding_features: feature.optional().describe('Categorical features embedded (vocabulary > 10); default: from the transform artifact\'s metadata, else none.'),
};

export const datasetCreateOutputs = {
  dataset: artifact('google.VertexDataset', { description: 'The dataset: metadata has resourceName, displayName, labels, inputConfig.bigquerySource.uri and the seed\'s metadata keys, which `metadata.json` in the artifact also holds.' }),
};

export const tabularDatasetCreate = defineComponent({
  name: 'tabular-dataset-create',
  version: pkg.version,
  description: 'Registers a tabular dataset over a BigQuery table (GCPC TabularDatasetCreateOp\'s role) with the metadata later stages read: label column, statistics, schema, feature groups, transform and data locations.',
  entrypoint,
  inputs: datasetCreateInputs,
  outputs: datasetCreateOutputs,
  async run(ctx) {
    await (await runDatasetCreate()).runDatasetCreate(ctx);
  },
});

export const datasetGetInputs = {
  display_name: z.string().min(1).describe('Display name of the dataset (a prefix unless `exact`), e.g. the data pipeline\'s `display_name`.'),
  exact: z.boolean().default(false).describe('Match the display name exactly instead of as a prefix (the seed\'s find_dataset matched a prefix).'),
  labels: labelsSchema.default({}).describe('Labels the dataset must carry, e.g. {"user_metadata": "<bucket>"}.'),
  project: z.string().optional().describe('Only datasets of this project (their resourceName `projects/<project>/...`).'),
};

export const datasetGetOutputs = {
  dataset: artifact('google.VertexDataset', { description: 'The newest matching registered dataset (its URI and metadata: resourceName, labels, the seed\'s metadata keys).' }),
  resource_name: z.string().describe('Its resource name, `projects/<p>/locations/local/datasets/<id>`.'),
};

export const datasetGet = defineComponent({
  name: 'dataset-get',
  version: pkg.version,
  description: 'Finds the newest registered tabular dataset by display name and labels (the seed\'s find_dataset, GCPC GetVertexDatasetOp\'s role), so a pipeline downstream of the data pipeline starts from its latest result. Reads the registry state: run it uncached.',
  entrypoint,
  inputs: datasetGetInputs,
  outputs: datasetGetOutputs,
  async run(ctx) {
    return (await runDatasetGet()).runDatasetGet(ctx);
  },
});

export const components = [extract, tabularDatasetCreate, datasetGet];

export { datasetMetadataSchema, DATASET_METADATA_FILE, type DatasetMetadata } from './dataset/metadata-contract.ts';
export { filterSchema, FILTER_OPS, type RowFilter } from './extract/filters.ts';
