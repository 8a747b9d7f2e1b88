// Checking one existing schema feature against its statistics, in TFDV's order (schema.cc UpdateFeatureInternal):
// schema self-check, presence in the data and the environment, value counts, shape, presence, type, domain,
// uniqueness, then the drift and skew comparators. Every check also "fixes" the working schema copy.
import {
  AnomalyInfo_Type,
  type DriftSkewInfo_Measurement,
  type Feature,
  FeatureNameStatistics_Type,
  FeatureNameStatistics_TypeSchema,
  FeatureSchema,
  LifecycleStage,
} from '../protos.ts';
import { updateFeatureComparator } from './comparators.ts';
import { debugString } from './debug-string.ts';
import { type Description, description } from './description.ts';
import { updateBoolDomain } from './domains/bool-domain.ts';
import { bestEffortUpdateCustomDomain } from './domains/custom-domain.ts';
import { updateFloatDomain } from './domains/float-domain.ts';
import { updateImageDomain } from './domains/image-domain.ts';
import { updateIntDomain } from './domains/int-domain.ts';
import { updateNaturalLanguageDomain } from './domains/natural-language-domain.ts';
import { updateStringDomain } from './domains/string-domain.ts';
import type { UpdateSummary } from './domains/update-summary.ts';
import { maxOffDomain, updateFeatureShape, updateFeatureValueCounts, updatePresence, updateUniqueConstraints } from './feature-constraints.ts';
import { checkFeatureSelf, featureTypeName } from './feature-self-check.ts';
import { clearDomain, deprecate, featureIsDeprecated, markFeatureDerived, presenceOf } from './schema-access.ts';
import type { SchemaModel } from './schema-model.ts';
import type { FeatureStatsView } from './stats-view.ts';

export interface InternalUpdate {
  descriptions: Description[];
  drift: DriftSkewInfo_Measurement[];
  skew: DriftSkewInfo_Measurement[];
}

function statsTypeName(type: FeatureNameStatistics_Type): string {
  return FeatureNameStatistics_TypeSchema.values.find((v) => v.number === type)?.name ?? `unknown(${type})`;
}

// Statistics of raw BYTES only fit these domains.
const BYTES_DOMAINS = new Set<Feature['domainInfo']['case']>([undefined, 'naturalLanguageDomain', 'imageDomain', 'urlDomain']);

function checkEnvironment(model: SchemaModel, view: FeatureStatsView, feature: Feature, out: Description[]): void {
  const env = view.environment;
  if (env === undefined || model.isFeatureInEnvironment(feature, env)) return;
  // Present in data it was declared absent from: move it into the environment.
  feature.notInEnvironment = feature.notInEnvironment.filter((e) => e !== env);
  if (!model.isFeatureInEnvironment(feature, env)) feature.inEnvironment.push(env);
  out.push(
    description(
      AnomalyInfo_Type.SCHEMA_NEW_COLUMN,
      'Column missing in environment',
      `New column ${view.path.serialize()} found in data but not in the environment ${env} in the schema.`,
    ),
  );
}

function checkDomain(model: SchemaModel, view: FeatureStatsView, feature: Feature, out: Description[]): void {
  const apply = (summary: UpdateSummary) => {
    out.push(...summary.descriptions);
    if (summary.clearField) clearDomain(feature);
  };
  const domain = feature.domainInfo;
  switch (domain.case) {
    case 'domain': {
      // The self-check dropped references to unknown domains, so this one exists.
      const summary = updateStringDomain(view, maxOffDomain(feature.distributionConstraints), model.existingStringDomain(domain.value)!);
      out.push(...summary.descriptions);
      if (summary.clearField) model.clearStringDomain(domain.value);
      return;
    }
    case 'boolDomain':
      out.push(...updateBoolDomain(view, feature, domain.value));
      return;
    case 'intDomain':
      return apply(updateIntDomain(view, domain.value));
    case 'floatDomain':
      return apply(updateFloatDomain(view, domain.value));
    case 'stringDomain':
      return apply(updateStringDomain(view, maxOffDomain(feature.distributionConstraints), domain.value));
    case 'imageDomain':
      out.push(...updateImageDomain(view, domain.value));
      return;
    case 'naturalLanguageDomain':
      out.push(...updateNaturalLanguageDomain(view, feature, domain.value));
      return;
    case undefined:
      if (bestEffortUpdateCustomDomain(view, feature)) {
        out.push(description(AnomalyInfo_Type.SEMANTIC_DOMAIN_UPDATE, 'Updated semantic domain', `Updated semantic domain for feature: ${feature.name}`));
      }
      return;
    default:
      // mid, url and time domains are not checked; struct domains are checked through the children.
      return;
  }
}

export function updateFeatureInternal(model: SchemaModel, view: FeatureStatsView, feature: Feature): InternalUpdate {
  const result: InternalUpdate = { descriptions: checkFeatureSelf(model, feature), drift: [], skew: [] };
  const out = result.descriptions;
  if (featureIsDeprecated(feature)) return result;
  // Statistics that exist but count no example with the feature.
  if (view.numPresent() === 0) {
    if (model.isExistenceRequired(feature, view.environment)) {
      out.push(description(AnomalyInfo_Type.FEATURE_TYPE_NOT_PRESENT, 'Column dropped', 'The feature was not present in any examples.'));
      deprecate(feature);
    }
    return result;
  }
  checkEnvironment(model, view, feature, out);
  out.push(...updateFeatureValueCounts(view, feature));
  out.push(...updateFeatureShape(view, feature));
  const presence = presenceOf(feature);
  if (presence) out.push(...updatePresence(view, presence));
  if (view.featureType() !== feature.type) {
    deprecate(feature);
    out.push(
      description(AnomalyInfo_Type.UNEXPECTED_DATA_TYPE, 'Unexpected data type', `Expected data of type: ${featureTypeName(feature.type)} but got ${statsTypeName(view.type)}`),
    );
  }
  if (view.type === FeatureNameStatistics_Type.BYTES && !BYTES_DOMAINS.has(feature.domainInfo.case)) {
    clearDomain(feature);
    out.push(
      description(AnomalyInfo_Type.DOMAIN_INVALID_FOR_TYPE, 'Invalid domain type', `Data is marked as BYTES with incompatible domain_info: ${debugString(FeatureSchema, feature)}`),
    );
  }
  checkDomain(model, view, feature, out);
  if (feature.uniqueConstraints) out.push(...updateUniqueConstraints(view, feature));
  for (const kind of ['drift', 'skew'] as const) {
    const comparator = kind === 'drift' ? feature.driftComparator : feature.skewComparator;
    if (!comparator) continue;
    const r = updateFeatureComparator(view, kind, comparator);
    out.push(...r.descriptions);
    result[kind].push(...r.measurements);
  }
  const derivedSource = view.data.validationDerivedSource;
  if (derivedSource && !feature.validationDerivedSource) {
    markFeatureDerived(derivedSource, feature);
    out.push(description(AnomalyInfo_Type.DERIVED_FEATURE_INVALID_SOURCE, 'Derived source not set in schema.', 'Derived source not set in schema.'));
  }
  // TFDV's condition here (stage != VALIDATION_DERIVED || stage != DISABLED) always holds, so every derived
  // feature also reports a wrong lifecycle; kept as is to produce the same anomalies.
  if (feature.validationDerivedSource) {
    feature.lifecycleStage = LifecycleStage.VALIDATION_DERIVED;
    out.push(description(AnomalyInfo_Type.DERIVED_FEATURE_BAD_LIFECYCLE, 'Derived feature has wrong lifecycle.', 'Derived feature has wrong lifecycle.'));
  }
  return result;
}
