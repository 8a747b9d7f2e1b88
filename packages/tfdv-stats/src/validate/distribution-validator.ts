// TFX's DistributionValidator (tfx/components/distribution_validator/executor.py) for one split pair: a schema
// inferred from the baseline carries the configured drift comparators, TFDV validates the test statistics against
// it with the baseline as previous span, and only the comparison results are kept.
import { clearField, clone, create, isMessage } from '@bufbuild/protobuf';
import { fieldError } from '@formalize/common';
import {
  type Anomalies,
  Anomalies_AnomalyNameFormat,
  AnomaliesSchema,
  type AnomalyInfo,
  AnomalyInfo_ReasonSchema,
  AnomalyInfo_Severity,
  AnomalyInfo_Type,
  AnomalyInfoSchema,
  DatasetConstraintsSchema,
  type DistributionValidatorConfig,
  DistributionValidatorConfigSchema,
  FeatureComparatorSchema,
  NumericValueComparatorSchema,
  PathSchema,
} from '../protos.ts';
import { inferSchema } from '../schema/infer-schema.ts';
import type { StatisticsInput } from './default-dataset.ts';
import { FeaturePath } from './path.ts';
import { SchemaModel } from './schema-model.ts';
import { validateStatistics } from './validate-statistics.ts';

const COMPARISON_TYPES = new Set<AnomalyInfo_Type>([
  AnomalyInfo_Type.COMPARATOR_CONTROL_DATA_MISSING,
  AnomalyInfo_Type.COMPARATOR_TREATMENT_DATA_MISSING,
  AnomalyInfo_Type.COMPARATOR_L_INFTY_HIGH,
  AnomalyInfo_Type.COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH,
  AnomalyInfo_Type.COMPARATOR_LOW_NUM_EXAMPLES,
  AnomalyInfo_Type.COMPARATOR_HIGH_NUM_EXAMPLES,
]);

/** The comparison reasons only; the summary texts go, since they would also describe the dropped reasons. */
function comparisonOnly(info: AnomalyInfo): AnomalyInfo | undefined {
  const reason = info.reason.filter((r) => COMPARISON_TYPES.has(r.type));
  if (reason.length === 0) return undefined;
  return create(AnomalyInfoSchema, { ...(info.path ? { path: info.path } : {}), severity: info.severity, reason });
}

function comparisonOnlyAnomalies(full: Anomalies): Anomalies {
  const out = clone(AnomaliesSchema, full);
  out.anomalyInfo = {};
  for (const [key, info] of Object.entries(full.anomalyInfo)) {
    const kept = comparisonOnly(info);
    if (kept) out.anomalyInfo[key] = kept;
  }
  out.datasetAnomalyInfo = full.datasetAnomalyInfo && comparisonOnly(full.datasetAnomalyInfo);
  clearField(out, AnomaliesSchema.field.dataMissing);
  return out;
}

/**
 * Validates `test` statistics against `baseline` ones as TFX's DistributionValidator does for one split pair,
 * flagging configured features that could not be compared (STATS_NOT_AVAILABLE).
 */
export function validateDistribution(config: DistributionValidatorConfig, test: StatisticsInput, baseline: StatisticsInput): Anomalies {
  if (!isMessage(config, DistributionValidatorConfigSchema)) {
    throw fieldError('config', 'a DistributionValidatorConfig message', (config as { $typeName?: unknown } | undefined)?.$typeName ?? config);
  }
  const sliceConfig = config.defaultSliceConfig;
  const model = new SchemaModel(inferSchema(baseline));
  for (const f of sliceConfig?.feature ?? []) {
    // Features without baseline statistics are not in the inferred schema; they are reported below.
    const feature = model.existingFeature(FeaturePath.fromProto(f.path ?? create(PathSchema)));
    if (feature) feature.driftComparator = clone(FeatureComparatorSchema, f.distributionComparator ?? create(FeatureComparatorSchema));
  }
  const schema = model.toSchema();
  if (sliceConfig?.numExamplesComparator) {
    schema.datasetConstraints ??= create(DatasetConstraintsSchema);
    schema.datasetConstraints.numExamplesDriftComparator = clone(NumericValueComparatorSchema, sliceConfig.numExamplesComparator);
  }
  const anomalies = comparisonOnlyAnomalies(validateStatistics(test, schema, { previousStatistics: baseline }));
  anomalies.anomalyNameFormat = Anomalies_AnomalyNameFormat.SERIALIZED_PATH;
  // TFX names features by their steps joined with '.', not by TFDV's serialized (quoted) path.
  const compared = new Set(anomalies.driftSkewInfo.map((d) => (d.path?.step ?? []).join('.')));
  for (const f of sliceConfig?.feature ?? []) {
    const key = (f.path?.step ?? []).join('.');
    if (compared.has(key)) continue;
    const info = (anomalies.anomalyInfo[key] ??= create(AnomalyInfoSchema));
    info.reason.push(
      create(AnomalyInfo_ReasonSchema, {
        type: AnomalyInfo_Type.STATS_NOT_AVAILABLE,
        shortDescription: 'Comparison could not be done.',
        description:
          'Validation could not be done, which could be due to missing data, use of a comparator that is not suitable for the feature type, or some other reason.',
      }),
    );
    info.path = clone(PathSchema, f.path ?? create(PathSchema));
    info.severity = AnomalyInfo_Severity.ERROR;
  }
  return anomalies;
}

/** TFX blesses a split pair when nothing is left to report. */
export function isDistributionBlessed(anomalies: Anomalies): boolean {
  return Object.keys(anomalies.anomalyInfo).length === 0 && anomalies.datasetAnomalyInfo === undefined;
}
