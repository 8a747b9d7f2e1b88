// A schema entry for a feature the schema lacks (schema.cc Updater::CreateColumn): this is all of schema
// inference, and also how validation fixes a schema for a new column.
import { create } from '@bufbuild/protobuf';
import { FeatureNameStatistics_Type, IntDomainSchema } from '../protos.ts';
import { boolDomainFromStats, isBoolDomainCandidate } from './domains/bool-domain.ts';
import { bestEffortUpdateCustomDomain } from './domains/custom-domain.ts';
import { isIntDomainCandidate } from './domains/int-domain.ts';
import { isStringDomainCandidate, updateStringDomain } from './domains/string-domain.ts';
import { initPresenceAndShape } from './feature-constraints.ts';
import { markFeatureDerived } from './schema-access.ts';
import type { SchemaModel } from './schema-model.ts';
import type { FeatureStatsView } from './stats-view.ts';
import type { Updater } from './updater.ts';

export function createColumn(updater: Updater, view: FeatureStatsView, model: SchemaModel): void {
  const path = view.path;
  if (model.existingFeature(path)) throw new Error(`internal: schema already contains "${path.serialize()}"`);
  const feature = model.newFeature(path);
  feature.type = view.featureType();
  initPresenceAndShape(view, updater.config.inferFeatureShape, feature);
  const derivedSource = view.data.validationDerivedSource;
  if (derivedSource) markFeatureDerived(derivedSource, feature);
  // The first matching domain wins: a semantic domain from the statistics, none for raw bytes, bool, int-as-string,
  // then a top-level string domain named after the feature.
  if (bestEffortUpdateCustomDomain(view, feature)) return;
  if (view.hasInvalidUtf8Strings() || view.type === FeatureNameStatistics_Type.BYTES) return;
  if (isBoolDomainCandidate(view)) {
    feature.domainInfo = { case: 'boolDomain', value: boolDomainFromStats(view) };
  } else if (isIntDomainCandidate(view)) {
    feature.domainInfo = { case: 'intDomain', value: create(IntDomainSchema) };
  } else if (isStringDomainCandidate(view, updater.config.enumThreshold)) {
    const domain = model.newStringDomain(path.serialize());
    updateStringDomain(view, 0, domain);
    feature.domainInfo = { case: 'domain', value: domain.name };
  }
}
