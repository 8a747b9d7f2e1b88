// Natural-language domains (natural_language_domain_util.cc): vocabulary coverage, token length and per-token
// sequence constraints, checked against the `nl_statistics` custom statistic (a packed NaturalLanguageStatistics).
import { isFieldSet } from '@bufbuild/protobuf';
import { anyUnpack } from '@bufbuild/protobuf/wkt';
import {
  AnomalyInfo_Type,
  type Feature,
  FeatureCoverageConstraintsSchema,
  type NaturalLanguageDomain,
  type NaturalLanguageStatistics,
  type NaturalLanguageStatistics_TokenStatistics,
  NaturalLanguageStatisticsSchema,
  type SequenceValueConstraints,
  SequenceValueConstraintsSchema,
} from '../../protos.ts';
import { int64FromDouble, sixDigits } from '../absl-format.ts';
import { type Description, description } from '../description.ts';
import type { FeatureStatsView } from '../stats-view.ts';

const STATS_NOT_AVAILABLE = description(
  AnomalyInfo_Type.STATS_NOT_AVAILABLE,
  'Natural language stats are not computed.',
  'Constraints specified in natural language domain cannot be verified because natural language stats have not been computed.',
);

function verifyCoverage(stats: NaturalLanguageStatistics, domain: NaturalLanguageDomain, out: Description[]): void {
  const coverage = domain.coverage;
  if (!coverage) return;
  if (isFieldSet(coverage, FeatureCoverageConstraintsSchema.field.minCoverage) && Math.fround(coverage.minCoverage) > stats.featureCoverage) {
    out.push(
      description(
        AnomalyInfo_Type.FEATURE_COVERAGE_TOO_LOW,
        'Feature coverage is too low.',
        `Fraction of tokens in the vocabulary: ${sixDigits(stats.featureCoverage)} is lower than the threshold set in the Schema: ${sixDigits(Math.fround(coverage.minCoverage))}.`,
      ),
    );
    coverage.minCoverage = Math.fround(stats.featureCoverage);
  }
  if (isFieldSet(coverage, FeatureCoverageConstraintsSchema.field.minAvgTokenLength) && stats.avgTokenLength < Math.fround(coverage.minAvgTokenLength)) {
    out.push(
      description(
        AnomalyInfo_Type.FEATURE_COVERAGE_TOO_SHORT_AVG_TOKEN_LENGTH,
        'Average token length is too short.',
        `Average token length is: ${sixDigits(stats.avgTokenLength)} which is lower than the threshold set in the Schema: ${sixDigits(Math.fround(coverage.minAvgTokenLength))}.`,
      ),
    );
    coverage.minAvgTokenLength = Math.fround(stats.avgTokenLength);
  }
}

function verifyToken(stats: NaturalLanguageStatistics_TokenStatistics, token: string, c: SequenceValueConstraints, out: Description[]): void {
  const f = SequenceValueConstraintsSchema.field;
  const fraction = stats.fractionOfSequences;
  if (isFieldSet(c, f.minFractionOfSequences) && Math.fround(c.minFractionOfSequences) > fraction) {
    out.push(
      description(
        AnomalyInfo_Type.SEQUENCE_VALUE_TOO_SMALL_FRACTION,
        'Value occurs in too small a fraction of sequences.',
        `Fraction of sequences with value: ${token} is: ${sixDigits(fraction)} which is lower than the threshold set in the Schema: ${sixDigits(Math.fround(c.minFractionOfSequences))}.`,
      ),
    );
    c.minFractionOfSequences = Math.fround(fraction);
  }
  if (isFieldSet(c, f.maxFractionOfSequences) && Math.fround(c.maxFractionOfSequences) < fraction) {
    out.push(
      description(
        AnomalyInfo_Type.SEQUENCE_VALUE_TOO_LARGE_FRACTION,
        'Value occurs in too large a fraction of sequences.',
        `Fraction of sequences with value: ${token} is: ${sixDigits(fraction)} which is higher than the threshold set in the Schema: ${sixDigits(Math.fround(c.maxFractionOfSequences))}.`,
      ),
    );
    c.maxFractionOfSequences = Math.fround(fraction);
  }
  if (isFieldSet(c, f.minPerSequence) && Number(c.minPerSequence) > stats.perSequenceMinFrequency) {
    out.push(
      description(
        AnomalyInfo_Type.SEQUENCE_VALUE_TOO_FEW_OCCURRENCES,
        'Value has too few per-sequence occurrences.',
        `Value: ${token} occurs at least: ${sixDigits(stats.perSequenceMinFrequency)} times within a sequence, which is lower than the threshold set in the Schema: ${c.minPerSequence}.`,
      ),
    );
    c.minPerSequence = int64FromDouble(stats.perSequenceMinFrequency);
  }
  if (isFieldSet(c, f.maxPerSequence) && Number(c.maxPerSequence) < stats.perSequenceMaxFrequency) {
    out.push(
      description(
        AnomalyInfo_Type.SEQUENCE_VALUE_TOO_MANY_OCCURRENCES,
        'Value has too many per-sequence occurrences.',
        `Value: ${token} occurs at most: ${sixDigits(stats.perSequenceMaxFrequency)} times within a sequence, which is higher than the threshold set in the Schema: ${c.maxPerSequence}.`,
      ),
    );
    c.maxPerSequence = int64FromDouble(stats.perSequenceMaxFrequency);
  }
}

export function updateNaturalLanguageDomain(view: FeatureStatsView, feature: Feature, domain: NaturalLanguageDomain): Description[] {
  const out: Description[] = [];
  const custom = view.customStatByName('nl_statistics');
  let stats: NaturalLanguageStatistics | undefined;
  if (custom) {
    stats = custom.val.case === 'any' ? anyUnpack(custom.val.value, NaturalLanguageStatisticsSchema) : undefined;
    // A custom stat of another message type is only logged by TFDV.
    if (!stats) return out;
  }
  const constrained =
    (domain.coverage !== undefined &&
      (isFieldSet(domain.coverage, FeatureCoverageConstraintsSchema.field.minCoverage) ||
        isFieldSet(domain.coverage, FeatureCoverageConstraintsSchema.field.minAvgTokenLength))) ||
    domain.tokenConstraints.length > 0;
  if (!stats) {
    if (constrained) {
      feature.domainInfo = { case: undefined };
      out.push(STATS_NOT_AVAILABLE);
    }
    return out;
  }
  verifyCoverage(stats, domain, out);
  // Tokens are keyed by kind and value; the first statistics for a token win (std::map::emplace).
  const byToken = new Map<string, NaturalLanguageStatistics_TokenStatistics>();
  for (const t of stats.tokenStatistics) {
    const key = t.token.case === 'intToken' ? `i${BigInt.asIntN(32, t.token.value)}` : t.token.case === 'stringToken' ? `s${t.token.value}` : undefined;
    if (key !== undefined && !byToken.has(key)) byToken.set(key, t);
  }
  for (const c of domain.tokenConstraints) {
    if (c.value.case === undefined) continue;
    const key = c.value.case === 'intValue' ? `i${BigInt.asIntN(32, c.value.value)}` : `s${c.value.value}`;
    const tokenStats = byToken.get(key);
    if (!tokenStats) {
      feature.domainInfo = { case: undefined };
      out.push(STATS_NOT_AVAILABLE);
      return out;
    }
    verifyToken(tokenStats, String(c.value.value), c, out);
  }
  return out;
}
