// TFDV's SchemaAnomalies (anomalies/schema_anomalies.cc): walks the statistics against the schema, keeping one
// anomaly per feature path (each fixing its own copy of the schema), the drift/skew measurements per compared
// path, and the dataset-level anomaly, then assembles the Anomalies proto.
import { create } from '@bufbuild/protobuf';
import {
  Anomalies_AnomalyNameFormat,
  type Anomalies,
  AnomaliesSchema,
  type AnomalyInfo,
  AnomalyInfo_ReasonSchema,
  AnomalyInfo_Severity,
  AnomalyInfoSchema,
  AnomalyInfo_Type,
  type DriftSkewInfo_Measurement,
  DriftSkewInfoSchema,
  type Schema,
} from '../protos.ts';
import { type Description, description, filterDescriptions, unifyDescriptions } from './description.ts';
import type { FeaturePath } from './path.ts';
import { BaselineIndex, SchemaModel } from './schema-model.ts';
import type { DatasetStatsView, FeatureStatsView } from './stats-view.ts';
import { type Updater, maxSeverity } from './updater.ts';

class FeatureAnomaly {
  readonly path: FeaturePath;
  readonly model: SchemaModel;
  descriptions: Description[] = [];
  severity: AnomalyInfo_Severity = AnomalyInfo_Severity.UNKNOWN;
  drift: DriftSkewInfo_Measurement[] = [];
  skew: DriftSkewInfo_Measurement[] = [];

  constructor(baseline: Schema, index: BaselineIndex, path: FeaturePath) {
    this.path = path;
    this.model = new SchemaModel(baseline, index);
  }

  get isProblem(): boolean {
    return this.severity !== AnomalyInfo_Severity.UNKNOWN;
  }
}

function anomalyInfo(descriptions: readonly Description[], severity: AnomalyInfo_Severity, path?: FeaturePath): AnomalyInfo {
  const reasons = filterDescriptions(descriptions);
  const unified = unifyDescriptions(reasons);
  return create(AnomalyInfoSchema, {
    ...(path ? { path: path.toProto() } : {}),
    description: unified.longDescription,
    shortDescription: unified.shortDescription,
    severity,
    reason: reasons.map((r) => create(AnomalyInfo_ReasonSchema, { type: r.type, shortDescription: r.shortDescription, description: r.longDescription })),
  });
}

export class SchemaAnomalies {
  private readonly baseline: Schema;
  private readonly baselineIndex: BaselineIndex;
  private readonly baselineModel: SchemaModel;
  private readonly updater: Updater;
  private readonly anomalies = new Map<string, FeatureAnomaly>();
  private readonly driftSkew = new Map<string, { path: FeaturePath; drift: DriftSkewInfo_Measurement[]; skew: DriftSkewInfo_Measurement[] }>();
  private dataset: { descriptions: Description[]; severity: AnomalyInfo_Severity } | undefined;

  constructor(baseline: Schema, updater: Updater) {
    this.baseline = baseline;
    this.baselineIndex = new BaselineIndex(baseline);
    this.baselineModel = new SchemaModel(baseline, this.baselineIndex);
    this.updater = updater;
  }

  /** Applies `update` to the path's anomaly (a fresh one is kept only if it turns out to be a problem). */
  private genericUpdate(path: FeaturePath, update: (a: FeatureAnomaly) => void): void {
    let anomaly = this.anomalies.get(path.key);
    if (anomaly) update(anomaly);
    else {
      anomaly = new FeatureAnomaly(this.baseline, this.baselineIndex, path);
      update(anomaly);
      if (anomaly.isProblem) this.anomalies.set(path.key, anomaly);
    }
    if (anomaly.drift.length > 0 || anomaly.skew.length > 0) {
      const entry = this.driftSkew.get(path.key) ?? { path, drift: [], skew: [] };
      entry.drift.push(...anomaly.drift);
      entry.skew.push(...anomaly.skew);
      this.driftSkew.set(path.key, entry);
    }
  }

  private findChangesRecursively(view: FeatureStatsView): void {
    const path = view.path;
    if (this.baselineModel.featureExists(path)) {
      if (this.baselineModel.isDeprecated(path)) return;
      this.genericUpdate(path, (a) => {
        const r = a.model.updateFeature(this.updater, view);
        a.descriptions.push(...r.descriptions);
        a.severity = maxSeverity(a.severity, r.severity);
        a.drift.push(...r.drift);
        a.skew.push(...r.skew);
      });
      // Children of a feature this validation had to deprecate are not checked.
      if (this.anomalies.get(path.key)?.model.isDeprecated(path)) return;
      for (const child of view.children()) this.findChangesRecursively(child);
      return;
    }
    // A new feature, with all its descendants, is one anomaly at its path.
    let anomaly = this.anomalies.get(path.key);
    if (!anomaly) {
      anomaly = new FeatureAnomaly(this.baseline, this.baselineIndex, path);
      this.anomalies.set(path.key, anomaly);
    }
    const r = anomaly.model.updateRecursively(this.updater, view);
    anomaly.severity = maxSeverity(anomaly.severity, r.severity);
    anomaly.descriptions.push(...r.descriptions);
  }

  /** SchemaAnomalies::FindChanges: every feature, then required features without statistics, then the dataset. */
  findChanges(stats: DatasetStatsView): void {
    for (const view of stats.rootFeatures()) this.findChangesRecursively(view);
    for (const path of this.baselineModel.missingPaths(stats)) {
      this.genericUpdate(path, (a) => {
        a.descriptions.push(description(AnomalyInfo_Type.SCHEMA_MISSING_COLUMN, 'Column dropped', 'Column is completely missing'));
        a.severity = this.updater.severityFor(a.descriptions, a.severity);
        a.model.deprecateFeature(path);
      });
    }
    const model = new SchemaModel(this.baseline, this.baselineIndex);
    const descriptions = model.updateDatasetConstraints(stats);
    if (descriptions.length > 0) this.dataset = { descriptions, severity: AnomalyInfo_Severity.ERROR };
  }

  /** SchemaAnomalies::FindSkew: only the skew comparators, for every feature of the training statistics. */
  findSkew(stats: DatasetStatsView): void {
    for (const view of stats.features()) {
      this.genericUpdate(view.path, (a) => {
        const r = a.model.updateSkewComparator(view);
        if (r.descriptions.length > 0) a.severity = maxSeverity(a.severity, AnomalyInfo_Severity.ERROR);
        a.descriptions.push(...r.descriptions);
        // Like TFDV, the measurements of this pass replace the anomaly's earlier ones.
        if (r.measurements.length > 0) {
          a.drift = [];
          a.skew = [...r.measurements];
        }
      });
    }
  }

  /** The Anomalies proto: anomaly_info keyed by serialized path, drift_skew_info in path order. */
  result(): Anomalies {
    const anomalyInfoByPath: Record<string, AnomalyInfo> = {};
    const byPath = [...this.anomalies.values()].sort((a, b) => a.path.compare(b.path));
    for (const a of byPath) anomalyInfoByPath[a.path.serialize()] = anomalyInfo(a.descriptions, a.severity, a.path);
    return create(AnomaliesSchema, {
      baselineSchema: { case: 'baseline', value: this.baseline },
      anomalyNameFormat: Anomalies_AnomalyNameFormat.SERIALIZED_PATH,
      anomalyInfo: anomalyInfoByPath,
      ...(this.dataset ? { datasetAnomalyInfo: anomalyInfo(this.dataset.descriptions, this.dataset.severity) } : {}),
      driftSkewInfo: [...this.driftSkew.values()]
        .sort((a, b) => a.path.compare(b.path))
        .map((e) => create(DriftSkewInfoSchema, { path: e.path.toProto(), driftMeasurements: e.drift, skewMeasurements: e.skew })),
    });
  }
}
