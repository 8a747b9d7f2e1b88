// What the feeder reads from each shard row: the model's input columns with their dtypes, and the label.
import type { ModelSpec } from '@formalize/common/model';
import type { TransformArtifact } from '@formalize/common/transform';

export type FeatureDtype = 'float32' | 'int32';

export interface FeederColumn {
  readonly name: string;
  /** float32 for z-scored numeric features, int32 for vocabulary indices. */
  readonly dtype: FeatureDtype;
}

export interface FeederSpec {
  /** In model input order. */
  readonly features: readonly FeederColumn[];
  /** A 0/1 (or boolean) column. */
  readonly label: string;
}

/** The columns dataflow-preprocess wrote for `artifact`: z-scores as float32, vocabulary indices as int32. */
export function feederSpecFromTransform(artifact: TransformArtifact): FeederSpec {
  return {
    features: artifact.features.map((f) => ({ name: f.name, dtype: f.op === 'z_score' ? 'float32' : 'int32' })),
    label: artifact.label.name,
  };
}

/** The columns of a model's inputs (ModelSpec of @formalize/common/model): numeric float32, one-hot and embedding int32. */
export function feederSpecFromModel(spec: ModelSpec): FeederSpec {
  return { features: spec.inputs.map((i) => ({ name: i.name, dtype: i.kind === 'numeric' ? 'float32' : 'int32' })), label: spec.label };
}
