// The formalization training pipeline (`chicago-custom-training`, the seed's "Custom tabular binary classification
// training"), with what the seed only recommended:
//   warmup == true:  warm the newest base model up (linear learning-rate ramp) and register it as a new base version;
//   otherwise:       hyperparameters from ML Metadata, retuned when the data drifted from the statistics they were tuned
//                    on (or none exist), fine-tuned when the base model's initialisation changed, else reused;
//                    train with early stopping -> evaluate on the test split -> champion/challenger registration
//                    (label candidate_model, alias best: the registry never loses its best model), on the new
//                    dataset's test rows or, given one, on a fixed holdout's.
import { z } from 'zod';
import { artifact } from '@formalize/common';
import { fromContract, If, importer, OneOf, pipeline } from '@formalize/dsl';
import { datasetGet } from '@formalize/bq-extract';
import { evaluate, modelGet, registerModel } from '@formalize/evaluate';
import { validate } from '@formalize/tfdv-stats';
import { hyperparameterState, train, tune, tuningDecision } from '@formalize/train';

const datasetGetOp = fromContract(datasetGet);
const modelGetOp = fromContract(modelGet);
const stateOp = fromContract(hyperparameterState);
const validateOp = fromContract(validate);
const decisionOp = fromContract(tuningDecision);
const tuneOp = fromContract(tune);
const trainOp = fromContract(train);
const evaluateOp = fromContract(evaluate);
const registerOp = fromContract(registerModel);

export default pipeline({
  name: 'chicago-custom-training',
  description: 'Custom tabular binary classification training',
  inputs: {
    dataset_display_name: z.string().default('Chicago Taxi').describe('Display name (prefix) of the dataset the data pipeline registered.'),
    dataset_labels: z.record(z.string(), z.string()).default({ user_metadata: 'formalize' }).describe('Labels the dataset carries.'),
    model_family: z.string().default('chicago-taxi-tip').describe('Model family in the registry.'),
    warmup: z.boolean().default(false).describe('Warm the base model up instead of training (the seed\'s first run).'),
    warmup_hyperparameters: z.record(z.string(), z.unknown()).default({ epochs: 5, batch_size: 16, steps: 200, start_learning_rate: 0.0001 })
      .describe('The warmup run\'s settings over the family\'s hyperparameters (the seed\'s: 5 epochs of 200 steps, batch 16, ramp from 0.0001 to the learning rate).'),
    drift_threshold_categorical: z.number().default(0.1).describe('L-infinity distance beyond which a categorical feature drifted (retune).'),
    drift_threshold_numeric: z.number().default(0.1).describe('Jensen-Shannon divergence beyond which a numeric feature drifted (retune).'),
    max_trial_count: z.int().default(8).describe('Tuning trials when tuning runs.'),
    parallel_trial_count: z.int().default(2).describe('Tuning trials at once.'),
    tuning_algorithm: z.enum(['gp', 'tpe', 'random']).default('gp').describe('Search algorithm of the tuning.'),
    seed: z.int().default(0).describe('Seed of tuning, training (data order) and the bootstrap.'),
    holdout: artifact('google.VertexDataset', { optional: true, description: 'A fixed holdout dataset: the champion/challenger comparison scores both models on its test rows instead of the new dataset\'s, so the best model\'s AUC on it never decreases however the data drifts (continuous training).' }),
  },
}, (p) => {
  // Registry lookups read state: never cached.
  const dataset = datasetGetOp({ display_name: p.dataset_display_name, labels: p.dataset_labels }).setCaching(false).setDisplayName('get-dataset');
  const base = modelGetOp({ family: p.model_family, label: 'base_model' }).setCaching(false).setDisplayName('get-base-model');
  const data = dataset.outputs.dataset;
  const baseModel = base.outputs.model;

  If(p.warmup.eq(true), () => {
    trainOp({ dataset: data, base_model: baseModel, mode: 'warmup', hyperparameter_overrides: p.warmup_hyperparameters, seed: p.seed }).setDisplayName('warmup-model');
  }).Else(() => {
    const state = stateOp({ dataset: data, base_model: baseModel }).setCaching(false).setDisplayName('hyperparameter-state');
    const current = importer({ artifactUri: state.outputs.current_statistics_uri, artifactType: 'system.Artifact' });
    const tunedOn = importer({ artifactUri: state.outputs.baseline_statistics_uri, artifactType: 'system.Artifact' });
    const drift = validateOp({
      statistics: current.outputs.artifact,
      baseline_statistics: tunedOn.outputs.artifact,
      drift_threshold_categorical: p.drift_threshold_categorical,
      drift_threshold_numeric: p.drift_threshold_numeric,
    }).setDisplayName('drift-since-tuning');
    const decision = decisionOp({
      has_tuned_set: state.outputs.has_tuned_set,
      drift_detected: drift.outputs.drift_detected,
      initialization_changed: state.outputs.initialization_changed,
    }).setDisplayName('tuning-decision');

    const study = { dataset: data, base_model: baseModel, max_trial_count: p.max_trial_count, parallel_trial_count: p.parallel_trial_count, algorithm: p.tuning_algorithm, seed: p.seed };
    let search!: ReturnType<typeof tuneOp>;
    let fineTune!: ReturnType<typeof tuneOp>;
    let reuse!: ReturnType<typeof stateOp>;
    If(decision.outputs.action.eq('search'), () => {
      search = tuneOp({ ...study, mode: 'search' }).setDisplayName('tune');
    }).Elif(decision.outputs.action.eq('fine_tune'), () => {
      fineTune = tuneOp({ ...study, mode: 'fine_tune' }).setDisplayName('fine-tune');
    }).Else(() => {
      reuse = stateOp({ dataset: data, base_model: baseModel }).setCaching(false).setDisplayName('reuse-hyperparameters');
    });
    const hyperparameters = OneOf(search.outputs.best_hyperparameters, fineTune.outputs.best_hyperparameters, reuse.outputs.hyperparameters);

    const trained = trainOp({ dataset: data, base_model: baseModel, mode: 'train', hyperparameter_overrides: hyperparameters, seed: p.seed })
      .setDisplayName('train-model');
    const evaluation = evaluateOp({ model: trained.outputs.model, dataset: data }).setDisplayName('evaluate-model');
    // The decision depends on the registry's current best: never cached.
    registerOp({
      model: trained.outputs.model, dataset: data, scores: evaluation.outputs.scores, metrics: evaluation.outputs.metrics,
      family: p.model_family, seed: p.seed, holdout: p.holdout,
    }).setCaching(false).setDisplayName('register-candidate');
  });
});
