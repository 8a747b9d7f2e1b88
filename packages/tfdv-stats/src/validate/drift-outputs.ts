// What the validation component publishes about drift and skew: KFP metrics (flat name -> number, what Vertex
// shows for a system.Metrics artifact), the JSON drift report, and the rows of the HTML report. Drift comes from
// driftReport; skew from the skew measurements validateStatistics recorded in drift_skew_info.
import { type Anomalies, DriftSkewInfo_Measurement_Type } from '../protos.ts';
import type { DriftEntry } from '../report/index.ts';
import type { DriftReport } from './drift-report.ts';
import type { Thresholds } from './threshold-comparators.ts';
import { FeaturePath } from './path.ts';

/** One training/serving skew measurement of a feature. */
export interface SkewFeature {
  name: string;
  metric: 'L_INFTY' | 'JENSEN_SHANNON_DIVERGENCE' | 'NORMALIZED_ABSOLUTE_DIFFERENCE';
  value: number;
  threshold: number;
  skewed: boolean;
}

/** The JSON file of the `drift` output. */
export interface DriftFile {
  /** URIs of the statistics compared against, null when not given. */
  baseline: string | null;
  serving: string | null;
  thresholds: Thresholds;
  driftDetected: boolean;
  /** driftReport's features; empty without a baseline. */
  features: DriftReport['features'];
  skew: SkewFeature[];
}

const METRIC_NAMES: Record<number, SkewFeature['metric']> = {
  [DriftSkewInfo_Measurement_Type.L_INFTY]: 'L_INFTY',
  [DriftSkewInfo_Measurement_Type.JENSEN_SHANNON_DIVERGENCE]: 'JENSEN_SHANNON_DIVERGENCE',
  [DriftSkewInfo_Measurement_Type.NORMALIZED_ABSOLUTE_DIFFERENCE]: 'NORMALIZED_ABSOLUTE_DIFFERENCE',
};

const METRIC_KEYS: Record<SkewFeature['metric'], string> = {
  L_INFTY: 'l_infinity', JENSEN_SHANNON_DIVERGENCE: 'jensen_shannon', NORMALIZED_ABSOLUTE_DIFFERENCE: 'normalized_abs_difference',
};

const METRIC_LABELS: Record<SkewFeature['metric'], string> = {
  L_INFTY: 'L-infinity', JENSEN_SHANNON_DIVERGENCE: 'Jensen-Shannon', NORMALIZED_ABSOLUTE_DIFFERENCE: 'normalized abs. difference',
};

/** Skew measurements in drift_skew_info order (TFDV's, which is statistics order). */
export function skewFeatures(anomalies: Anomalies): SkewFeature[] {
  return anomalies.driftSkewInfo.flatMap((info) => {
    const name = new FeaturePath(info.path?.step ?? []).serialize();
    return info.skewMeasurements.map((m) => {
      const metric = METRIC_NAMES[m.type];
      if (!metric) throw new Error(`drift_skew_info of ${name}: unknown measurement type ${m.type}`);
      return { name, metric, value: m.value, threshold: m.threshold, skewed: m.value > m.threshold };
    });
  });
}

/** KFP metrics: `drift.<feature>.<metric>`, `skew.<feature>.<metric>` and the counts over threshold. */
export function driftMetrics(drift: DriftReport | undefined, skew: readonly SkewFeature[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (drift) {
    for (const f of drift.features) if (f.value !== null) out[`drift.${f.name}.${METRIC_KEYS[f.metric]}`] = f.value;
    out['drifted_features'] = drift.features.filter((f) => f.drifted).length;
  }
  if (skew) {
    for (const f of skew) out[`skew.${f.name}.${METRIC_KEYS[f.metric]}`] = f.value;
    out['skewed_features'] = new Set(skew.filter((f) => f.skewed).map((f) => f.name)).size;
  }
  return out;
}

/** Rows of the report's "Drift and skew" table. */
export function reportEntries(drift: DriftReport | undefined, skew: readonly SkewFeature[] | undefined): DriftEntry[] {
  return [
    ...(drift?.features ?? []).map((f) => ({
      feature: f.name, metric: `${METRIC_LABELS[f.metric]} drift`, value: f.value, threshold: f.threshold, drifted: f.drifted, ...(f.reason ? { reason: f.reason } : {}),
    })),
    ...(skew ?? []).map((f) => ({ feature: f.name, metric: `${METRIC_LABELS[f.metric]} skew`, value: f.value, threshold: f.threshold, drifted: f.skewed })),
  ];
}
