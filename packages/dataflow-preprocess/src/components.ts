// Contract of the preprocessing component. Kept light (zod + @formalize/common + node builtins): pipelines
// import it for typed wiring, and the entrypoint imports it on every container start. The work itself
// (warehouse, DuckDB) is loaded inside run().
import { z } from 'zod';
import type { RunContext, RunResult } from '@formalize/common';
import { artifact, defineComponent } from '@formalize/common';
import pkg from '../package.json' with { type: 'json' };

const entrypoint = '/app/packages/dataflow-preprocess/dist/main.js';

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;
const column = z.string().regex(COLUMN, 'expected a column name (letters, digits and underscores, not starting with a digit)');
const shards = (what: string) => `${what}: Parquet shards \`data-NNNNN-of-NNNNN.parquet\` (the transformed features, then the label).`;

const inputs = {
  bq_table: z.string().optional().describe('Feature table `project.dataset.table` (or `bq://project.dataset.table`); give this or `table`.'),
  table: artifact('google.BQTable', { optional: true, description: 'Feature table as a google.BQTable artifact (metadata projectId, datasetId, tableId); give this or `bq_table`.' }),
  numeric_features: z.array(column).describe('Columns scaled to z-scores (INT64 or FLOAT64), e.g. tfdv-stats `numeric_features`.'),
  categorical_features: z.array(column).describe('Columns mapped to vocabulary indices (INT64 or STRING), e.g. tfdv-stats `categorical_features`.'),
  label_column: column.default('tip_bin').describe('The label; passed through unchanged, never NULL.'),
  split_key_columns: z.array(column).default([]).describe('Columns hashed for the split, in this order; empty: every feature and the label, sorted by name.'),
  split_percentages: z.array(z.int().min(1).max(98)).length(3).refine((p) => p[0]! + p[1]! + p[2]! === 100, 'expected percentages summing to 100')
    .default([80, 10, 10]).describe('Whole percentages of train, val and test.'),
  embedding_threshold: z.int().min(0).default(10).describe('A categorical feature with a larger vocabulary becomes an embedding feature.'),
  rows_per_shard: z.int().min(1).default(500_000).describe('Rows per Parquet / JSON Lines shard (bounds the memory the writer buffers).'),
  vocabulary_source: artifact('system.Artifact', { optional: true, description: 'Keep the vocabularies of this transform artifact (its JSON file, or a folder bundling it as transform.json, e.g. a model folder) instead of computing them on this train split; tokens it lacks map to the OOV index. For new data a base model must still fit: its one-hot widths and embedding rows are the vocabulary sizes.' }),
};

const outputs = {
  train: artifact('system.Dataset', { description: shards('Transformed train split') }),
  val: artifact('system.Dataset', { description: shards('Transformed validation split') }),
  test: artifact('system.Dataset', { description: shards('Transformed test split') }),
  transform: artifact('system.Artifact', { description: 'The transform artifact (JSON, `@formalize/common/transform`): operations, means and standard deviations, vocabularies, feature groups, split definition.' }),
  test_requests: artifact('system.Dataset', { description: 'Raw test rows without the label, as serving requests carry them: JSON Lines shards `data-NNNNN-of-NNNNN.jsonl`, row for row the rows of `test`.' }),
  numeric_features: z.array(z.string()).describe('Features scaled to z-scores.'),
  categorical_features: z.array(z.string()).describe('Vocabulary features with at most `embedding_threshold` entries (one-hot in the model).'),
  embedding_features: z.array(z.string()).describe('Vocabulary features with more than `embedding_threshold` entries (embeddings in the model).'),
  train_rows: z.int().describe('Rows in the train split.'),
  val_rows: z.int().describe('Rows in the validation split.'),
  test_rows: z.int().describe('Rows in the test split.'),
};

export type PreprocessInputs = typeof inputs;
export type PreprocessOutputs = typeof outputs;
export type PreprocessContext = RunContext<PreprocessInputs, PreprocessOutputs>;
export type PreprocessResult = RunResult<PreprocessOutputs>;

export const preprocess = defineComponent({
  name: 'dataflow-preprocess',
  version: pkg.version,
  description:
    'Splits a feature table 80/10/10 with a deterministic hash, analyses the train split in the warehouse (means, '
    + 'standard deviations, vocabularies), and writes every split transformed by the shared transform function as '
    + 'Parquet shards, the transform artifact for training and serving, and the raw test rows as JSON Lines.',
  entrypoint,
  inputs,
  outputs,
  async run(ctx) {
    const { runPreprocess } = await import('./preprocess.ts');
    return runPreprocess(ctx);
  },
});

export const components = [preprocess];
