// A working copy of a Schema with TFDV's Schema class semantics (anomalies/schema.cc): features addressed by
// path through struct domains, environments, required features, and the updates that both fix a schema after
// validation and grow it during inference.
import { clone, create, type DescMessage } from '@bufbuild/protobuf';
import {
  type AnomalyInfo_Severity,
  AnomalyInfo_Type,
  type DatasetConstraints,
  DatasetConstraintsSchema,
  type DriftSkewInfo_Measurement,
  type Feature,
  FeatureSchema,
  type Schema,
  SchemaSchema,
  type SparseFeature,
  SparseFeatureSchema,
  type StringDomain,
  StringDomainSchema,
  StructDomainSchema,
  type WeightedFeature,
  WeightedFeatureSchema,
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

type Named = { name: string };

/** name -> index of the first element with that name (TFDV's lookups take the first match). */
function firstIndexes(items: readonly Named[]): ReadonlyMap<string, number> {
  const m = new Map<string, number>();
  items.forEach((f, i) => {
    if (!m.has(f.name)) m.set(f.name, i);
  });
  return m;
}

/** The name indexes of a baseline schema, computed once and shared by every model copied from it. */
export class BaselineIndex {
  readonly features: ReadonlyMap<string, number>;
  readonly sparseFeatures: ReadonlyMap<string, number>;
  readonly weightedFeatures: ReadonlyMap<string, number>;
  readonly stringDomains: ReadonlyMap<string, number>;

  constructor(baseline: Schema) {
    this.features = firstIndexes(baseline.feature);
    this.sparseFeatures = firstIndexes(baseline.sparseFeature);
    this.weightedFeatures = firstIndexes(baseline.weightedFeature);
    this.stringDomains = firstIndexes(baseline.stringDomain);
  }
}

/** First element by name (TFDV's lookups take the first match): the baseline's elements, then those appended here. */
class NameIndex {
  private base: ReadonlyMap<string, number>;
  private readonly appended = new Map<string, number>();

  constructor(base: ReadonlyMap<string, number>) {
    this.base = base;
  }

  get(name: string): number {
    return this.base.get(name) ?? this.appended.get(name) ?? -1;
  }

  add(name: string, index: number): void {
    if (this.get(name) < 0) this.appended.set(name, index);
  }

  reset(items: readonly Named[]): void {
    this.base = firstIndexes(items);
    this.appended.clear();
  }
}

/**
 * TFDV fixes a private copy of the schema per anomaly. Copying the whole schema per feature is quadratic, so the
 * working copy shares the baseline's features and domains and clones one only when it is handed out for change
 * (an element cloned here, or created here, is "owned"; everything inside an owned feature is private too).
 */
export class SchemaModel {
  private readonly working: Schema;
  private readonly owned = new WeakSet<object>();
  private readonly features: NameIndex;
  private readonly sparseFeatures: NameIndex;
  private readonly weightedFeatures: NameIndex;
  private readonly stringDomains: NameIndex;

  /** `index` must describe `baseline` as it is now; pass one to share it between copies of the same baseline. */
  constructor(baseline: Schema, index = new BaselineIndex(baseline)) {
    this.features = new NameIndex(index.features);
    this.sparseFeatures = new NameIndex(index.sparseFeatures);
    this.weightedFeatures = new NameIndex(index.weightedFeatures);
    this.stringDomains = new NameIndex(index.stringDomains);
    // Own repeated fields; the elements stay shared until touched. (Object.assign keeps the message prototype.)
    this.working = Object.assign(create(SchemaSchema), baseline, {
      feature: [...baseline.feature],
      sparseFeature: [...baseline.sparseFeature],
      weightedFeature: [...baseline.weightedFeature],
      stringDomain: [...baseline.stringDomain],
    });
  }

  /** A standalone copy of the schema as it stands. */
  toSchema(): Schema {
    return clone(SchemaSchema, this.working);
  }

  get defaultEnvironment(): readonly string[] {
    return this.working.defaultEnvironment;
  }

  private own<T extends Feature | SparseFeature | WeightedFeature | StringDomain>(desc: DescMessage, items: T[], i: number): T {
    const item = items[i]!;
    if (this.owned.has(item)) return item;
    const copy = clone(desc, item) as T;
    this.owned.add(copy);
    items[i] = copy;
    return copy;
  }

  /** The feature at the path without copying it: only for reading. */
  private peekFeature(path: FeaturePath): Feature | undefined {
    if (path.size === 0) return undefined;
    if (path.size === 1) return this.working.feature[this.features.get(path.lastStep)];
    const parent = this.peekFeature(path.parent());
    if (parent?.domainInfo.case !== 'structDomain') return undefined;
    return parent.domainInfo.value.feature.find((f) => f.name === path.lastStep);
  }

  /** The feature at the path, ready to be changed. */
  existingFeature(path: FeaturePath): Feature | undefined {
    if (path.size === 0) return undefined;
    if (path.size === 1) {
      const i = this.features.get(path.lastStep);
      return i < 0 ? undefined : this.own(FeatureSchema, this.working.feature, i);
    }
    if (!this.peekFeature(path)) return undefined;
    // Owning the top-level ancestor makes the whole subtree private.
    const parent = this.existingFeature(path.parent())!;
    return parent.domainInfo.case === 'structDomain' ? parent.domainInfo.value.feature.find((f) => f.name === path.lastStep) : undefined;
  }

  private peekSparseFeature(path: FeaturePath): SparseFeature | undefined {
    if (path.size === 0) return undefined;
    if (path.size === 1) return this.working.sparseFeature[this.sparseFeatures.get(path.lastStep)];
    const parent = this.peekFeature(path.parent());
    if (parent?.domainInfo.case !== 'structDomain') return undefined;
    return parent.domainInfo.value.sparseFeature.find((f) => f.name === path.lastStep);
  }

  existingSparseFeature(path: FeaturePath): SparseFeature | undefined {
    if (!this.peekSparseFeature(path)) return undefined;
    if (path.size === 1) return this.own(SparseFeatureSchema, this.working.sparseFeature, this.sparseFeatures.get(path.lastStep));
    const parent = this.existingFeature(path.parent())!;
    return parent.domainInfo.case === 'structDomain' ? parent.domainInfo.value.sparseFeature.find((f) => f.name === path.lastStep) : undefined;
  }

  /** Weighted features are always top-level. */
  existingWeightedFeature(path: FeaturePath): WeightedFeature | undefined {
    const i = path.size === 1 ? this.weightedFeatures.get(path.lastStep) : -1;
    return i < 0 ? undefined : this.own(WeightedFeatureSchema, this.working.weightedFeature, i);
  }

  featureExists(path: FeaturePath): boolean {
    return this.peekFeature(path) !== undefined || this.peekSparseFeature(path) !== undefined || (path.size === 1 && this.weightedFeatures.get(path.lastStep) >= 0);
  }

  /** Deprecation of the feature, else of the sparse feature, at the path (false when neither exists). */
  isDeprecated(path: FeaturePath): boolean {
    const feature = this.peekFeature(path);
    if (feature) return featureIsDeprecated(feature);
    const sparse = this.peekSparseFeature(path);
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
      this.owned.add(feature);
      this.features.add(feature.name, this.working.feature.push(feature) - 1);
      return feature;
    }
    const parent = this.existingFeature(path.parent());
    if (!parent) throw new Error(`internal: no schema feature ${path.parent().serialize()} to add ${path.serialize()} to`);
    if (parent.domainInfo.case !== 'structDomain') parent.domainInfo = { case: 'structDomain', value: create(StructDomainSchema) };
    parent.domainInfo.value.feature.push(feature);
    return feature;
  }

  hasStringDomain(name: string): boolean {
    return this.stringDomains.get(name) >= 0;
  }

  existingStringDomain(name: string): StringDomain | undefined {
    const i = this.stringDomains.get(name);
    return i < 0 ? undefined : this.own(StringDomainSchema, this.working.stringDomain, i);
  }

  /** A new top-level string domain named after the feature, with "2", "3", ... appended on a name clash. */
  newStringDomain(candidate: string): StringDomain {
    let name = candidate;
    for (let i = 2; this.hasStringDomain(name); i++) name = `${candidate}${i}`;
    const domain = create(StringDomainSchema, { name });
    this.owned.add(domain);
    this.stringDomains.add(name, this.working.stringDomain.push(domain) - 1);
    return domain;
  }

  /** Drops a top-level string domain and every reference to it. */
  clearStringDomain(name: string): void {
    const references = (f: Feature): boolean =>
      (f.domainInfo.case === 'domain' && f.domainInfo.value === name) || (f.domainInfo.case === 'structDomain' && f.domainInfo.value.feature.some(references));
    const clearIn = (features: Feature[]) => {
      for (const f of features) {
        if (f.domainInfo.case === 'domain' && f.domainInfo.value === name) f.domainInfo = { case: undefined };
        if (f.domainInfo.case === 'structDomain') clearIn(f.domainInfo.value.feature);
      }
    };
    this.working.feature.forEach((f, i) => {
      if (references(f)) clearIn([this.own(FeatureSchema, this.working.feature, i)]);
    });
    this.working.stringDomain = this.working.stringDomain.filter((d) => d.name !== name);
    this.stringDomains.reset(this.working.stringDomain);
  }

  /** The dataset constraints, ready to be changed (undefined when the schema has none). */
  existingDatasetConstraints(): DatasetConstraints | undefined {
    const constraints = this.working.datasetConstraints;
    if (!constraints || this.owned.has(constraints)) return constraints;
    const copy = clone(DatasetConstraintsSchema, constraints);
    this.owned.add(copy);
    this.working.datasetConstraints = copy;
    return copy;
  }

  /** in_environment wins over not_in_environment, which wins over default_environment; no environment: always. */
  isFeatureInEnvironment(feature: Feature, environment: string | undefined): boolean {
    if (environment === undefined) return true;
    if (feature.inEnvironment.includes(environment)) return true;
    if (feature.notInEnvironment.includes(environment)) return false;
    return this.working.defaultEnvironment.includes(environment);
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
    return this.requiredPaths(new FeaturePath([]), this.working.feature, stats.environment).filter((p) => !present.has(p.key));
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
    // Peek first: most features have no skew comparator, and owning one copies it.
    if (!this.peekFeature(view.path)?.skewComparator) return { descriptions: [], measurements: [] };
    return updateFeatureComparator(view, 'skew', this.existingFeature(view.path)!.skewComparator!);
  }

  updateDatasetConstraints(stats: DatasetStatsView): Description[] {
    return updateDatasetConstraints(stats, this.existingDatasetConstraints());
  }
}
