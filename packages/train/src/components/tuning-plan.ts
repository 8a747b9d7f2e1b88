// Contracts of the two small components that let the training pipeline decide whether to tune: the state of the
// model family's hyperparameters in ML Metadata (what the current set was tuned on, and from which initialisation),
// and the decision from that state plus the drift tfdv-validate measured against those statistics. The pipeline's
// Condition branches on `action`; the work loads the metadata store inside run().
import { z } from 'zod';
import type { RunContext, RunResult } from '@formalize/common';
import { artifact, defineComponent } from '@formalize/common';
import { hyperparametersSchema } from '@formalize/common/hyperparameters';
import pkg from '../../package.json' with { type: 'json' };

const entrypoint = '/app/packages/train/dist/main.js';

const stateInputs = {
  dataset: artifact('google.VertexDataset', { description: 'The dataset training will use: its metadata `statistics` is the URI of its statistics (tfdv-stats).' }),
  base_model: artifact('system.Model', { description: 'The base model training starts from: its `model_family` names the tuned set, its `initialization` is compared with the one the set was tuned from.' }),
};

const stateOutputs = {
  has_tuned_set: z.boolean().describe('Whether the model family has a tuned hyperparameter set in ML Metadata.'),
  current_statistics_uri: z.string().describe('URI of the dataset\'s statistics.'),
  baseline_statistics_uri: z.string().describe('URI of the statistics the current set was tuned on; without a tuned set, the dataset\'s own (no drift to measure).'),
  initialization_changed: z.boolean().describe('Whether the base model\'s initialisation differs from the one the set was tuned from (false without a tuned set).'),
  hyperparameters: hyperparametersSchema.describe('The set training uses unless tuning replaces it: the newest tuned set, else the defaults.'),
  hyperparameters_source: z.enum(['tuned', 'default']).describe('Where `hyperparameters` came from.'),
};

export type StateContext = RunContext<typeof stateInputs, typeof stateOutputs>;
export type StateResult = RunResult<typeof stateOutputs>;

export const hyperparameterState = defineComponent({
  name: 'hyperparameter-state',
  version: pkg.version,
  description:
    'Reads the model family\'s newest tuned hyperparameter set from ML Metadata: the set itself (else the defaults), the '
    + 'statistics it was tuned on and whether the base model\'s initialisation changed since. Reads mutable state: run it uncached.',
  entrypoint,
  inputs: stateInputs,
  outputs: stateOutputs,
  async run(ctx): Promise<StateResult> {
    const { runHyperparameterState } = await import('../tuning-plan/state.ts');
    return runHyperparameterState(ctx);
  },
});

export const TUNING_ACTIONS = ['search', 'fine_tune', 'reuse'] as const;

const decisionInputs = {
  has_tuned_set: z.boolean().describe('hyperparameter-state `has_tuned_set`.'),
  drift_detected: z.boolean().describe('tfdv-validate `drift_detected` of the dataset\'s statistics against the ones the set was tuned on.'),
  initialization_changed: z.boolean().describe('hyperparameter-state `initialization_changed`.'),
  force: z.enum(['', ...TUNING_ACTIONS]).default('').describe('Override the decision (empty: decide).'),
};

const decisionOutputs = {
  action: z.enum(TUNING_ACTIONS).describe('`search`: no tuned set yet, or the data drifted from what it was tuned on; `fine_tune`: same data, but the base model\'s initialisation changed (a narrow search around the previous best); `reuse`: keep the tuned set.'),
  reason: z.string().describe('Why, in one sentence.'),
};

export type DecisionContext = RunContext<typeof decisionInputs, typeof decisionOutputs>;
export type DecisionResult = RunResult<typeof decisionOutputs>;

export const tuningDecision = defineComponent({
  name: 'tuning-decision',
  version: pkg.version,
  description:
    'Decides whether the training pipeline tunes: a full search when there is no tuned set or the data drifted beyond '
    + 'the thresholds from the statistics it was tuned on, fine-tuning when only the base model\'s initialisation changed, '
    + 'else reuse.',
  entrypoint,
  inputs: decisionInputs,
  outputs: decisionOutputs,
  run({ inputs }): DecisionResult {
    return decideTuning(inputs);
  },
});

/** The decision rule (pure: the component and its tests use it). */
export function decideTuning(i: { has_tuned_set: boolean; drift_detected: boolean; initialization_changed: boolean; force?: string }): DecisionResult {
  if (i.force) return { action: i.force as (typeof TUNING_ACTIONS)[number], reason: `forced: ${i.force}` };
  if (!i.has_tuned_set) return { action: 'search', reason: 'the model family has no tuned hyperparameters yet' };
  if (i.drift_detected) return { action: 'search', reason: 'the data drifted beyond the thresholds from the statistics the hyperparameters were tuned on' };
  if (i.initialization_changed) return { action: 'fine_tune', reason: 'the base model\'s initialisation changed since the hyperparameters were tuned' };
  return { action: 'reuse', reason: 'same data distribution and initialisation as the tuned hyperparameters' };
}
