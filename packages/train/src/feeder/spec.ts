// What the feeder reads from each shard row: the model's input columns with their dtypes, and the label.
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
