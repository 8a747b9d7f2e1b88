// Drift (current vs previous span) and skew (training vs serving) comparators of one feature, as TFDV's
// UpdateFeatureComparatorDirect runs them: each metric with a threshold is measured (the measurement is kept
// whether or not it fires), and a value above the threshold is an anomaly that raises the threshold to it.
import { clearField, create, isFieldSet } from '@bufbuild/protobuf';
import {
  AnomalyInfo_Type,
  DriftSkewInfo_Measurement_Type,
  type DriftSkewInfo_Measurement,
  DriftSkewInfo_MeasurementSchema,
  type FeatureComparator,
  HistogramSelection_Type,
  InfinityNormSchema,
  JensenShannonDivergenceSchema,
  NormalizedAbsoluteDifferenceSchema,
} from '../protos.ts';
import { sixDigits } from './absl-format.ts';
import { type Description, description } from './description.ts';
import { featureJensenShannonDivergence, lInftyDistanceOfCounts, MetricInputError, normalizedAbsoluteDifferenceOfCounts } from './metrics.ts';
import type { FeatureStatsView } from './stats-view.ts';

export type ComparatorKind = 'drift' | 'skew';

export interface ComparisonResult {
  descriptions: Description[];
  measurements: DriftSkewInfo_Measurement[];
}

const CONTEXT: Record<ComparatorKind, { control: string; treatment: string }> = {
  skew: { control: 'serving', treatment: 'training' },
  drift: { control: 'previous', treatment: 'current' },
};

function controlOf(view: FeatureStatsView, kind: ComparatorKind): FeatureStatsView | undefined {
  return kind === 'skew' ? view.serving() : view.previousSpan();
}

function hasControlDataset(view: FeatureStatsView, kind: ComparatorKind): boolean {
  return (kind === 'skew' ? view.dataset.serving : view.dataset.previousSpan) !== undefined;
}

function measurement(type: DriftSkewInfo_Measurement_Type, value: number, threshold: number): DriftSkewInfo_Measurement {
  return create(DriftSkewInfo_MeasurementSchema, { type, value, threshold });
}

export function updateFeatureComparator(view: FeatureStatsView, kind: ComparatorKind, comparator: FeatureComparator): ComparisonResult {
  const result: ComparisonResult = { descriptions: [], measurements: [] };
  const linf = comparator.infinityNorm && isFieldSet(comparator.infinityNorm, InfinityNormSchema.field.threshold) ? comparator.infinityNorm : undefined;
  const nad =
    comparator.normalizedAbsDifference && isFieldSet(comparator.normalizedAbsDifference, NormalizedAbsoluteDifferenceSchema.field.threshold)
      ? comparator.normalizedAbsDifference
      : undefined;
  const jsd =
    comparator.jensenShannonDivergence && isFieldSet(comparator.jensenShannonDivergence, JensenShannonDivergenceSchema.field.threshold)
      ? comparator.jensenShannonDivergence
      : undefined;
  if (!linf && !nad && !jsd) return result;
  const { control: controlName, treatment } = CONTEXT[kind];
  const control = controlOf(view, kind);
  if (!control) {
    // Comparing against a dataset that lacks the feature is an anomaly; with no such dataset nothing is compared.
    if (!hasControlDataset(view, kind)) return result;
    if (linf) clearField(linf, InfinityNormSchema.field.threshold);
    if (nad) clearField(nad, NormalizedAbsoluteDifferenceSchema.field.threshold);
    if (jsd) clearField(jsd, JensenShannonDivergenceSchema.field.threshold);
    result.descriptions.push(description(AnomalyInfo_Type.COMPARATOR_CONTROL_DATA_MISSING, `${controlName} data missing`, `${controlName} data is missing.`));
    return result;
  }
  const between = `between ${treatment} and ${controlName}`;
  if (linf) {
    const { value, featureValue } = lInftyDistanceOfCounts(view.stringValuesWithCounts(), control.stringValuesWithCounts());
    const threshold = linf.threshold;
    result.measurements.push(measurement(DriftSkewInfo_Measurement_Type.L_INFTY, value, threshold));
    if (!(value <= threshold)) {
      linf.threshold = value;
      result.descriptions.push(
        description(
          AnomalyInfo_Type.COMPARATOR_L_INFTY_HIGH,
          `High Linfty distance ${between}`,
          `The Linfty distance ${between} is ${sixDigits(value)} (up to six significant digits), above the threshold ${sixDigits(threshold)}. The feature value with maximum difference is: ${featureValue}`,
        ),
      );
    }
  }
  if (nad) {
    const { value, featureValue } = normalizedAbsoluteDifferenceOfCounts(view.stringValuesWithCounts(), control.stringValuesWithCounts());
    const threshold = nad.threshold;
    result.measurements.push(measurement(DriftSkewInfo_Measurement_Type.NORMALIZED_ABSOLUTE_DIFFERENCE, value, threshold));
    if (!(value <= threshold)) {
      nad.threshold = value;
      result.descriptions.push(
        description(
          AnomalyInfo_Type.COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH,
          `High normalized absolute difference ${between}`,
          `The normalized absolute difference ${between} is ${sixDigits(value)} (up to six significant digits), above the threshold ${sixDigits(threshold)}. The feature value with maximum difference is: ${featureValue}`,
        ),
      );
    }
  }
  if (jsd) {
    const threshold = jsd.threshold;
    let value: number;
    try {
      value = featureJensenShannonDivergence(view.data, control.data, jsd.source?.type ?? HistogramSelection_Type.DEFAULT, view.dataset.byWeight);
    } catch (e) {
      // TFDV only logs that the divergence cannot be computed for this feature: no measurement, no anomaly.
      if (e instanceof MetricInputError) return result;
      throw e;
    }
    result.measurements.push(measurement(DriftSkewInfo_Measurement_Type.JENSEN_SHANNON_DIVERGENCE, value, threshold));
    if (value > threshold) {
      jsd.threshold = value;
      result.descriptions.push(
        description(
          AnomalyInfo_Type.COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH,
          `High approximate Jensen-Shannon divergence ${between}`,
          `The approximate Jensen-Shannon divergence ${between} is ${sixDigits(value)} (up to six significant digits), above the threshold ${sixDigits(threshold)}.`,
        ),
      );
    }
  }
  return result;
}
