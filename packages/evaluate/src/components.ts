// Contracts of the evaluation components. Kept light (zod + @formalize/common + node builtins): pipelines import
// them for typed wiring, and the entrypoint imports them on every container start. The work (TF.js, DuckDB, the
// metadata store) is loaded inside run().
import { z } from 'zod';
import type { RunContext, RunResult } from '@formalize/common';
import { artifact, defineComponent } from '@formalize/common';
import pkg from '../package.json' with { type: 'json' };

const entrypoint = '/app/packages/evaluate/dist/main.js';
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;
const column = z.string().regex(COLUMN, 'expected a column name (letters, digits and underscores, not starting with a digit)');
const family = z.string().regex(/^[a-z_][a-z0-9_-]{0,62}$/, 'expected a model family: up to 63 lowercase letters, digits, "_" or "-", not starting with a digit or "-"');
// Google Cloud project ids: up to 30 lowercase letters, digits and hyphens, starting with a letter.
const project = z.string().regex(/^[a-z][a-z0-9-]{0,29}$/, 'expected a project id').default('formalize-local');
const labelsSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'label keys are 1-63 lowercase letters, digits, "_" or "-", starting with a letter'),
  z.string().regex(/^[a-z0-9_-]{0,63}$/, 'label values are up to 63 lowercase letters, digits, "_" or "-"'),
);

const model = artifact('system.Model', { description: 'The trained model: a TF.js Layers folder (model.json, weights, transform.json) whose metadata follows the model artifact convention (model_family, ...).' });
const dataset = artifact('google.VertexDataset', { description: 'The dataset (tabular-dataset-create): metadata label_column, transformed_data_prefix (test split at <prefix>/test) and exported_jsonl_prefix (the raw test rows).' });

const evaluateInputs = {
    model,
    dataset,
    slice_columns: z.array(column).default(['payment_type']).describe('Columns to slice the metrics by: raw values from the exported test rows, or the vocabulary tokens of a transformed column.'),
    threshold: z.number().min(0).max(1).default(0.5).describe('A row is predicted positive when its score is >= this.'),
    class_names: z.array(z.string().min(1)).length(2).default(['0', '1']).describe('Display names of label 0 and label 1 in the confusion matrix.'),
};

const evaluateOutputs = {
    classification_metrics: artifact('system.ClassificationMetrics', { description: 'confusionMatrix and confidenceMetrics (ROC curve at thresholds 0.00..1.00) as the KFP SDK writes them; the exact ROC curve in roc_curve.json.' }),
    metrics: artifact('system.Metrics', { description: 'Scalar metrics, also per slice (`<column>:<value>/<metric>`); everything, with the slices in full, in metrics.json.' }),
    scores: artifact('system.Dataset', { description: 'scores.jsonl: {"label", "score"} per test row, in the order of the test split and of the exported raw test rows.' }),
    auc: z.number().describe('ROC AUC on the test split.'),
    loss: z.number().describe('Binary cross-entropy on the test split.'),
    accuracy: z.number().describe('Accuracy at the threshold.'),
};

export type EvaluateContext = RunContext<typeof evaluateInputs, typeof evaluateOutputs>;
export type EvaluateResult = RunResult<typeof evaluateOutputs>;

export const evaluate = defineComponent({
  name: 'evaluate',
  version: pkg.version,
  description:
    'Evaluates a model on the test split: loss, accuracy, ROC AUC, average precision, PR AUC, precision/recall/F1 '
    + 'at the threshold, confusion matrix and ROC curve (KFP ClassificationMetrics), scalar and per-slice metrics '
    + '(KFP Metrics), and the score of every test row.',
  entrypoint,
  inputs: evaluateInputs,
  outputs: evaluateOutputs,
  async run(ctx): Promise<EvaluateResult> {
    const { runEvaluate } = await import('./evaluate/run.ts');
    return runEvaluate(ctx);
  },
});

const registerInputs = {
    model,
    dataset,
    scores: artifact('system.Dataset', { description: 'The candidate\'s per-row test scores (evaluate `scores`).' }),
    metrics: artifact('system.Metrics', { optional: true, description: 'The candidate\'s evaluation (evaluate `metrics`), stored with the registered version.' }),
    holdout: artifact('google.VertexDataset', { optional: true, description: 'A fixed holdout dataset (from the data pipeline): when given, the candidate and the champion are both scored on its test rows, each through its own bundled transform, instead of on the candidate dataset\'s test rows. Successive best models are then compared on the same rows however the training data drifts, so the best model\'s AUC on them never decreases.' }),
    family: family.optional().describe('Model family in the registry; default: the model\'s `model_family` metadata.'),
    margin: z.number().min(0).max(1).default(0.001).describe('The candidate\'s AUC must exceed the champion\'s by at least this much.'),
    alpha: z.number().gt(0).lt(1).default(0.05).describe('...and the bootstrap p-value of "not better" must be at most this.'),
    bootstrap_resamples: z.int().min(100).max(100_000).default(1000).describe('Paired bootstrap resamples of the test rows.'),
    seed: z.int().min(0).default(0).describe('Seed of the bootstrap.'),
    labels: labelsSchema.default({ candidate_model: '1' }).describe('Labels of the registered version (the seed: {"candidate_model": "1"}).'),
    project: project.describe('Project of the registry\'s resource names.'),
};

const registerOutputs = {
    model_version: artifact('google.VertexModel', { description: 'The best model after the decision: the new version when registered, else the champion. Metadata resourceName (projects/<p>/locations/local/models/<family>@<version>), model_family, version, artifactUri (the model folder), aliases, labels, registered.' }),
    comparison: artifact('system.Metrics', { description: 'AUC of both models on the same rows, their difference, its bootstrap interval and p-value, and the decision.' }),
    is_new_best: z.boolean().describe('Whether the candidate was registered as the new best model.'),
    decision: z.string().describe('Why: the candidate became the best, or why it did not.'),
    auc_delta: z.number().describe('Candidate AUC minus champion AUC on the same rows (0 without a champion).'),
    p_value: z.number().describe('Bootstrap p-value of "the candidate is not better" (0 without a champion).'),
    version: z.int().describe('Version number of model_version.'),
};

export type RegisterContext = RunContext<typeof registerInputs, typeof registerOutputs>;
export type RegisterResult = RunResult<typeof registerOutputs>;

export const registerModel = defineComponent({
  name: 'register-model',
  version: pkg.version,
  description:
    'Champion/challenger: compares the candidate with the registry\'s best model (alias `best`) on the same test rows '
    + '(the dataset\'s, or a fixed holdout\'s; AUC margin and a seeded paired bootstrap of the AUC difference). If the candidate is better, or there is no '
    + 'champion yet, registers it as a new version labelled candidate_model and moves `best` to it; otherwise records why not.',
  entrypoint,
  inputs: registerInputs,
  outputs: registerOutputs,
  async run(ctx): Promise<RegisterResult> {
    const { runRegister } = await import('./register/run.ts');
    return runRegister(ctx);
  },
});

const batchInputs = {
    model: artifact('system.Artifact', { description: 'A system.Model (the model folder) or a google.VertexModel (register-model `model_version`; its resourceName is looked up in the registry).' }),
    instances: artifact('system.Artifact', { optional: true, description: 'JSON Lines instances: a file, or a folder of *.jsonl files (e.g. the exported raw test rows).' }),
    gcs_source_uris: z.array(z.string().min(1)).default([]).describe('JSON Lines files to predict (instead of `instances`).'),
    excluded_fields: z.array(z.string().min(1)).default([]).describe('Instance fields not sent to the model (e.g. the label or a key); they stay in the output `instance`.'),
    max_error_fraction: z.number().min(0).max(1).default(0).describe('Fail when more than this fraction of the instances cannot be predicted (they are listed in prediction.errors_stats-*).'),
    project: project.describe('Project of the job\'s resource name.'),
};

const batchOutputs = {
    batch_prediction_job: artifact('google.VertexBatchPredictionJob', { description: 'Folder of prediction.results-NNNNN-of-NNNNN files ({"instance", "prediction": {"scores"}} per line) and prediction.errors_stats-00000-of-00001; metadata resourceName, gcsOutputDirectory.' }),
    prediction_count: z.int().describe('Instances predicted.'),
    error_count: z.int().describe('Instances refused (bad JSON or features).'),
};

export type BatchPredictContext = RunContext<typeof batchInputs, typeof batchOutputs>;
export type BatchPredictResult = RunResult<typeof batchOutputs>;

export const batchPredict = defineComponent({
  name: 'batch-predict',
  version: pkg.version,
  description:
    'Batch prediction (GCPC ModelBatchPredictOp\'s role): raw instances as JSON Lines in, one {"instance", "prediction"} '
    + 'line per instance out, through the model\'s bundled transform. The model is a system.Model folder or a registered '
    + 'google.VertexModel (resolved in the registry).',
  entrypoint,
  inputs: batchInputs,
  outputs: batchOutputs,
  async run(ctx): Promise<BatchPredictResult> {
    const { runBatchPredict } = await import('./batch/run.ts');
    return runBatchPredict(ctx);
  },
});

const modelGetInputs = {
    family: family.default('chicago-taxi-tip').describe('Model family in the registry.'),
    alias: z.string().min(1).optional().describe('The version carrying this alias (e.g. `best`, `default`).'),
    version: z.int().min(1).optional().describe('This version number.'),
    label: z.string().min(1).optional().describe('The newest version carrying this label (e.g. `base_model`).'),
    project: project.describe('Project of the registry\'s resource names.'),
};

const modelGetOutputs = {
    model: artifact('system.Model', { description: 'The version\'s model folder, with the metadata it was registered with plus resourceName, version, labels and aliases.' }),
    resource_name: z.string().describe('`projects/<p>/locations/local/models/<family>@<version>`.'),
    version: z.int().describe('Its version number.'),
};

export type ModelGetContext = RunContext<typeof modelGetInputs, typeof modelGetOutputs>;
export type ModelGetResult = RunResult<typeof modelGetOutputs>;

export const modelGet = defineComponent({
  name: 'model-get',
  version: pkg.version,
  description:
    'Gets one version of a model family from the model registry (GCPC ModelGetOp\'s role) by alias, version number or '
    + 'label (the newest version with it), e.g. the newest base model for training or `best` for serving. Reads the '
    + 'registry state: run it uncached.',
  entrypoint,
  inputs: modelGetInputs,
  outputs: modelGetOutputs,
  async run(ctx): Promise<ModelGetResult> {
    const { runModelGet } = await import('./get/run.ts');
    return runModelGet(ctx);
  },
});

export const components = [evaluate, registerModel, batchPredict, modelGet];
