// Float domains (float_domain_util.cc): range checks in C++ float precision, NaN/Inf bans, and string-encoded
// floats (every rank-histogram label must parse as a float).
import { isFieldSet } from '@bufbuild/protobuf';
import { AnomalyInfo_Type, FeatureNameStatistics_Type, type FloatDomain, FloatDomainSchema } from '../../protos.ts';
import { sixDigits } from '../absl-format.ts';
import { description } from '../description.ts';
import type { FeatureStatsView } from '../stats-view.ts';
import { simpleAtof } from './absl-strings.ts';
import type { UpdateSummary } from './update-summary.ts';

type FloatInterval = { kind: 'interval'; min: number; max: number } | { kind: 'notFloat'; example: string };

function floatIntervalOf(view: FeatureStatsView): FloatInterval | undefined {
  switch (view.type) {
    case FeatureNameStatistics_Type.FLOAT:
      return { kind: 'interval', min: Math.fround(view.numStats().min), max: Math.fround(view.numStats().max) };
    case FeatureNameStatistics_Type.STRING:
    case FeatureNameStatistics_Type.BYTES: {
      let interval: { kind: 'interval'; min: number; max: number } | undefined;
      for (const label of view.stringValues()) {
        const v = simpleAtof(label);
        if (v === undefined) return { kind: 'notFloat', example: label };
        if (!interval) interval = { kind: 'interval', min: v, max: v };
        if (interval.min > v) interval.min = v;
        if (interval.max < v) interval.max = v;
      }
      return interval;
    }
    default:
      return undefined;
  }
}

function hasNan(view: FeatureStatsView): boolean {
  switch (view.type) {
    case FeatureNameStatistics_Type.FLOAT:
      return view.numStats().histograms.some((h) => h.numNan > 0n);
    case FeatureNameStatistics_Type.STRING:
      return view.stringValues().some((s) => Number.isNaN(simpleAtof(s) ?? 0));
    default:
      return false;
  }
}

const isInfinite = (x: number) => x === Infinity || x === -Infinity;

/** FloatDomain.min/max are C++ floats: compare and print them at float precision. */
export function updateFloatDomain(view: FeatureStatsView, domain: FloatDomain): UpdateSummary {
  const summary: UpdateSummary = { descriptions: [], clearField: false };
  if (domain.disallowNan && hasNan(view)) {
    summary.descriptions.push(description(AnomalyInfo_Type.FLOAT_TYPE_HAS_NAN, 'Invalid values', 'Float feature has NaN values.'));
    domain.disallowNan = false;
  }
  const interval = floatIntervalOf(view);
  if (!interval) return summary;
  if (interval.kind === 'notFloat') {
    summary.descriptions.push(
      description(AnomalyInfo_Type.FLOAT_TYPE_STRING_NOT_FLOAT, 'Invalid values', `String values that were not floats were found, such as "${interval.example}".`),
    );
    summary.clearField = true;
    return summary;
  }
  const min = Math.fround(domain.min);
  const max = Math.fround(domain.max);
  if (isFieldSet(domain, FloatDomainSchema.field.min) && interval.min < min) {
    summary.descriptions.push(
      description(
        AnomalyInfo_Type.FLOAT_TYPE_SMALL_FLOAT,
        'Out-of-range values',
        `Unexpectedly low values: ${sixDigits(interval.min)}<${sixDigits(min)}(upto six significant digits)`,
      ),
    );
    domain.min = interval.min;
  }
  if (isFieldSet(domain, FloatDomainSchema.field.max) && interval.max > max) {
    summary.descriptions.push(
      description(
        AnomalyInfo_Type.FLOAT_TYPE_BIG_FLOAT,
        'Out-of-range values',
        `Unexpectedly high value: ${sixDigits(interval.max)}>${sixDigits(max)}(upto six significant digits)`,
      ),
    );
    domain.max = interval.max;
  }
  if (domain.disallowInf && (isInfinite(interval.min) || isInfinite(interval.max))) {
    summary.descriptions.push(description(AnomalyInfo_Type.FLOAT_TYPE_HAS_INF, 'Invalid values', 'Float feature has Inf values.'));
    domain.disallowInf = false;
  }
  return summary;
}
