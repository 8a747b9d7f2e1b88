// Semantic domains proposed by the statistics (custom_domain_util.cc): a `domain_info` custom statistic holds
// the text of exactly one Feature.domain_info member, e.g. 'mid_domain {}', and fills a feature without a domain.
import { isFieldSet } from '@bufbuild/protobuf';
import { fromText } from '@bufbuild/protobuf/txtpb';
import { type Feature, FeatureSchema } from '../../protos.ts';
import type { FeatureStatsView } from '../stats-view.ts';

function parseDomainInfo(text: string): Feature['domainInfo'] | undefined {
  let parsed: Feature;
  try {
    parsed = fromText(FeatureSchema, text);
  } catch {
    return undefined;
  }
  const set = FeatureSchema.fields.filter((f) => isFieldSet(parsed, f));
  if (set.length !== 1 || set[0]!.oneof?.name !== 'domain_info') return undefined;
  return parsed.domainInfo;
}

/** Applies the custom domain if the statistics carry one valid domain_info and the feature has no domain yet. */
export function bestEffortUpdateCustomDomain(view: FeatureStatsView, feature: Feature): boolean {
  let text = '';
  for (const stat of view.customStats()) {
    if (stat.name !== 'domain_info') continue;
    // A second domain_info is a statistics bug: TFDV then applies neither.
    if (text !== '') return false;
    text = stat.val.case === 'str' ? stat.val.value : '';
  }
  if (text === '' || feature.domainInfo.case !== undefined) return false;
  const domainInfo = parseDomainInfo(text);
  if (!domainInfo) return false;
  feature.domainInfo = domainInfo;
  return true;
}
