// A schema feature's own consistency, checked before it is compared with statistics (schema.cc
// UpdateFeatureSelf): name and type present, presence/valency/shape bounds sane, the domain fits the type.
import { clearField, isFieldSet } from '@bufbuild/protobuf';
import { AnomalyInfo_Type, type Feature, FeaturePresenceSchema, FeatureSchema, FeatureType, FeatureTypeSchema, ValueCountSchema } from '../protos.ts';
import { type Description, description } from './description.ts';
import { fixBoolDomain } from './domains/bool-domain.ts';
import { dedupeStringDomain } from './domains/string-domain.ts';
import { clearDomain, clearShapeType, deprecate, featureIsDeprecated, presenceOf, shapeOf, valueCountOf, valueCountsOf } from './schema-access.ts';
import type { SchemaModel } from './schema-model.ts';

type DomainCase = Feature['domainInfo']['case'];

const ANY_TYPE = [FeatureType.INT, FeatureType.FLOAT, FeatureType.BYTES, FeatureType.STRUCT];

/** The physical types each kind of domain may describe (AllowedFeatureTypes). */
function allowedTypes(domain: DomainCase): FeatureType[] {
  switch (domain) {
    case 'domain':
    case 'stringDomain':
    case 'imageDomain':
    case 'midDomain':
    case 'urlDomain':
      return [FeatureType.BYTES];
    case 'boolDomain':
      return [FeatureType.INT, FeatureType.BYTES, FeatureType.FLOAT];
    case 'intDomain':
    case 'timeDomain':
      return [FeatureType.INT, FeatureType.BYTES];
    case 'floatDomain':
      return [FeatureType.FLOAT, FeatureType.BYTES];
    case 'structDomain':
      return [FeatureType.STRUCT];
    case 'naturalLanguageDomain':
      return [FeatureType.BYTES, FeatureType.INT];
    default:
      return ANY_TYPE;
  }
}

/** The proto field name of the domain, as TFDV quotes it ("UNSET" without one). */
function domainName(domain: DomainCase): string {
  return domain === undefined ? 'UNSET' : FeatureSchema.field[domain].name;
}

export function featureTypeName(type: FeatureType): string {
  return FeatureTypeSchema.values.find((v) => v.number === type)?.name ?? `unknown(${type})`;
}

function checkBounds(feature: Feature): Description[] {
  const out: Description[] = [];
  const invalid = (short: string, long = '') => out.push(description(AnomalyInfo_Type.INVALID_SCHEMA_SPECIFICATION, short, long));
  const presence = presenceOf(feature);
  if (presence && presence.minFraction < 0.0) {
    clearField(presence, FeaturePresenceSchema.field.minFraction);
    invalid('min_fraction should not be negative: clear is equal to zero');
  }
  if (presence && presence.minFraction > 1.0) {
    presence.minFraction = 1.0;
    invalid('min_fraction should not greater than 1');
  }
  const vc = valueCountOf(feature);
  if (vc && vc.min < 0n) {
    clearField(vc, ValueCountSchema.field.min);
    invalid('ValueCount.min should not be negative');
  }
  if (vc && isFieldSet(vc, ValueCountSchema.field.max) && vc.max < vc.min) {
    invalid('ValueCount.max should not be less than min');
    vc.max = vc.min;
  }
  (valueCountsOf(feature)?.valueCount ?? []).forEach((c, i) => {
    if (c.min < 0n) {
      clearField(c, ValueCountSchema.field.min);
      invalid('ValueCounts.min should not be negative', `ValueCounts.min at level ${i} should not be negative.`);
    }
    if (isFieldSet(c, ValueCountSchema.field.max) && c.max < c.min) {
      c.max = c.min;
      invalid('ValueCounts.max should not be less than min', `ValueCounts.max at level ${i} should not be less than min.`);
    }
  });
  if (shapeOf(feature)?.dim.some((d) => d.size <= 0n)) {
    clearShapeType(feature, 'shape');
    invalid('Shape.dim.size must be a positive integer');
  }
  return out;
}

/** Distribution constraints only make sense with a string domain. */
function unsupportedDistributionConstraints(domain: DomainCase): string | undefined {
  switch (domain) {
    case 'domain':
    case 'stringDomain':
      return undefined;
    case 'boolDomain':
      return 'distribution constraints not supported for bool domains.';
    case 'intDomain':
      return 'distribution constraints not supported for int domains.';
    case 'floatDomain':
      return 'distribution constraints not supported for float domains.';
    case 'structDomain':
      return 'distribution constraints not supported for struct domains.';
    case undefined:
      return 'distribution constraints require domain or string domain.';
    default:
      return 'distribution constraints not supported for semantic domains.';
  }
}

// Domains this validation knows (the rest, e.g. audio_domain, are unknown to TFDV's checks and dropped).
const KNOWN_DOMAINS = new Set<DomainCase>([
  undefined,
  'domain',
  'boolDomain',
  'intDomain',
  'floatDomain',
  'stringDomain',
  'structDomain',
  'naturalLanguageDomain',
  'imageDomain',
  'midDomain',
  'urlDomain',
  'timeDomain',
]);

function checkDomain(model: SchemaModel, feature: Feature): Description[] {
  const out: Description[] = [];
  if (!allowedTypes(feature.domainInfo.case).includes(feature.type)) {
    out.push(
      description(
        AnomalyInfo_Type.DOMAIN_INVALID_FOR_TYPE,
        'The domain does not match the type',
        `The domain "${domainName(feature.domainInfo.case)}" does not match the type: ${featureTypeName(feature.type)}`,
      ),
    );
    clearDomain(feature);
  }
  const domain = feature.domainInfo;
  if (!KNOWN_DOMAINS.has(domain.case)) {
    clearDomain(feature);
    return [...out, description(AnomalyInfo_Type.INVALID_DOMAIN_SPECIFICATION, 'internal issue: unknown domain_info type')];
  }
  if (domain.case === 'domain' && !model.hasStringDomain(domain.value)) {
    // TFDV clears the reference before quoting it, so the name is always empty here.
    clearDomain(feature);
    out.push(description(AnomalyInfo_Type.INVALID_DOMAIN_SPECIFICATION, 'missing domain: '));
    return out;
  }
  const unsupported = unsupportedDistributionConstraints(domain.case);
  if (unsupported && feature.distributionConstraints) {
    feature.distributionConstraints = undefined;
    out.push(description(AnomalyInfo_Type.INVALID_SCHEMA_SPECIFICATION, unsupported));
  }
  if (domain.case === 'boolDomain') fixBoolDomain(domain.value);
  if (domain.case === 'stringDomain') dedupeStringDomain(domain.value);
  return out;
}

/** UpdateFeatureSelf: repairs the feature in place and reports what was wrong with it. */
export function checkFeatureSelf(model: SchemaModel, feature: Feature): Description[] {
  if (featureIsDeprecated(feature)) return [];
  if (!isFieldSet(feature, FeatureSchema.field.name)) {
    deprecate(feature);
    return [description(AnomalyInfo_Type.FEATURE_MISSING_NAME, 'unspecified name (maybe meant to be the empty string): find name rather than deprecating.')];
  }
  const out: Description[] = [];
  if (!isFieldSet(feature, FeatureSchema.field.type)) {
    if (feature.domainInfo.case !== 'domain' && feature.domainInfo.case !== 'stringDomain') {
      deprecate(feature);
      return [description(AnomalyInfo_Type.FEATURE_MISSING_TYPE, 'unspecified type: determine the type and set it, rather than deprecating.')];
    }
    out.push(description(AnomalyInfo_Type.FEATURE_MISSING_TYPE, 'unspecified type: inferring the type to be BYTES, given the domain specified.'));
    feature.type = FeatureType.BYTES;
  }
  return [...out, ...checkBounds(feature), ...checkDomain(model, feature)];
}
