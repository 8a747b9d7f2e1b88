// Contract of the train component (the seed's chicago-custom-training branches: warmup and train). Kept light
// (zod + @formalize/common): TF.js, DuckDB and the metadata store load inside run().
import { z } from 'zod';
import type { RunContext, RunResult } from '@formalize/common';
import { artifact, defineComponent } from '@formalize/common';
import { hyperparameterOverridesSchema, hyperparametersSchema } from '@formalize/common/hyperparameters';
import pkg from '../../package.json' with { type: 'json' };

const entrypoint = '/app/packages/train/dist/main.js';
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;

const inputs = {
  dataset: artifact('google.VertexDataset', { description: 'The dataset of the data pipeline: metadata `transformed_data_prefix` (folder with `train/`, `val/`, `test/` Parquet shards) and `transform_artifacts_dir` (the transform artifact).' }),
  base_model: artifact('system.Model', { description: 'The model to start from (model-build\'s base model, or a warmed-up version): a TF.js Layers folder; metadata `model_family` names the family whose tuned hyperparameters are used.' }),
  mode: z.enum(['train', 'warmup']).default('train').describe('`train`: Adam with early stopping on val_loss (patience from the hyperparameters) restoring the best epoch; fails when val_loss never improves on the first epoch (failure to learn). `warmup`: the seed\'s linear learning-rate ramp from start_learning_rate to learning_rate over the epochs with fixed steps per epoch, no validation; registers the result as a new base model version.'),
  hyperparameter_overrides: hyperparameterOverridesSchema.optional().describe('Explicit values over the tuned set (else the defaults), e.g. `{"epochs": 5, "early_stop": {"patience": 3}}`.'),
  seed: z.int().min(0).max(2 ** 32 - 1).default(0).describe('Seed of the feeder (shard order, shuffles, weighted draws): the same seed, data and hyperparameters train the same weights.'),
  feeder_policy: z.enum(['none', 'adaptive']).default('none').describe('`adaptive`: after each epoch, double the batch size after 2 epochs of val_loss plateau (up to 1024), and, with `slice_column`, draw the slices with higher validation loss more often (see the README). `none`: every row once per epoch at the fixed batch size.'),
  slice_column: z.string().regex(COLUMN).optional().describe('A vocabulary feature (e.g. `payment_type`) whose values the adaptive policy reweighs.'),
  data_mirrors: z.array(z.string().min(1)).default([]).describe('URIs of folders holding copies of `transformed_data_prefix` (same `train/` shards): the feeder balances reads over all copies and survives a failing one.'),
  tuning: z.boolean().default(false).describe('Report val_loss and val_auc per epoch in the hypertune metrics file (CLOUD_ML_HP_METRIC_FILE, default /tmp/hypertune/output.metrics), as Vertex AI hyperparameter tuning reads them; also on when CLOUD_ML_TRIAL_ID is set.'),
};

const outputs = {
  model: artifact('system.Model', { description: 'The trained model: a TF.js Layers folder (`model.json`, `weights.bin`) with `transform.json` and the seed\'s `metrics.txt` (dataset metadata, learning_rate, num_epochs, batch_size, early_stop, metrics = test [loss, accuracy]). Metadata: framework, model_family, labels, architecture, initialization, transform, dataset, hyperparameters, metrics.' }),
  metrics: artifact('system.Metrics', { description: 'Metrics of the restored epoch (train and validation loss, accuracy, exact ROC AUC), the base model\'s validation metrics, test loss and accuracy, best epoch, epochs run; also as `metrics.json`.' }),
  tensorboard: artifact('system.Artifact', { description: 'TensorBoard log folder: per-epoch scalars loss, val_loss, accuracy, val_accuracy, auc, val_auc, learning_rate, batch_size in a tfevents file. When AIP_TENSORBOARD_LOG_DIR is set, the events go there and this artifact points at it.' }),
  report: artifact('system.HTML', { description: 'Training curves per epoch (loss, accuracy and ROC AUC on train and validation, learning rate, batch size) with the restored epoch marked, and the epochs table.' }),
  val_loss: z.number().describe('Validation cross-entropy of the returned model.'),
  val_auc: z.number().describe('Validation ROC AUC (exact) of the returned model.'),
  hyperparameters: hyperparametersSchema.describe('The hyperparameters the run used (tuned or default, with the overrides).'),
  hyperparameters_source: z.enum(['tuned', 'default']).describe('Whether the base set was the newest tuned set of the model family in ML Metadata or the defaults.'),
};

export type TrainInputs = typeof inputs;
export type TrainOutputs = typeof outputs;
export type TrainContext = RunContext<TrainInputs, TrainOutputs>;
export type TrainResult = RunResult<TrainOutputs>;

export const train = defineComponent({
  name: 'train',
  version: pkg.version,
  description:
    'Trains a TensorFlow.js model on the preprocessed Parquet shards through a feedback-driven feeder: warmup '
    + '(linear learning-rate ramp, fixed steps per epoch, registered as a new base model) or training (Adam, binary '
    + 'cross-entropy, exact validation ROC AUC, early stopping on val_loss restoring the best weights, failure to learn '
    + 'detected), with hyperparameters from ML Metadata, TensorBoard scalars, the seed\'s metrics.txt and '
    + 'hypertune metric reporting. Runs as a KFP component and as a Vertex AI custom training container.',
  entrypoint,
  inputs,
  outputs,
  async run(ctx) {
    const { runTrain } = await import('../training/run.ts');
    return runTrain(ctx);
  },
});
