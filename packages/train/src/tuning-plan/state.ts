// run() of hyperparameter-state: the newest tuned set of the base model's family, what it was tuned on, and
// whether the base model's initialisation is still the one it was tuned from.
import { fieldError } from '@formalize/common';
import { resolveHyperparameters } from '@formalize/common/hyperparameters';
import { openTaskStore } from '@formalize/common/metadata';
import type { StateContext, StateResult } from '../components/tuning-plan.ts';

function metadataString(a: { metadata: Record<string, unknown> }, key: string, input: string): string {
  const v = a.metadata[key];
  if (typeof v !== 'string' || v === '') throw fieldError(`inputs.artifacts.${input}.metadata.${key}`, 'a non-empty string', v);
  return v;
}

export async function runHyperparameterState({ inputs, log }: StateContext): Promise<StateResult> {
  const current = metadataString(inputs.dataset, 'statistics', 'dataset');
  const family = metadataString(inputs.base_model, 'model_family', 'base_model');
  const initialization = inputs.base_model.metadata['initialization'];
  const store = await openTaskStore(process.env, 'the ML Metadata store holding the tuned hyperparameters');
  try {
    const resolved = await resolveHyperparameters({ store, family });
    const tuned = resolved.tuned;
    const initializationChanged = tuned?.initialization !== undefined && typeof initialization === 'string' && tuned.initialization !== initialization;
    log.info('hyperparameter state', { family, source: resolved.source, tunedOn: tuned?.statisticsUri, initializationChanged });
    return {
      has_tuned_set: tuned !== undefined,
      current_statistics_uri: current,
      baseline_statistics_uri: tuned?.statisticsUri ?? current,
      initialization_changed: initializationChanged,
      hyperparameters: resolved.hyperparameters,
      hyperparameters_source: resolved.source,
    };
  } finally {
    await store.close();
  }
}
