// String domains (string_domain_util.cc): inference from rank-histogram labels, and the
// ENUM_TYPE_UNEXPECTED_STRING_VALUES check, whose text lists each unexpected value with its share of all values.
import { AnomalyInfo_Type, type StringDomain } from '../../protos.ts';
import { description } from '../description.ts';
import type { FeatureStatsView } from '../stats-view.ts';
import { utf8SafeCEscape } from './absl-strings.ts';
import type { UpdateSummary } from './update-summary.ts';

/** 1 to `enumThreshold` distinct rank-histogram labels, all valid UTF-8. */
export function isStringDomainCandidate(view: FeatureStatsView, enumThreshold: number): boolean {
  if (view.hasInvalidUtf8Strings()) return false;
  const n = view.stringValues().length;
  return n > 0 && n <= enumThreshold;
}

/** Drops repeated values in place. (TFDV does this while checking a schema, without reporting it.) */
export function dedupeStringDomain(domain: StringDomain): void {
  domain.value = [...new Set(domain.value)];
}

/** "<1%", "~N%" (floored), or "?" when the total is unknown. */
function percentageAsString(count: number, total: number): string {
  if (total === 0 || Number.isNaN(total)) return '?';
  const percent = (100 * count) / total;
  return percent < 1.0 ? '<1%' : `~${Math.trunc(Math.floor(percent))}%`;
}

/**
 * Values outside the domain fire when their share of all values exceeds `maxOffDomain` (or at all when it is 0);
 * they are then added to the domain, in byte order.
 */
export function updateStringDomain(view: FeatureStatsView, maxOffDomain: number, domain: StringDomain): UpdateSummary {
  if (view.hasInvalidUtf8Strings()) {
    return {
      descriptions: [description(AnomalyInfo_Type.ENUM_TYPE_INVALID_UTF8, 'Invalid UTF8 strings', 'Found strings that were not valid UTF8 strings.')],
      clearField: true,
    };
  }
  const valid = new Set(domain.value);
  const missing = view.stringValuesWithCounts().filter(([v]) => !valid.has(v));
  const missingCount = missing.reduce((s, [, c]) => s + c, 0);
  const total = view.totalValueCountInExamples();
  const summary: UpdateSummary = { descriptions: [], clearField: false };
  if (missingCount / total > maxOffDomain || (maxOffDomain === 0 && missing.length > 0)) {
    // TFDV hands each count to the percentage as an int64, truncating weighted counts.
    const listed = missing.map(([v, c]) => `${utf8SafeCEscape(v)} (${percentageAsString(Math.trunc(c), total)})`).join(', ');
    summary.descriptions.push(
      description(AnomalyInfo_Type.ENUM_TYPE_UNEXPECTED_STRING_VALUES, 'Unexpected string values', `Examples contain values missing from the schema: ${listed}. `),
    );
    for (const [v] of missing) domain.value.push(v);
  }
  return summary;
}
