// Drift / skew thresholds as TFDV schema comparators, so that validateStatistics measures every feature the way
// driftReport does (L-infinity for categorical, Jensen-Shannon for numeric, per-feature overrides) and records
// the distances in drift_skew_info, with an anomaly where one exceeds its threshold.
import { clone, create, type MessageInitShape } from '@bufbuild/protobuf';
import { fieldError } from '@formalize/common';
import type { z } from 'zod';
import { type Feature, FeatureComparatorSchema, type Schema, SchemaSchema } from '../protos.ts';
import type { driftThresholdsSchema } from './drift-thresholds.ts';
import type { FeaturePath } from './path.ts';
import type { DatasetStatsView, FeatureStatsView } from './stats-view.ts';

export type Thresholds = z.output<typeof driftThresholdsSchema>;

/** The metric driftReport uses for a feature, or undefined for features without a comparable distribution. */
export function comparedKind(view: FeatureStatsView): 'categorical' | 'numeric' | undefined {
  if (view.data.stats.case === 'stringStats') return 'categorical';
  if (view.data.stats.case === 'numStats') return 'numeric';
  return undefined; // STRUCT and raw BYTES features, as in driftReport
}

/** Serialized paths of the features a threshold can apply to. */
export function comparedFeatures(view: DatasetStatsView): string[] {
  return view.features().filter((f) => comparedKind(f) !== undefined).map((f) => f.path.serialize());
}

/** Rejects per-feature thresholds for names that are not compared features of the statistics. */
export function checkFeatureThresholds(view: DatasetStatsView, features: Readonly<Record<string, number>>, field: string): void {
  const known = new Set(comparedFeatures(view));
  const unknown = Object.keys(features).filter((n) => !known.has(n));
  if (unknown.length > 0) throw fieldError(field, `names of categorical or numeric features of the statistics (${[...known].join(', ')})`, unknown);
}

/** The schema feature at `path` (through struct domains), as TFDV's Schema::GetExistingFeature finds it. */
function featureAt(schema: Schema, path: FeaturePath): Feature | undefined {
  let features = schema.feature;
  let found: Feature | undefined;
  for (const step of path.steps) {
    found = features.find((f) => f.name === step);
    if (!found) return undefined;
    features = found.domainInfo.case === 'structDomain' ? found.domainInfo.value.feature : [];
  }
  return found;
}

/**
 * A copy of `schema` whose features in `view` get drift and/or skew comparators from the thresholds, replacing
 * the schema's own (the component's thresholds are the one place a pipeline sets them). Features the schema lacks
 * are left alone: validation reports them as new columns.
 */
export function withThresholdComparators(schema: Schema, view: DatasetStatsView, thresholds: Thresholds, kinds: { drift: boolean; skew: boolean }): Schema {
  const out = clone(SchemaSchema, schema);
  for (const f of view.features()) {
    const kind = comparedKind(f);
    const feature = kind && featureAt(out, f.path);
    if (!kind || !feature) continue;
    const name = f.path.serialize();
    const threshold = thresholds.features[name] ?? (kind === 'categorical' ? thresholds.categoricalLInfinity : thresholds.numericJensenShannon);
    const init: MessageInitShape<typeof FeatureComparatorSchema> = kind === 'categorical' ? { infinityNorm: { threshold } } : { jensenShannonDivergence: { threshold } };
    if (kinds.drift) feature.driftComparator = create(FeatureComparatorSchema, init);
    if (kinds.skew) feature.skewComparator = create(FeatureComparatorSchema, init);
  }
  return out;
}
