// Presence, valency, shape and uniqueness: how TFDV infers them for a new feature and checks (and loosens) them
// for an existing one (anomalies/feature_util.cc).
import { clearField, create, isFieldSet } from '@bufbuild/protobuf';
import {
  AnomalyInfo_Type,
  type DistributionConstraints,
  DistributionConstraintsSchema,
  type Feature,
  type FeaturePresence,
  FeaturePresenceSchema,
  FeatureType,
  FixedShape_DimSchema,
  FixedShapeSchema,
  type ValueCount,
  ValueCountSchema,
} from '../protos.ts';
import { int64FromDouble, printfFixed, sixDigits } from './absl-format.ts';
import { type Description, description } from './description.ts';
import {
  clearShapeType,
  mutablePresence,
  mutableValueCount,
  mutableValueCounts,
  shapeOf,
  valueCountOf,
  valueCountsOf,
} from './schema-access.ts';
import type { FeatureStatsView } from './stats-view.ts';

const DROPPED = 'Column dropped';
const MISSING_VALUES = 'Missing values';
const SUPERFLUOUS_VALUES = 'Superfluous values';
const NESTEDNESS_MISMATCH = 'Mismatched value nest level';

function setValueCount(min: number, max: number, vc: ValueCount): void {
  if (min <= 0) return;
  if (min === max) {
    // A fixed valency lets TFT parse a required feature as a dense tensor.
    vc.min = BigInt(min);
    vc.max = BigInt(max);
  } else {
    vc.min = 1n;
  }
}

/** value_count (or value_counts per nest level) from the observed valencies. */
export function initValueCount(view: FeatureStatsView, feature: Feature): void {
  const levels = view.minMaxNumValues();
  if (view.hasNestedValues()) {
    const list = mutableValueCounts(feature);
    for (const [min, max] of levels) {
      const vc = create(ValueCountSchema);
      setValueCount(min, max, vc);
      list.valueCount.push(vc);
    }
  } else if (levels.length === 1 && levels[0]![0] > 0) {
    setValueCount(levels[0]![0], levels[0]![1], mutableValueCount(feature));
  }
}

/** shape { dim ... } when every nest level is always present with one fixed, positive valency. */
function initFixedShape(view: FeatureStatsView, feature: Feature): void {
  if (view.featureType() === FeatureType.STRUCT) return;
  const levels = view.minMaxNumValues();
  const missing = view.numMissingNested();
  const dims: number[] = [];
  for (let i = 0; i < missing.length; i++) {
    if (missing[i] !== 0) return;
    const [min, max] = levels[i] ?? [0, 0];
    if (min !== max || min <= 0) return;
    dims.push(min);
  }
  feature.shapeType = { case: 'shape', value: create(FixedShapeSchema, { dim: dims.map((size) => create(FixedShape_DimSchema, { size: BigInt(size) })) }) };
}

/** Presence, then shape or value counts, of a feature TFDV adds to a schema. */
export function initPresenceAndShape(view: FeatureStatsView, inferFixedShape: boolean, feature: Feature): void {
  const present = view.numPresent();
  // min_count 0 also for weighted presence in (0, 1).
  mutablePresence(feature).minCount = present < 1 ? 0n : 1n;
  if (present <= 0) return;
  if (view.numMissing() === 0) mutablePresence(feature).minFraction = 1.0;
  if (inferFixedShape) initFixedShape(view, feature);
  if (shapeOf(feature) === undefined) initValueCount(view, feature);
}

function updateValueCount(view: FeatureStatsView, feature: Feature, vc: ValueCount): Description[] {
  const levels = view.minMaxNumValues();
  if (levels.length > 1) {
    clearShapeType(feature, 'valueCount');
    initValueCount(view, feature);
    return [
      description(
        AnomalyInfo_Type.VALUE_NESTEDNESS_MISMATCH,
        NESTEDNESS_MISMATCH,
        'This feature has a value_count, but the nestedness level of the feature > 1. For features with nestedness levels greater than 1, value_counts, not value_count, should be specified.',
      ),
    ];
  }
  const out: Description[] = [];
  const [min, max] = levels[0]!;
  if (isFieldSet(vc, ValueCountSchema.field.min) && min < Number(vc.min)) {
    out.push(description(AnomalyInfo_Type.FEATURE_TYPE_LOW_NUMBER_VALUES, MISSING_VALUES, 'Some examples have fewer values than expected.'));
    if (min === 0) clearField(vc, ValueCountSchema.field.min);
    else vc.min = BigInt(min);
  }
  if (isFieldSet(vc, ValueCountSchema.field.max) && max > Number(vc.max)) {
    out.push(description(AnomalyInfo_Type.FEATURE_TYPE_HIGH_NUMBER_VALUES, SUPERFLUOUS_VALUES, 'Some examples have more values than expected.'));
    vc.max = BigInt(max);
  }
  return out;
}

function updateValueCounts(view: FeatureStatsView, feature: Feature, counts: ValueCount[]): Description[] {
  const levels = view.minMaxNumValues();
  if (counts.length !== levels.length) {
    clearShapeType(feature, 'valueCounts');
    initValueCount(view, feature);
    return [
      description(
        AnomalyInfo_Type.VALUE_NESTEDNESS_MISMATCH,
        NESTEDNESS_MISMATCH,
        'The values have a different nest level than expected. Value counts will not be checked.',
      ),
    ];
  }
  const out: Description[] = [];
  counts.forEach((vc, i) => {
    const [min, max] = levels[i]!;
    if (isFieldSet(vc, ValueCountSchema.field.min) && min < Number(vc.min)) {
      out.push(
        description(AnomalyInfo_Type.FEATURE_TYPE_LOW_NUMBER_VALUES, MISSING_VALUES, `Some examples have fewer values than expected at nestedness level ${i}.`),
      );
      if (min === 0) clearField(vc, ValueCountSchema.field.min);
      else vc.min = BigInt(min);
    }
    if (isFieldSet(vc, ValueCountSchema.field.max) && max > Number(vc.max)) {
      out.push(
        description(AnomalyInfo_Type.FEATURE_TYPE_HIGH_NUMBER_VALUES, SUPERFLUOUS_VALUES, `Some examples have more values than expected at nestedness level ${i}.`),
      );
      vc.max = BigInt(max);
    }
  });
  return out;
}

export function updateFeatureValueCounts(view: FeatureStatsView, feature: Feature): Description[] {
  const vc = valueCountOf(feature);
  if (vc) return updateValueCount(view, feature, vc);
  const list = valueCountsOf(feature);
  if (list) return updateValueCounts(view, feature, list.valueCount);
  return [];
}

/** A declared shape holds only if the feature is always present with a fixed valency of the same total size. */
export function updateFeatureShape(view: FeatureStatsView, feature: Feature): Description[] {
  const shape = shapeOf(feature);
  if (!shape) return [];
  const expected = shape.dim.reduce((p, d) => p * Number(d.size), 1);
  let actual = 1;
  for (const [min, max] of view.minMaxNumValues()) {
    if (min === max && min !== 0) actual *= min;
    else {
      actual = -1;
      break;
    }
  }
  const hasMissing = view.numMissingNested().some((m) => m !== 0);
  if (actual <= 0 || hasMissing) {
    clearShapeType(feature, 'shape');
    // No value count is inferred instead: it might not fit the statistics the schema was first built from.
    return [
      description(
        AnomalyInfo_Type.INVALID_FEATURE_SHAPE,
        'Feature shape dropped',
        "The feature has a shape, but it's not always present (if the feature is nested, then it should always be present at each nested level) or its value lengths vary.",
      ),
    ];
  }
  if (actual !== expected) {
    clearShapeType(feature, 'shape');
    return [
      description(
        AnomalyInfo_Type.INVALID_FEATURE_SHAPE,
        'Feature shape dropped',
        `The feature has fixed value length ${actual} but it's not compatible with the specified shape.`,
      ),
    ];
  }
  return [];
}

export function updatePresence(view: FeatureStatsView, presence: FeaturePresence): Description[] {
  const out: Description[] = [];
  const present = view.numPresent();
  if (isFieldSet(presence, FeaturePresenceSchema.field.minCount) && present < Number(presence.minCount)) {
    const original = presence.minCount;
    presence.minCount = int64FromDouble(present);
    out.push(
      description(
        AnomalyInfo_Type.FEATURE_TYPE_LOW_NUMBER_PRESENT,
        DROPPED,
        `The feature was present in fewer examples than expected: minimum count = ${original}, actual = ${presence.minCount}`,
      ),
    );
  }
  const fraction = view.fractionPresent();
  if (isFieldSet(presence, FeaturePresenceSchema.field.minFraction) && fraction !== undefined) {
    if (fraction < presence.minFraction) {
      // TFDV keeps the original threshold in a C++ float before printing it.
      const original = Math.fround(presence.minFraction);
      presence.minFraction = fraction;
      out.push(
        description(
          AnomalyInfo_Type.FEATURE_TYPE_LOW_FRACTION_PRESENT,
          DROPPED,
          `The feature was present in fewer examples than expected: minimum fraction = ${printfFixed(original)}, actual = ${printfFixed(presence.minFraction)}`,
        ),
      );
    }
    if (presence.minFraction === 1.0 && view.numMissing() !== 0) {
      // So few examples miss the feature that the fraction rounds to 1: use a threshold clearly below 1.
      presence.minFraction = 0.9999;
      out.push(
        description(
          AnomalyInfo_Type.FEATURE_TYPE_LOW_FRACTION_PRESENT,
          DROPPED,
          `The feature was expected everywhere, but was missing in ${sixDigits(view.numMissing())} examples.`,
        ),
      );
    }
  }
  return out;
}

/** Checks the feature's unique_constraints (the caller only calls this when they are set). */
export function updateUniqueConstraints(view: FeatureStatsView, feature: Feature): Description[] {
  const constraints = feature.uniqueConstraints;
  if (!constraints) return [];
  const unique = view.numUnique();
  if (unique === undefined) {
    feature.uniqueConstraints = undefined;
    return [
      description(
        AnomalyInfo_Type.FEATURE_TYPE_NO_UNIQUE,
        'No unique values',
        'UniqueConstraints specified for the feature, but unique values were not counted (i.e., feature is not string or categorical).',
      ),
    ];
  }
  const out: Description[] = [];
  // As in TFDV, an unset bound reads as 0 (so a missing max flags any unique count above 0).
  if (unique < constraints.min) {
    out.push(description(AnomalyInfo_Type.FEATURE_TYPE_LOW_UNIQUE, 'Low number of unique values', `Expected at least ${constraints.min} unique values but found only ${unique}.`));
    constraints.min = unique;
  }
  if (unique > constraints.max) {
    out.push(description(AnomalyInfo_Type.FEATURE_TYPE_HIGH_UNIQUE, 'High number of unique values', `Expected no more than ${constraints.max} unique values but found ${unique}.`));
    constraints.max = unique;
  }
  return out;
}

/** The off-domain mass a string domain tolerates: 1 - min_domain_mass, or 0 unless min_domain_mass is set. */
export function maxOffDomain(constraints: DistributionConstraints | undefined): number {
  return constraints && isFieldSet(constraints, DistributionConstraintsSchema.field.minDomainMass) ? 1.0 - constraints.minDomainMass : 0.0;
}
