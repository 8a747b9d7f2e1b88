// The analysis as a transform artifact (validated by its schema before anything is written with it).
import type { TransformArtifact } from '@formalize/common/transform';
import { TRANSFORM_FORMAT, TRANSFORM_VERSION, parseTransformArtifact } from '@formalize/common/transform';
import type { Analysis } from './analyze.ts';
import type { PreprocessPlan } from './plan.ts';

export function buildTransformArtifact(plan: PreprocessPlan, analysis: Analysis): TransformArtifact {
  const numeric = plan.numeric.map((c) => ({ name: c.name, op: 'z_score', group: 'numeric', type: c.type, ...analysis.moments.get(c.name)! }));
  const categorical = plan.categorical.map((c) => {
    const vocabulary = analysis.vocabularies.get(c.name)!;
    // The seed's transformed_data_analysis: a vocabulary larger than the threshold is embedded, not one-hot.
    return { name: c.name, op: 'vocabulary', group: vocabulary.length > plan.embeddingThreshold ? 'embedding' : 'categorical', type: c.type, vocabulary, numOovBuckets: 1 };
  });
  const features = [...numeric, ...categorical];
  return parseTransformArtifact({
    format: TRANSFORM_FORMAT,
    version: TRANSFORM_VERSION,
    source: plan.tableName,
    label: plan.label,
    features,
    groups: {
      numeric: numeric.map((f) => f.name),
      categorical: categorical.filter((f) => f.group === 'categorical').map((f) => f.name),
      embedding: categorical.filter((f) => f.group === 'embedding').map((f) => f.name),
      vocabularySizes: Object.fromEntries(categorical.map((f) => [f.name, f.vocabulary.length])),
      embeddingThreshold: plan.embeddingThreshold,
    },
    split: plan.split,
    analysis: { split: 'train', rows: analysis.rows },
  }, 'transform artifact');
}
