// Sparse and weighted features (schema.cc UpdateSparseFeature / UpdateWeightedFeature): their statistics are
// custom stats written by TFDV's sparse/weighted feature generators; any problem deprecates the composite feature.
import { AnomalyInfo_Type, type CustomStatistic, type SparseFeature, type WeightedFeature } from '../protos.ts';
import { sixDigits } from './absl-format.ts';
import { type Description, description } from './description.ts';
import { deprecate } from './schema-access.ts';
import type { FeatureStatsView } from './stats-view.ts';

const num = (s: CustomStatistic) => (s.val.case === 'num' ? s.val.value : 0);
const rankBuckets = (s: CustomStatistic) => (s.val.case === 'rankHistogram' ? s.val.value.buckets : []);

export function updateSparseFeature(view: FeatureStatsView, sparse: SparseFeature): Description[] {
  const out: Description[] = [];
  for (const stat of view.customStats()) {
    if (stat.name === 'missing_value' && num(stat) !== 0) {
      out.push(description(AnomalyInfo_Type.SPARSE_FEATURE_MISSING_VALUE, 'Missing value feature', `Found ${sixDigits(num(stat))} examples missing value feature`));
    } else if (stat.name === 'missing_index') {
      // Each bucket is an index feature, its count the examples without it.
      for (const b of rankBuckets(stat)) {
        const count = Math.trunc(b.sampleCount);
        if (count !== 0) {
          out.push(description(AnomalyInfo_Type.SPARSE_FEATURE_MISSING_INDEX, 'Missing index feature', `Found ${count} examples missing index feature: ${b.label}`));
        }
      }
    } else if (stat.name === 'max_length_diff' || stat.name === 'min_length_diff') {
      for (const b of rankBuckets(stat)) {
        if (b.sampleCount === 0) continue;
        out.push(
          description(
            AnomalyInfo_Type.SPARSE_FEATURE_LENGTH_MISMATCH,
            'Length mismatch between value and index feature',
            `Mismatch between index feature: ${b.label} and value column, with ${stat.name} = ${Math.trunc(b.sampleCount)}`,
          ),
        );
      }
    }
    // Unknown custom stats are ignored, for forward compatibility.
  }
  if (out.length > 0) deprecate(sparse);
  return out;
}

export function updateWeightedFeature(view: FeatureStatsView, weighted: WeightedFeature): Description[] {
  const out: Description[] = [];
  let minDiff = 0;
  let maxDiff = 0;
  for (const stat of view.customStats()) {
    const n = num(stat);
    if (n === 0) continue;
    if (stat.name === 'missing_value') {
      out.push(description(AnomalyInfo_Type.WEIGHTED_FEATURE_MISSING_VALUE, 'Missing value feature', `Found ${sixDigits(n)} examples missing value feature.`));
    } else if (stat.name === 'missing_weight') {
      out.push(description(AnomalyInfo_Type.WEIGHTED_FEATURE_MISSING_WEIGHT, 'Missing weight feature', `Found ${sixDigits(n)} examples missing weight feature.`));
    } else if (stat.name === 'min_weight_length_diff') {
      minDiff = Math.trunc(n);
    } else if (stat.name === 'max_weight_length_diff') {
      maxDiff = Math.trunc(n);
    }
  }
  if (minDiff !== 0 || maxDiff !== 0) {
    out.push(
      description(
        AnomalyInfo_Type.WEIGHTED_FEATURE_LENGTH_MISMATCH,
        'Length mismatch between value and weight feature',
        `Mismatch between weight and value feature with min_weight_length_diff = ${minDiff} and max_weight_length_diff = ${maxDiff}.`,
      ),
    );
  }
  if (out.length > 0) deprecate(weighted);
  return out;
}
