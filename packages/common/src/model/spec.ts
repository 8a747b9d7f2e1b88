// The seed's architecture (stage 2 and 3, `build_model`) as data, derived from the transform artifact's feature
// groups and vocabulary sizes: one input per feature, named after it; numeric features as float32 [batch, 1];
// a categorical feature with a small vocabulary one-hot over vocabulary + 1 slots (the index `vocabulary size`
// is the out-of-vocabulary bucket of `compute_and_apply_vocabulary(num_oov_buckets=1)`; the seed's
// `CategoryEncoding(num_tokens=vocab_size)` had no slot for it, seed bug 14); a larger one embedded in
// floor(sqrt(vocabulary size)) dimensions with vocabulary + 1 rows; everything concatenated, then Dense 128 ReLU,
// Dense 64 ReLU, Dense 1 (`logits`) and a sigmoid.
import type { TransformArtifact } from '../transform/artifact.ts';

export type ModelInput =
  | { name: string; kind: 'numeric' }
  /** One-hot over `width` = vocabularySize + 1 slots. */
  | { name: string; kind: 'onehot'; vocabularySize: number; width: number }
  /** `rows` = vocabularySize + 1, `dim` = floor(sqrt(vocabularySize)). */
  | { name: string; kind: 'embedding'; vocabularySize: number; rows: number; dim: number };

export interface ModelSpec {
  /** In the transform artifact's feature order (the order of the model's inputs). */
  inputs: ModelInput[];
  /** The label column (the model's target). */
  label: string;
  hiddenUnits: number[];
}

/** The seed's `metaparams = {"hidden_units": [128, 64]}`. */
export const HIDDEN_UNITS = [128, 64] as const;

/** Names of the fixed layers; feature-derived layer names must not collide with them. */
export const LAYER_NAMES = {
  concat: 'combines_inputs',
  hidden: (i: number) => `feedforward_${i + 1}`,
  logits: 'logits',
  output: 'probabilities',
  onehot: (feature: string) => `${feature}_onehot`,
  embedding: (feature: string) => `${feature}_embedding`,
  flatten: (feature: string) => `${feature}_flatten`,
} as const;

export class ModelSpecError extends Error {
  override name = 'ModelSpecError';
}

export function modelSpecFromTransform(artifact: TransformArtifact): ModelSpec {
  const inputs = artifact.features.map((f): ModelInput => {
    if (f.op === 'z_score') return { name: f.name, kind: 'numeric' };
    const vocabularySize = artifact.groups.vocabularySizes[f.name] ?? f.vocabulary.length;
    return f.group === 'embedding'
      ? { name: f.name, kind: 'embedding', vocabularySize, rows: vocabularySize + 1, dim: Math.max(1, Math.floor(Math.sqrt(vocabularySize))) }
      : { name: f.name, kind: 'onehot', vocabularySize, width: vocabularySize + 1 };
  });
  const spec: ModelSpec = { inputs, label: artifact.label.name, hiddenUnits: [...HIDDEN_UNITS] };
  const names = layerNames(spec);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ModelSpecError(`features: the layer name ${JSON.stringify(dup)} would be used twice (a feature is named like another feature's layer); rename the feature`);
  return spec;
}

/** Every layer name of the model the spec describes. */
export function layerNames(spec: ModelSpec): string[] {
  return [
    ...spec.inputs.flatMap((i) => [i.name, ...(i.kind === 'onehot' ? [LAYER_NAMES.onehot(i.name)] : i.kind === 'embedding' ? [LAYER_NAMES.embedding(i.name), LAYER_NAMES.flatten(i.name)] : [])]),
    ...(spec.inputs.length > 1 ? [LAYER_NAMES.concat] : []),
    ...spec.hiddenUnits.map((_, i) => LAYER_NAMES.hidden(i)), LAYER_NAMES.logits, LAYER_NAMES.output,
  ];
}
