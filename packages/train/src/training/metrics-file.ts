// The seed's `metrics.txt` beside the model (task.py): the dataset metadata, updated with the hyperparameters
// (learning_rate; num_epochs, batch_size, early_stop in train mode) and, after evaluation, `metrics` =
// [loss, accuracy] on the test split. Stage 3 reads it back as `baseline_metrics` for the next run's flags.
import type { ReadonlyJsonObject } from '@formalize/common';
import type { Hyperparameters } from '@formalize/common/hyperparameters';

/** The dataset metadata keys the seed's metadata.jsonl holds (tabular-dataset-create records them). */
export const SEED_DATASET_KEYS = [
  'label_column', 'statistics', 'schema', 'numeric_features', 'categorical_features', 'embedding_features',
  'transformed_data_prefix', 'transform_artifacts_dir', 'exported_jsonl_prefix',
] as const;

export function metricsTxt(dataset: ReadonlyJsonObject, hp: Hyperparameters, mode: 'train' | 'warmup', test: { loss: number; accuracy: number } | undefined): string {
  const out: Record<string, unknown> = {};
  for (const k of SEED_DATASET_KEYS) if (dataset[k] !== undefined) out[k] = dataset[k];
  out['learning_rate'] = hp.learning_rate;
  out['num_epochs'] = hp.epochs;
  out['batch_size'] = hp.batch_size;
  if (mode === 'train') out['early_stop'] = { ...hp.early_stop };
  else Object.assign(out, { start_learning_rate: hp.start_learning_rate ?? hp.learning_rate, end_learning_rate: hp.learning_rate, steps: hp.steps });
  if (test) out['metrics'] = [test.loss, test.accuracy];
  return `${JSON.stringify(out)}\n`;
}
