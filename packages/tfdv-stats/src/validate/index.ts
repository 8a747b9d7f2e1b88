// Validation half of the package: anomalies, drift/skew metrics, TFX DistributionValidator, drift reports.
export { validateStatistics, findSchemaAnomalies, findSkewAnomalies, validateStatisticsOptionsSchema, severityOverrideSchema } from './validate-statistics.ts';
export type { ValidateStatisticsOptions, ValidationContext } from './validate-statistics.ts';
export { defaultDataset, DEFAULT_SLICE } from './default-dataset.ts';
export type { StatisticsInput, SelectedDataset } from './default-dataset.ts';
export {
  lInftyDistance,
  normalizedAbsoluteDifference,
  jensenShannonDivergence,
  featureJensenShannonDivergence,
  MetricInputError,
} from './metrics.ts';
export type { CategoricalCounts, MaxDifference } from './metrics.ts';
export { validateDistribution, isDistributionBlessed } from './distribution-validator.ts';
export {
  driftReport,
  driftThresholdsSchema,
  driftFeatureSchema,
  driftReportSchema,
  DEFAULT_CATEGORICAL_L_INFINITY,
  DEFAULT_NUMERIC_JENSEN_SHANNON,
} from './drift-report.ts';
export type { DriftThresholds, DriftFeature, DriftReport } from './drift-report.ts';
export { FeaturePath } from './path.ts';
