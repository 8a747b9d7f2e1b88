// A per-feature drift summary for pipelines (e.g. "retune when the data drifted"): L-infinity distance of the
// rank histograms for categorical features and Jensen-Shannon divergence of the STANDARD histograms for numeric
// ones, exactly as TFDV's drift comparators measure them, each against a threshold.
import { fieldError, parseField } from '@formalize/common';
import { z } from 'zod';
import { HistogramSelection_Type } from '../protos.ts';
import { type StatisticsInput, defaultDataset } from './default-dataset.ts';
import { featureJensenShannonDivergence, lInftyDistanceOfCounts, MetricInputError } from './metrics.ts';
import { type DriftThresholds, driftThresholdsSchema } from './drift-thresholds.ts';
import { DatasetStatsView, type FeatureStatsView } from './stats-view.ts';

export { DEFAULT_CATEGORICAL_L_INFINITY, DEFAULT_NUMERIC_JENSEN_SHANNON, driftThresholdsSchema, type DriftThresholds } from './drift-thresholds.ts';

export const driftFeatureSchema = z.object({
  /** The serialized feature path, as TFDV keys anomalies. */
  name: z.string(),
  type: z.enum(['categorical', 'numeric']),
  metric: z.enum(['L_INFTY', 'JENSEN_SHANNON_DIVERGENCE']),
  /** null when no value could be computed (see `reason`). */
  value: z.number().nullable(),
  threshold: z.number(),
  /** value > threshold, or the baseline lacks the feature (TFDV's COMPARATOR_CONTROL_DATA_MISSING). */
  drifted: z.boolean(),
  reason: z.string().optional(),
});

export const driftReportSchema = z.object({
  features: z.array(driftFeatureSchema),
  driftDetected: z.boolean(),
});

export type DriftFeature = z.infer<typeof driftFeatureSchema>;
export type DriftReport = z.infer<typeof driftReportSchema>;

function kindOf(view: FeatureStatsView): DriftFeature['type'] | undefined {
  if (view.data.stats.case === 'stringStats') return 'categorical';
  if (view.data.stats.case === 'numStats') return 'numeric';
  return undefined; // STRUCT and raw BYTES features carry no distribution to compare
}

function measure(view: FeatureStatsView, baseline: FeatureStatsView, type: DriftFeature['type']): { value: number | null; reason?: string } {
  if (type === 'categorical') return { value: lInftyDistanceOfCounts(view.stringValuesWithCounts(), baseline.stringValuesWithCounts()).value };
  try {
    return { value: featureJensenShannonDivergence(view.data, baseline.data, HistogramSelection_Type.STANDARD) };
  } catch (e) {
    // As in TFDV, a divergence that cannot be computed is no drift.
    if (e instanceof MetricInputError) return { value: null, reason: e.message };
    throw e;
  }
}

/** Drift of every categorical and numeric feature of `current` against `baseline` (default datasets of each). */
export function driftReport(current: StatisticsInput, baseline: StatisticsInput, thresholds: DriftThresholds = {}): DriftReport {
  const t = parseField(driftThresholdsSchema, thresholds, 'thresholds');
  const cur = defaultDataset(current, 'current');
  const base = defaultDataset(baseline, 'baseline');
  const baselineView = new DatasetStatsView(base.dataset, { byWeight: false, environment: undefined }, base.label);
  const currentView = new DatasetStatsView(cur.dataset, { byWeight: false, environment: undefined, previousSpan: baselineView }, cur.label);
  const views = currentView.features();
  const names = new Set(views.map((v) => v.path.serialize()));
  const unknown = Object.keys(t.features).filter((n) => !names.has(n));
  if (unknown.length > 0) throw fieldError('thresholds.features', `names of features in the current statistics (${[...names].join(', ')})`, unknown);
  const features: DriftFeature[] = [];
  for (const view of views) {
    const type = kindOf(view);
    if (!type) continue;
    const name = view.path.serialize();
    const metric = type === 'categorical' ? 'L_INFTY' : 'JENSEN_SHANNON_DIVERGENCE';
    const threshold = t.features[name] ?? (type === 'categorical' ? t.categoricalLInfinity : t.numericJensenShannon);
    const control = view.previousSpan();
    if (!control) {
      features.push({ name, type, metric, value: null, threshold, drifted: true, reason: 'the baseline statistics lack this feature' });
      continue;
    }
    const { value, reason } = measure(view, control, type);
    features.push({ name, type, metric, value, threshold, drifted: value !== null && value > threshold, ...(reason ? { reason } : {}) });
  }
  return { features, driftDetected: features.some((f) => f.drifted) };
}
