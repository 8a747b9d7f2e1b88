// Dataset-level constraints (dataset_constraints_util.cc): the number of examples against the previous span or
// version (as a ratio) and against fixed bounds. These anomalies have no path.
import { clearField, isFieldSet } from '@bufbuild/protobuf';
import {
  AnomalyInfo_Type,
  type DatasetConstraints,
  DatasetConstraintsSchema,
  type NumericValueComparator,
  NumericValueComparatorSchema,
} from '../protos.ts';
import { int64FromDouble, sixDigits } from './absl-format.ts';
import { type Description, description } from './description.ts';
import type { DatasetStatsView } from './stats-view.ts';

function updateNumExamplesComparator(stats: DatasetStatsView, kind: 'span' | 'version', comparator: NumericValueComparator): Description[] {
  const f = NumericValueComparatorSchema.field;
  const hasMin = isFieldSet(comparator, f.minFractionThreshold);
  const hasMax = isFieldSet(comparator, f.maxFractionThreshold);
  if (!hasMin && !hasMax) return [];
  const control = kind === 'span' ? stats.previousSpan : stats.previousVersion;
  if (!control) return [];
  const controlName = kind === 'span' ? 'previous span' : 'previous version';
  const controlExamples = control.numExamples();
  const ratio = stats.numExamples() / controlExamples;
  const out: Description[] = [];
  if (hasMax) {
    const threshold = comparator.maxFractionThreshold;
    if (controlExamples === 0) {
      clearField(comparator, f.maxFractionThreshold);
      out.push(
        description(
          AnomalyInfo_Type.COMPARATOR_HIGH_NUM_EXAMPLES,
          `High num examples in current dataset versus the ${controlName}, which has 0.`,
          `The ${controlName} has 0 examples, so there is a high number of examples in the current dataset versus the ${controlName}.`,
        ),
      );
    } else if (ratio > threshold) {
      comparator.maxFractionThreshold = ratio;
      out.push(
        description(
          AnomalyInfo_Type.COMPARATOR_HIGH_NUM_EXAMPLES,
          `High num examples in current dataset versus the ${controlName}.`,
          `The ratio of num examples in the current dataset versus the ${controlName} is ${sixDigits(ratio)} (up to six significant digits), which is above the threshold ${sixDigits(threshold)}.`,
        ),
      );
    }
  }
  if (hasMin) {
    const threshold = comparator.minFractionThreshold;
    if (controlExamples !== 0 && ratio < threshold) {
      comparator.minFractionThreshold = ratio;
      out.push(
        description(
          AnomalyInfo_Type.COMPARATOR_LOW_NUM_EXAMPLES,
          `Low num examples in current dataset versus the ${controlName}.`,
          `The ratio of num examples in the current dataset versus the ${controlName} is ${sixDigits(ratio)} (up to six significant digits), which is below the threshold ${sixDigits(threshold)}.`,
        ),
      );
    }
  }
  return out;
}

function updateExamplesCount(stats: DatasetStatsView, constraints: DatasetConstraints): Description[] {
  const f = DatasetConstraintsSchema.field;
  const n = stats.numExamples();
  const out: Description[] = [];
  if (isFieldSet(constraints, f.minExamplesCount) && n < Number(constraints.minExamplesCount)) {
    constraints.minExamplesCount = int64FromDouble(n);
    out.push(description(AnomalyInfo_Type.DATASET_LOW_NUM_EXAMPLES, 'Low num examples in dataset.', `The dataset has ${sixDigits(n)} examples, which is fewer than expected.`));
  }
  if (isFieldSet(constraints, f.maxExamplesCount) && n > Number(constraints.maxExamplesCount)) {
    constraints.maxExamplesCount = int64FromDouble(n);
    out.push(description(AnomalyInfo_Type.DATASET_HIGH_NUM_EXAMPLES, 'High num examples in dataset.', `The dataset has ${sixDigits(n)} examples, which is more than expected.`));
  }
  return out;
}

export function updateDatasetConstraints(stats: DatasetStatsView, constraints: DatasetConstraints | undefined): Description[] {
  if (!constraints) return [];
  const out: Description[] = [];
  if (constraints.numExamplesDriftComparator) out.push(...updateNumExamplesComparator(stats, 'span', constraints.numExamplesDriftComparator));
  if (constraints.numExamplesVersionComparator) out.push(...updateNumExamplesComparator(stats, 'version', constraints.numExamplesVersionComparator));
  // TFDV quirk kept on purpose: the examples-count bounds are checked only when min_examples_count is set, so a
  // schema with max_examples_count alone never reports DATASET_HIGH_NUM_EXAMPLES.
  if (isFieldSet(constraints, DatasetConstraintsSchema.field.minExamplesCount)) out.push(...updateExamplesCount(stats, constraints));
  return out;
}
