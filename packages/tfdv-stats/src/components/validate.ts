// Contract of the validation component (tfdv.validate_statistics + drift/skew as a pipeline step). Kept light
// (zod + @formalize/common + the thresholds schema): pipelines import it for typed wiring and the entrypoint on
// every container start. The work (protobuf, validation, the report) is loaded inside run().
import { z } from 'zod';
import type { RunContext, RunResult } from '@formalize/common';
import { artifact, defineComponent } from '@formalize/common';
import pkg from '../../package.json' with { type: 'json' };
import { driftThresholdsSchema } from '../validate/drift-thresholds.ts';

const entrypoint = '/app/packages/tfdv-stats/dist/main.js';

const thresholds = driftThresholdsSchema.shape;

const inputs = {
  statistics: artifact('system.Artifact', { description: 'Statistics to validate: the `statistics` output of tfdv-stats (a folder with FeatureStats.pb, as TFX StatisticsGen writes it, or .pbtxt / .json / stats_tfrecord). With several datasets, the "All Examples" one is validated.' }),
  schema: artifact('system.Artifact', { optional: true, description: 'Schema to validate against (a folder with schema.pbtxt, schema.json or schema.pb, e.g. the `schema` output of tfdv-stats on the training data). Absent: inferred from `statistics` (tfdv.infer_schema), so only drift and skew can raise anomalies.' }),
  baseline_statistics: artifact('system.Artifact', { optional: true, description: 'Statistics of the previous span (same layout as `statistics`): every categorical and numeric feature gets a drift comparator with the thresholds below (replacing any in the schema), and `drift_detected` says whether one exceeded it. Absent: no drift is measured.' }),
  serving_statistics: artifact('system.Artifact', { optional: true, description: 'Serving statistics for training/serving skew: skew comparators with the same thresholds (replacing any in the schema).' }),
  environment: z.string().min(1).optional().describe('Validate for this environment, one of the schema\'s `default_environment` (e.g. SERVING): features not in it are not expected.'),
  drift_threshold_categorical: thresholds.categoricalLInfinity.describe('Drift (and skew) threshold for categorical features: L-infinity distance of the value frequencies (TFDV `infinity_norm`).'),
  drift_threshold_numeric: thresholds.numericJensenShannon.describe('Drift (and skew) threshold for numeric features: approximate Jensen-Shannon divergence of the histograms, in [0, 1] (TFDV `jensen_shannon_divergence`).'),
  feature_thresholds: thresholds.features.describe('Per-feature thresholds for that feature\'s metric, by feature name (serialized path), e.g. {"company": 0.2}; every name must be a categorical or numeric feature of `statistics`.'),
  fail_on_anomalies: z.boolean().default(false).describe('Fail the task (exit 1) when there is any anomaly, listing them in the log. A failed KFP task publishes no outputs, so none are written then: to keep the report and branch instead, leave this false and use `anomaly_count` / `drift_detected` in a dsl.If.'),
};

const outputs = {
  anomalies: artifact('system.Artifact', { description: 'The tensorflow_metadata Anomalies (tfdv.validate_statistics): a folder with anomalies.pbtxt (tfdv.load_anomalies_text), anomalies.pb and anomalies.json; drift_skew_info holds every drift/skew measurement.' }),
  drift: artifact('system.Metrics', { description: 'Drift and skew distances as KFP metrics (`drift.<feature>.l_infinity`, `drift.<feature>.jensen_shannon`, `skew.<feature>...`, `drifted_features`, `skewed_features`); the file holds the drift report as JSON.' }),
  report: artifact('system.HTML', { description: 'Self-contained HTML report: the statistics with the anomalies and the drift/skew distances, or a note that no baseline was given.' }),
  drift_detected: z.boolean().describe('A drift distance exceeded its threshold, or the baseline lacks a feature; false without baseline_statistics.'),
  anomaly_count: z.int().describe('Features with anomalies, plus one for dataset-level anomalies and one when the statistics hold no examples.'),
};

export type ValidateInputs = typeof inputs;
export type ValidateOutputs = typeof outputs;
export type ValidateContext = RunContext<ValidateInputs, ValidateOutputs>;
export type ValidateResult = RunResult<ValidateOutputs>;

export const validate = defineComponent({
  name: 'tfdv-validate',
  version: pkg.version,
  description:
    'Validates statistics against a schema as tfdv.validate_statistics does (TFDV\'s anomaly types and texts), '
    + 'measures drift against baseline statistics and skew against serving statistics (L-infinity for categorical, '
    + 'Jensen-Shannon for numeric features), and writes the anomalies, the distances as metrics and an HTML report.',
  entrypoint,
  inputs,
  outputs,
  async run(ctx) {
    const { runValidateComponent } = await import('../validate/run-component.ts');
    return runValidateComponent(ctx);
  },
});
