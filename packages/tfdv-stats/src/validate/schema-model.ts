// A working copy of a Schema with TFDV's Schema class semantics (anomalies/schema.cc): features addressed by
// path through struct domains, environments, required features, and the updates that both fix a schema after
// validation and grow it during inference.
import { clone, create } from '@bufbuild/protobuf';
import {
  type AnomalyInfo_Severity,
  AnomalyInfo_Type,
  type DriftSkewInfo_Measurement,
  type Feature,
  FeatureSchema,
  type Schema,
  SchemaSchema,
  type SparseFeature,
  type StringDomain,
  StringDomainSchema,
  StructDomainSchema,
  type WeightedFeature,
} from '../protos.ts';
import { createColumn } from './column-creation.ts';
import { updateSparseFeature, updateWeightedFeature } from './composite-features.ts';
import { type ComparisonResult, updateFeatureComparator } from './comparators.ts';
import { updateDatasetConstraints } from './dataset-constraints.ts';
import { type Description, description } from './description.ts';
import { updateFeatureInternal } from './feature-update.ts';
import { FeaturePath } from './path.ts';
import { deprecate, featureIsDeprecated, presenceOf, weightedFeatureIsDeprecated } from './schema-access.ts';
import type { DatasetStatsView, FeatureStatsView } from './stats-view.ts';
import type { Updater } from './updater.ts';

/** The outcome of updating one feature (and, recursively, its children) against its statistics. */
export interface FeatureUpdate {
  descriptions: Description[];
  severity: AnomalyInfo_Severity;
  drift: DriftSkewInfo_Measurement[];
  skew: DriftSkewInfo_Measurement[];
}

function findByName<T extends { name: string }>(items: T[], name: string): T | undefined {
  return items.find((f) => f.name === name);
}

export class SchemaModel {
  readonly schema: Schema;

  constructor(schema: Schema) {
    this.schema = clone(SchemaSchema, schema);
  }

  existingFeature(path: FeaturePath): Feature | undefined {
    if (path.size === 0) return undefined;
    if (path.size === 1) return findByName(this.schema.feature, path.lastStep);
    const parent = this.existingFeature(path.parent());
    if (!parent || parent.domainInfo.case !== 'structDomain') return undefined;
    return findByName(parent.domainInfo.value.feature, path.lastStep);
  }

  existingSparseFeature(path: FeaturePath): SparseFeature | undefined {
    if (path.size === 0) return undefined;
    if (path.size === 1) return findByName(this.schema.sparseFeature, path.lastStep);
    const parent = this.existingFeature(path.parent());
    if (!parent || parent.domainInfo.case !== 'structDomain') return undefined;
    return findByName(parent.domainInfo.value.sparseFeature, path.lastStep);
  }

  /** Weighted features are always top-level. */
  existingWeightedFeature(path: FeaturePath): WeightedFeature | undefined {
    return path.size === 1 ? findByName(this.schema.weightedFeature, path.lastStep) : undefined;
  }

  featureExists(path: FeaturePath): boolean {
    return this.existingFeature(path) !== undefined || this.existingSparseFeature(path) !== undefined || this.existingWeightedFeature(path) !== undefined;
  }

  /** Deprecation of the feature, else of the sparse feature, at the path (false when neither exists). */
  isDeprecated(path: FeaturePath): boolean {
    const feature = this.existingFeature(path);
    if (feature) return featureIsDeprecated(feature);
    const sparse = this.existingSparseFeature(path);
    return sparse ? featureIsDeprecated(sparse) : false;
  }

  deprecateFeature(path: FeaturePath): void {
    const feature = this.existingFeature(path);
    if (feature) deprecate(feature);
  }

  /** Adds a feature at the path; a nested one goes into its parent's struct_domain (which replaces other domains). */
  newFeature(path: FeaturePath): Feature {
    const feature = create(FeatureSchema, { name: path.lastStep });
    if (path.size === 1) {
      this.schema.feature.push(feature);
      return feature;
    }
    const parent = this.existingFeature(path.parent());
    if (!parent) throw new Error(`internal: no schema feature ${path.parent().serialize()} to add ${path.serialize()} to`);
    if (parent.domainInfo.case !== 'structDomain') parent.domainInfo = { case: 'structDomain', value: create(StructDomainSchema) };
    parent.domainInfo.value.feature.push(feature);
    return feature;
  }

  existingStringDomain(name: string): StringDomain | undefined {
    return findByName(this.schema.stringDomain, name);
  }

  /** A new top-level string domain named after the feature, with "2", "3", ... appended on a name clash. */
  newStringDomain(candidate: string): StringDomain {
    const names = new Set(this.schema.stringDomain.map((d) => d.name));
    let name = candidate;
    for (let i = 2; names.has(name); i++) name = `${candidate}${i}`;
    const domain = create(StringDomainSchema, { name });
    this.schema.stringDomain.push(domain);
    return domain;
  }

  /** Drops a top-level string domain and every reference to it. */
  clearStringDomain(name: string): void {
    const clearIn = (features: Feature[]) => {
      for (const f of features) {
        if (f.domainInfo.case === 'domain' && f.domainInfo.value === name) f.domainInfo = { case: undefined };
        if (f.domainInfo.case === 'structDomain') clearIn(f.domainInfo.value.feature);
      }
    };
    clearIn(this.schema.feature);
    this.schema.stringDomain = this.schema.stringDomain.filter((d) => d.name !== name);
  }

  /** in_environment wins over not_in_environment, which wins over default_environment; no environment: always. */
  isFeatureInEnvironment(feature: Feature, environment: string | undefined): boolean {
    if (environment === undefined) return true;
    if (feature.inEnvironment.includes(environment)) return true;
    if (feature.notInEnvironment.includes(environment)) return false;
    return this.schema.defaultEnvironment.includes(environment);
  }

  /** Not deprecated, some presence required (min_count or min_fraction above 0), and in the environment. */
  isExistenceRequired(feature: Feature, environment: string | undefined): boolean {
    if (featureIsDeprecated(feature)) return false;
    const presence = presenceOf(feature);
    if (Number(presence?.minCount ?? 0n) <= 0 && (presence?.minFraction ?? 0) <= 0.0) return false;
    return this.isFeatureInEnvironment(feature, environment);
  }

  private requiredPaths(prefix: FeaturePath, features: Feature[], environment: string | undefined): FeaturePath[] {
    const out: FeaturePath[] = [];
    for (const f of features) {
      const path = prefix.child(f.name);
      if (this.isExistenceRequired(f, environment)) out.push(path);
      // A required child of an optional, absent parent is reported missing too (TFDV's documented oddity).
      if (!featureIsDeprecated(f) && f.domainInfo.case === 'structDomain') out.push(...this.requiredPaths(path, f.domainInfo.value.feature, environment));
    }
    return out;
  }

  /** Required schema features with no statistics at all. */
  missingPaths(stats: DatasetStatsView): FeaturePath[] {
    const present = new Set(stats.features().map((f) => f.path.key));
    return this.requiredPaths(new FeaturePath([]), this.schema.feature, stats.environment).filter((p) => !present.has(p.key));
  }

  /**
   * Schema::Update: brings the schema in line with the statistics (adds new features, loosens constraints,
   * grows domains) and deprecates required features the statistics lack.
   */
  update(stats: DatasetStatsView, updater: Updater): void {
    for (const view of stats.rootFeatures()) this.updateRecursively(updater, view);
    for (const path of this.missingPaths(stats)) this.deprecateFeature(path);
  }

  updateRecursively(updater: Updater, view: FeatureStatsView): FeatureUpdate {
    const result = this.updateFeature(updater, view);
    if (!this.isDeprecated(view.path)) {
      for (const child of view.children()) {
        const c = this.updateRecursively(updater, child);
        result.descriptions.push(...c.descriptions);
        result.severity = c.severity > result.severity ? c.severity : result.severity;
      }
    }
    result.severity = updater.severityFor(result.descriptions, result.severity);
    return result;
  }

  updateFeature(updater: Updater, view: FeatureStatsView): FeatureUpdate {
    const path = view.path;
    const feature = this.existingFeature(path);
    const sparse = this.existingSparseFeature(path);
    const weighted = this.existingWeightedFeature(path);
    const done = (descriptions: Description[], drift: DriftSkewInfo_Measurement[] = [], skew: DriftSkewInfo_Measurement[] = []): FeatureUpdate => ({
      descriptions,
      severity: updater.severityFor(descriptions),
      drift,
      skew,
    });
    if (weighted) {
      if ((feature || sparse) && !weightedFeatureIsDeprecated(weighted)) {
        deprecate(weighted);
        if (feature) deprecate(feature);
        if (sparse) deprecate(sparse);
        return done([description(AnomalyInfo_Type.WEIGHTED_FEATURE_NAME_COLLISION, 'Weighted feature name collision', 'Weighted feature name collision.')]);
      }
      return done(updateWeightedFeature(view, weighted));
    }
    if (sparse && !featureIsDeprecated(sparse)) {
      if (feature && !featureIsDeprecated(feature)) {
        deprecate(sparse);
        deprecate(feature);
        return done([description(AnomalyInfo_Type.SPARSE_FEATURE_NAME_COLLISION, 'Sparse feature name collision', 'Sparse feature name collision.')]);
      }
      return done(updateSparseFeature(view, sparse));
    }
    if (feature) {
      const r = updateFeatureInternal(this, view, feature);
      return done(r.descriptions, r.drift, r.skew);
    }
    const result = done([description(AnomalyInfo_Type.SCHEMA_NEW_COLUMN, 'New column', 'New column (column in data but not in schema)')]);
    createColumn(updater, view, this);
    return result;
  }

  /** Only the skew comparator of an existing feature (SchemaAnomalies::FindSkew). */
  updateSkewComparator(view: FeatureStatsView): ComparisonResult {
    const feature = this.existingFeature(view.path);
    if (!feature?.skewComparator) return { descriptions: [], measurements: [] };
    return updateFeatureComparator(view, 'skew', feature.skewComparator);
  }

  updateDatasetConstraints(stats: DatasetStatsView): Description[] {
    return updateDatasetConstraints(stats, this.schema.datasetConstraints);
  }
}
