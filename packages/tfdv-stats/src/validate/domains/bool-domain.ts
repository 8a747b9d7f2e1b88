// Bool domains (bool_domain_util.cc): an INT feature with values in {0, 1}, or a STRING feature whose one or two
// values read as true/false, is boolean; values outside that turn the domain into an int/float domain or drop it.
import { clearField, create, isFieldSet } from '@bufbuild/protobuf';
import {
  AnomalyInfo_Type,
  type BoolDomain,
  BoolDomainSchema,
  type Feature,
  FeatureNameStatistics_Type,
  FloatDomainSchema,
  Histogram_HistogramType,
  IntDomainSchema,
} from '../../protos.ts';
import { int64FromDouble, sixDigits } from '../absl-format.ts';
import { compareUtf8 } from '../byte-order.ts';
import { type Description, description } from '../description.ts';
import type { FeatureStatsView } from '../stats-view.ts';

const TRUE_VALUES = new Set(['TRUE', 'true', 'SET', 'set', '1', '']);
const FALSE_VALUES = new Set(['FALSE', 'false', 'CLEAR', 'clear', '0']);
const NON_BOOLEAN = 'Non-boolean values';

export function isBoolDomainCandidate(view: FeatureStatsView): boolean {
  if (view.type === FeatureNameStatistics_Type.INT) {
    // A max of 1 is required: "0 or nothing" is no boolean.
    const { min, max } = view.numStats();
    return min >= 0.0 && max === 1.0;
  }
  if (view.type !== FeatureNameStatistics_Type.STRING) return false;
  const tokens = view.stringValues();
  if (tokens.length === 0 || tokens.length > 2) return false;
  let trueSeen = false;
  let falseSeen = false;
  for (const t of tokens) {
    if (!trueSeen && TRUE_VALUES.has(t)) trueSeen = true;
    else if (!falseSeen && FALSE_VALUES.has(t)) falseSeen = true;
    else return false;
  }
  return true;
}

/** The inferred domain: empty for INT, the observed true/false spellings for strings. */
export function boolDomainFromStats(view: FeatureStatsView): BoolDomain {
  const domain = create(BoolDomainSchema);
  if (view.type !== FeatureNameStatistics_Type.STRING && view.type !== FeatureNameStatistics_Type.BYTES) return domain;
  const labels = view.stringValues();
  const t = labels.find((l) => TRUE_VALUES.has(l));
  const f = labels.find((l) => FALSE_VALUES.has(l));
  if (t !== undefined) domain.trueValue = t;
  if (f !== undefined) domain.falseValue = f;
  return domain;
}

/** Equal true and false spellings lose the false one. (TFDV does not report this.) */
export function fixBoolDomain(domain: BoolDomain): void {
  const both = isFieldSet(domain, BoolDomainSchema.field.trueValue) && isFieldSet(domain, BoolDomainSchema.field.falseValue);
  if (both && domain.trueValue === domain.falseValue) clearField(domain, BoolDomainSchema.field.falseValue);
}

function validStrings(domain: BoolDomain): string[] {
  const out = new Set<string>();
  if (isFieldSet(domain, BoolDomainSchema.field.trueValue)) out.add(domain.trueValue);
  if (isFieldSet(domain, BoolDomainSchema.field.falseValue)) out.add(domain.falseValue);
  return [...out].sort(compareUtf8);
}

function toIntDomain(feature: Feature, min: number, max: number): void {
  feature.domainInfo = { case: 'intDomain', value: create(IntDomainSchema, { min: int64FromDouble(min), max: int64FromDouble(max) }) };
}

function toFloatDomain(feature: Feature, min: number, max: number): void {
  feature.domainInfo = { case: 'floatDomain', value: create(FloatDomainSchema, { min: Math.fround(min), max: Math.fround(max) }) };
}

function nonBooleanFloat(feature: Feature, min: number, max: number, text: string): Description[] {
  toFloatDomain(feature, min, max);
  return [description(AnomalyInfo_Type.BOOL_TYPE_UNEXPECTED_FLOAT, NON_BOOLEAN, text)];
}

export function updateBoolDomain(view: FeatureStatsView, feature: Feature, domain: BoolDomain): Description[] {
  const { min, max, histograms } = view.numStats();
  switch (view.type) {
    case FeatureNameStatistics_Type.INT:
      if (min < 0.0) {
        toIntDomain(feature, min, max);
        return [description(AnomalyInfo_Type.BOOL_TYPE_SMALL_INT, NON_BOOLEAN, `Integers (such as ${sixDigits(min)}) not in {0, 1}: converting to an integer.`)];
      }
      if (max > 1.0) {
        toIntDomain(feature, min, max);
        return [description(AnomalyInfo_Type.BOOL_TYPE_BIG_INT, NON_BOOLEAN, `Integers (such as ${sixDigits(max)}) not in {0, 1}: converting to an integer.`)];
      }
      return [];
    case FeatureNameStatistics_Type.FLOAT: {
      if (min !== 0.0 && min !== 1.0) return nonBooleanFloat(feature, min, max, `Floats (such as ${sixDigits(min)}) not in {0, 1}: converting to float_domain.`);
      if (max !== 0.0 && max !== 1.0) return nonBooleanFloat(feature, min, max, `Floats (such as ${sixDigits(max)}) not in {0, 1}: converting to float_domain.`);
      // Without histograms, or with values strictly between 0 and 1 in a STANDARD one, this cannot tell.
      for (const h of histograms) {
        if (h.numNan > 0n) return nonBooleanFloat(feature, min, max, 'Floats (such as NaN) not in {0, 1}: converting to float_domain.');
        for (const b of h.buckets) {
          if (b.sampleCount <= 0) continue;
          if (b.highValue < 0) return nonBooleanFloat(feature, min, max, 'Float values < 0 not in {0, 1}: converting to float_domain.');
          if (b.lowValue > 1) return nonBooleanFloat(feature, min, max, 'Float values > 1 not in {0, 1}: converting to float_domain.');
          if (h.type === Histogram_HistogramType.QUANTILES && b.highValue < 1 && b.lowValue > 0) {
            return nonBooleanFloat(feature, min, max, 'Float values falling between 0 and 1: converting to float_domain.');
          }
        }
      }
      return [];
    }
    case FeatureNameStatistics_Type.STRING: {
      const valid = validStrings(domain);
      for (const s of view.stringValues()) {
        if (valid.includes(s)) continue;
        const expected = valid.length === 0 ? '{}' : `{"${valid.join('", "')}"}`;
        feature.domainInfo = { case: undefined };
        return [description(AnomalyInfo_Type.BOOL_TYPE_UNEXPECTED_STRING, NON_BOOLEAN, `Saw unexpected value "${s}" instead of ${expected}.`)];
      }
      return [];
    }
    default:
      // TFDV never checks a bool domain against BYTES or STRUCT statistics (it reports those elsewhere).
      return [];
  }
}
