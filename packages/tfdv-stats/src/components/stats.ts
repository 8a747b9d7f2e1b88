// Contract of the statistics component. Kept light (zod + @formalize/common + the options schema): pipelines import
// it for typed wiring and the entrypoint on every container start. The work (warehouse, DuckDB, protobuf, schema
// inference, the report) is loaded inside run().
import { z } from 'zod';
import type { RunContext, RunResult } from '@formalize/common';
import { artifact, defineComponent } from '@formalize/common';
import pkg from '../../package.json' with { type: 'json' };
import { statsOptionsSchema } from '../stats/options.ts';

const entrypoint = '/app/packages/tfdv-stats/dist/main.js';

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * TFDV's StatsOptions in their Python spelling (`num_top_values`, ...), the same fields, checks and defaults as the
 * library's options schema (the weight feature is its own input).
 */
export const statsOptionsParam = z.object(Object.fromEntries(
  Object.entries(statsOptionsSchema.shape).filter(([k]) => k !== 'weightFeature').map(([k, v]) => [snake(k), v]),
)).strict();

const inputs = {
  bq_table: z.string().optional().describe('Table `project.dataset.table` (or `bq://project.dataset.table`); give this or `table`.'),
  table: artifact('google.BQTable', { optional: true, description: 'Table as a google.BQTable artifact (metadata projectId, datasetId, tableId, as GCPC writes it); give this or `bq_table`.' }),
  label_column: z.string().min(1).describe('The label: must be a column; left out of `numeric_features` / `categorical_features`.'),
  weight_feature: z.string().min(1).optional().describe('A numeric column weighing each example: adds TFDV\'s weighted statistics.'),
  stats_options: statsOptionsParam.default({}).describe('TFDV StatsOptions: num_top_values (20), num_rank_histogram_buckets (1000), num_values_histogram_buckets, num_histogram_buckets, num_quantiles_histogram_buckets (10), frequency_threshold, feature_allowlist, categorical_features (INT columns reported as categorical), null_as_empty_list (data from tf.Examples), exact_quantiles_max_distinct.'),
  infer_feature_shape: z.boolean().default(true).describe('Schema inference: give features that always have the same number of values a shape (tfdv.infer_schema).'),
};

const outputs = {
  // No KFP type says "statistics" (TFX's ExampleStatistics has no KFP counterpart). system.Dataset would let the
  // statistics be wired where data is expected; system.Artifact is honest, and metadata.format says what it holds.
  statistics: artifact('system.Artifact', { description: 'Statistics (tensorflow_metadata DatasetFeatureStatisticsList): a folder with FeatureStats.pb (what TFX and Facets read), FeatureStats.pbtxt, FeatureStats.json, and facets.html (Facets Overview; needs internet).' }),
  schema: artifact('system.Artifact', { description: 'Schema inferred from the statistics (tfdv.infer_schema): a folder with schema.pbtxt and schema.json.' }),
  report: artifact('system.HTML', { description: 'Self-contained HTML report: per feature its type, missing share, histogram or top values.' }),
  numeric_features: z.array(z.string()).describe('FLOAT features, without the label and the weight.'),
  categorical_features: z.array(z.string()).describe('INT and STRING features, without the label and the weight.'),
};

export type StatsInputs = typeof inputs;
export type StatsOutputs = typeof outputs;
export type StatsContext = RunContext<StatsInputs, StatsOutputs>;
export type StatsResult = RunResult<StatsOutputs>;

export const stats = defineComponent({
  name: 'tfdv-stats',
  version: pkg.version,
  description:
    'Computes TFDV-compatible statistics of a warehouse table with SQL (one aggregate pass, then one summary query '
    + 'per feature, in bounded memory), infers its schema, types the features (numeric / categorical) and writes an '
    + 'offline HTML report.',
  entrypoint,
  inputs,
  outputs,
  async run(ctx) {
    const { runStatsComponent } = await import('../stats/run-component.ts');
    return runStatsComponent(ctx);
  },
});
