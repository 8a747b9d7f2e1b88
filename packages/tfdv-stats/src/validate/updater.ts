// The configuration TFDV's schema updater runs with (FeatureStatisticsToProtoConfig as the Python API fills it)
// and the severity it gives to a feature's anomaly reasons.
import { AnomalyInfo_Severity, type AnomalyInfo_Type } from '../protos.ts';
import type { Description } from './description.ts';

export interface SeverityOverride {
  type: AnomalyInfo_Type;
  severity: AnomalyInfo_Severity;
}

export interface UpdaterConfig {
  /** A string feature with at most this many distinct values gets a string domain. */
  enumThreshold: number;
  /** Infer `shape` (rather than value counts) for new features. */
  inferFeatureShape: boolean;
  severityOverrides: readonly SeverityOverride[];
}

/** Validation creates entries for new columns with TFDV's C++ default (kDefaultEnumThreshold), not inference's 100. */
export const VALIDATION_ENUM_THRESHOLD = 400;

// UNKNOWN < WARNING < ERROR, which is also their enum order.
export function maxSeverity(a: AnomalyInfo_Severity, b: AnomalyInfo_Severity): AnomalyInfo_Severity {
  return a > b ? a : b;
}

export class Updater {
  readonly config: UpdaterConfig;

  constructor(config: UpdaterConfig) {
    this.config = config;
  }

  /** Every reason is an ERROR unless an override names its type; the anomaly takes the most severe. */
  severityFor(descriptions: readonly Description[], current: AnomalyInfo_Severity = AnomalyInfo_Severity.UNKNOWN): AnomalyInfo_Severity {
    let severity = current;
    for (const d of descriptions) {
      let forThis: AnomalyInfo_Severity = AnomalyInfo_Severity.ERROR;
      for (const o of this.config.severityOverrides) if (o.type === d.type) forThis = o.severity;
      severity = maxSeverity(severity, forThis);
    }
    return severity;
  }
}
