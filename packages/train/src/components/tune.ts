// Contract of the tune component: hyperparameter search over the training hyperparameters (Vertex AI's
// HyperparameterTuningJob run locally: study spec, trial counts, a metric-threshold gate as GCPC's
// IsMetricBeyondThresholdOp). Kept light (zod + @formalize/common): the study itself loads inside run().
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Component, RunContext, RunResult } from '@formalize/common';
import { artifact, defineComponent } from '@formalize/common';
import pkg from '../../package.json' with { type: 'json' };
import { DEFAULT_STUDY_SPEC_METRICS, DEFAULT_STUDY_SPEC_PARAMETERS } from '../tuning/study-spec.ts';

const entrypoint = '/app/packages/train/dist/main.js';

const inputs = {
  dataset: artifact('google.VertexDataset', { description: 'The preprocessed dataset (the data pipeline\'s output): trials train on its train split and are scored on its val split; its `statistics` URI is recorded with the tuned set.' }),
  base_model: artifact('system.Model', { description: 'The base model every trial starts from (model-build or warmup output); its `model_family` names the tuned set, its `initialization` hash is recorded with it.' }),
  max_trial_count: z.int().min(1).max(1000).default(16).describe('Trials to run in all.'),
  parallel_trial_count: z.int().min(1).max(64).default(2).describe('Trials running at once (each in its own worker thread); at most max_trial_count.'),
  algorithm: z.enum(['gp', 'tpe', 'random']).default('gp').describe('Search algorithm: `gp` Gaussian-process Bayesian optimisation (Matérn 5/2, expected improvement), `tpe` Tree-structured Parzen Estimator, `random` random search. The first 5 trials of gp and tpe are random.'),
  mode: z.enum(['search', 'fine_tune']).default('search').describe('`search` explores the whole space; `fine_tune` searches around the previous best (lr within x/÷ 2, batch size ± one step), which it evaluates first: for a base model whose initialisation changed.'),
  previous_best: z.record(z.string(), z.number()).optional().describe('fine_tune: the hyperparameters to search around, e.g. {"learning_rate": 0.01, "batch_size": 64}. Absent: the newest tuned set of the model family in ML Metadata.'),
  study_spec_metrics: z.array(z.record(z.string(), z.unknown())).default(DEFAULT_STUDY_SPEC_METRICS).describe('The metric to optimise, as GCPC\'s HyperparameterTuningJobRunOp takes it (`serialize_metrics`): one of val_loss, val_auc with goal MINIMIZE or MAXIMIZE.'),
  study_spec_parameters: z.array(z.record(z.string(), z.unknown())).default(DEFAULT_STUDY_SPEC_PARAMETERS).describe('The search space as GCPC takes it (`serialize_parameters`): learning_rate as a double_value_spec (UNIT_LOG_SCALE for log-uniform), batch_size as a discrete_value_spec. Default: the seed\'s lr log-uniform [0.001, 0.1] and batch size 16, 32, 64, 128, 256.'),
  trial_epochs: z.int().min(1).max(10_000).optional().describe('Maximum epochs of each trial (early stopping may end it sooner). Default: the epochs of the model family\'s hyperparameter set.'),
  metric_threshold: z.number().optional().describe('Gate on the best trial\'s metric (GCPC IsMetricBeyondThresholdOp): `beyond_threshold` says whether it is beyond this value. Absent: no gate, `beyond_threshold` is true.'),
  threshold_direction: z.enum(['below', 'above']).optional().describe('`below`: beyond means strictly less than the threshold; `above`: strictly greater. Default: below when the goal is MINIMIZE, above when MAXIMIZE.'),
  seed: z.int().min(0).max(2 ** 32 - 1).default(0).describe('Seed of the search: with parallel_trial_count 1 the same seed and data give the same study. Every trial trains with it too.'),
};

const outputs = {
  best_hyperparameters: z.record(z.string(), z.unknown()).describe('The full hyperparameter set of the best trial (learning_rate, batch_size, epochs, early_stop, ...), as recorded in ML Metadata for the model family.'),
  best_val_loss: z.number().describe('val_loss of the best trial.'),
  beyond_threshold: z.boolean().describe('Whether the best trial\'s metric is beyond metric_threshold in threshold_direction (true without a threshold).'),
  trials: artifact('system.Metrics', { description: 'Every trial as KFP metrics (`trial_<id>_<name>`, `best_*`, counts); the file holds the study as JSON.' }),
  report: artifact('system.HTML', { description: 'The trials table (trial, learning rate, batch size, val_loss, val_auc, epochs, state; best highlighted) and a scatter of the metric by learning rate.' }),
};

export type TuneInputs = typeof inputs;
export type TuneOutputs = typeof outputs;
export type TuneContext = RunContext<TuneInputs, TuneOutputs>;
export type TuneResult = RunResult<TuneOutputs>;

export interface TuneComponentOptions {
  /** Module (path or URL) exporting `trainTrial` (see tuning/trial.ts); default: the trainer (tuning/train-trial.ts). */
  trialModule?: string;
}

// .ts next to this file in a checkout, .js in dist/.
const DEFAULT_TRIAL_MODULE = new URL(`../tuning/train-trial${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

/** The tune component; `trialModule` swaps the training a trial runs (tests use a fake with a known optimum). */
export function createTuneComponent(opts: TuneComponentOptions = {}): Component<TuneInputs, TuneOutputs> {
  const trialModule = opts.trialModule ?? DEFAULT_TRIAL_MODULE;
  return defineComponent({
    name: 'tune',
    version: pkg.version,
    description:
      'Hyperparameter search for the training hyperparameters (learning rate, batch size): Gaussian-process or TPE '
      + 'Bayesian optimisation or random search, trials trained with early stopping and run in parallel up to a '
      + 'limit, every trial and the best set recorded in ML Metadata, and a metric-threshold gate.',
    entrypoint,
    inputs,
    outputs,
    async run(ctx) {
      const { runTune } = await import('../tuning/run-tune.ts');
      return runTune(ctx, { trialModule });
    },
  });
}

export const tune = createTuneComponent();
