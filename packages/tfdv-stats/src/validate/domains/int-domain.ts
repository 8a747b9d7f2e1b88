// Int domains (int_domain_util.cc): the observed range comes from num_stats for INT features and from the
// rank-histogram labels for strings and categorical ints, which must then all parse as int64.
import { AnomalyInfo_Type, FeatureNameStatistics_Type, FeatureType, type IntDomain, IntDomainSchema } from '../../protos.ts';
import { isFieldSet } from '@bufbuild/protobuf';
import { int64FromDouble, printfFixed } from '../absl-format.ts';
import { description } from '../description.ts';
import type { FeatureStatsView } from '../stats-view.ts';
import { simpleAtoi } from './absl-strings.ts';
import type { UpdateSummary } from './update-summary.ts';

type IntInterval = { kind: 'interval'; min: bigint; max: bigint } | { kind: 'notInt'; example: string };

const INT64_BOUND = 2 ** 63;

function intervalOfLabels(labels: string[]): IntInterval | undefined {
  let interval: { kind: 'interval'; min: bigint; max: bigint } | undefined;
  for (const label of labels) {
    const v = simpleAtoi(label);
    if (v === undefined) return { kind: 'notInt', example: label };
    if (!interval) interval = { kind: 'interval', min: v, max: v };
    if (v < interval.min) interval.min = v;
    if (v > interval.max) interval.max = v;
  }
  return interval;
}

/** The int range of the values, the first value that is no int64, or undefined (FLOAT, STRUCT, no values). */
function intIntervalOf(view: FeatureStatsView): IntInterval | undefined {
  const labels = view.stringValues();
  switch (view.type) {
    case FeatureNameStatistics_Type.INT: {
      if (labels.length > 0) return intervalOfLabels(labels); // categorical int
      const { min, max } = view.numStats();
      // std::to_string(double) prints like "%f".
      if (min < -INT64_BOUND) return { kind: 'notInt', example: printfFixed(min) };
      if (max > INT64_BOUND) return { kind: 'notInt', example: printfFixed(max) };
      return { kind: 'interval', min: int64FromDouble(min), max: int64FromDouble(max) };
    }
    case FeatureNameStatistics_Type.STRING:
    case FeatureNameStatistics_Type.BYTES:
      return intervalOfLabels(labels);
    default:
      return undefined;
  }
}

/** A STRING feature whose every value is an int64 gets an (empty) int_domain. */
export function isIntDomainCandidate(view: FeatureStatsView): boolean {
  if (view.type !== FeatureNameStatistics_Type.STRING || view.hasInvalidUtf8Strings()) return false;
  return intIntervalOf(view)?.kind === 'interval';
}

export function updateIntDomain(view: FeatureStatsView, domain: IntDomain): UpdateSummary {
  const summary: UpdateSummary = { descriptions: [], clearField: false };
  const interval = intIntervalOf(view);
  if (!interval) return summary;
  const hasMin = isFieldSet(domain, IntDomainSchema.field.min);
  const hasMax = isFieldSet(domain, IntDomainSchema.field.max);
  if (interval.kind === 'notInt') {
    // Only INT, STRING and BYTES statistics yield values that are not ints.
    if (view.featureType() === FeatureType.BYTES) {
      summary.descriptions.push(
        description(AnomalyInfo_Type.INT_TYPE_NOT_INT_STRING, 'Invalid values', `String values that were not ints were found, such as "${interval.example}".`),
      );
      summary.clearField = true;
    } else if (hasMin || hasMax) {
      summary.descriptions.push(
        description(AnomalyInfo_Type.DOMAIN_INVALID_FOR_TYPE, 'Invalid values', `Integer had values that were not valid Int64, such as "${interval.example}".`),
      );
      summary.clearField = true;
    }
    return summary;
  }
  if (hasMin && domain.min > interval.min) {
    summary.descriptions.push(description(AnomalyInfo_Type.INT_TYPE_SMALL_INT, 'Out-of-range values', `Unexpectedly small value: ${interval.min}.`));
    domain.min = interval.min;
  }
  if (hasMax && domain.max < interval.max) {
    summary.descriptions.push(description(AnomalyInfo_Type.INT_TYPE_BIG_INT, 'Out-of-range values', `Unexpectedly large value: ${interval.max}.`));
    domain.max = interval.max;
  }
  return summary;
}
