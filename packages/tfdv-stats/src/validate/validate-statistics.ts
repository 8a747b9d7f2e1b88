// tfdv.validate_statistics: statistics (plus optional drift / skew / previous-version baselines) against a schema,
// into an Anomalies proto with TFDV's exact reasons, texts, severities and drift_skew_info.
import { clone, create, isMessage } from '@bufbuild/protobuf';
import { fieldError, parseField } from '@formalize/common';
import { z } from 'zod';
import {
  type Anomalies,
  AnomaliesSchema,
  AnomalyInfo_Severity,
  AnomalyInfo_Type,
  type DatasetFeatureStatistics,
  DatasetFeatureStatisticsListSchema,
  DatasetFeatureStatisticsSchema,
  type Schema,
  SchemaSchema,
} from '../protos.ts';
import { type SelectedDataset, type StatisticsInput, defaultDataset } from './default-dataset.ts';
import { SchemaAnomalies } from './schema-anomalies.ts';
import { DatasetStatsView } from './stats-view.ts';
import { Updater, VALIDATION_ENUM_THRESHOLD } from './updater.ts';

const statisticsInput = z.custom<StatisticsInput>(
  (v) => isMessage(v, DatasetFeatureStatisticsListSchema) || isMessage(v, DatasetFeatureStatisticsSchema),
  'expected a DatasetFeatureStatisticsList or DatasetFeatureStatistics message',
);

export const severityOverrideSchema = z.object({ type: z.enum(AnomalyInfo_Type), severity: z.enum(AnomalyInfo_Severity) }).strict();

export const validateStatisticsOptionsSchema = z
  .object({
    /** Validate for this environment (one of the schema's default_environment), e.g. SERVING. */
    environment: z.string().optional(),
    /** Drift baseline: the statistics of the previous span ("current" vs "previous"). */
    previousStatistics: statisticsInput.optional(),
    /** Skew baseline: serving statistics ("training" vs "serving"). */
    servingStatistics: statisticsInput.optional(),
    /** Baseline for num_examples_version_comparator. */
    previousVersionStatistics: statisticsInput.optional(),
    /** Severity per anomaly type instead of ERROR (TFDV's ValidationConfig.severity_overrides). */
    severityOverrides: z.array(severityOverrideSchema).default([]),
  })
  .strict();

export type ValidateStatisticsOptions = z.input<typeof validateStatisticsOptionsSchema>;

/** Controls for one validation run at TFDV's C++ level (datasets already selected). */
export interface ValidationContext {
  environment?: string | undefined;
  previousSpan?: SelectedDataset | undefined;
  serving?: SelectedDataset | undefined;
  previousVersion?: SelectedDataset | undefined;
  severityOverrides?: z.output<typeof severityOverrideSchema>[] | undefined;
}

function requireSchema(schema: Schema): Schema {
  if (!isMessage(schema, SchemaSchema)) throw fieldError('schema', 'a Schema message', (schema as { $typeName?: unknown } | undefined)?.$typeName ?? schema);
  return clone(SchemaSchema, schema);
}

function updater(context: ValidationContext): Updater {
  return new Updater({ enumThreshold: VALIDATION_ENUM_THRESHOLD, inferFeatureShape: false, severityOverrides: context.severityOverrides ?? [] });
}

function views(current: SelectedDataset, context: ValidationContext): DatasetStatsView {
  // Weighted statistics are compared only when the current dataset has them for every feature.
  const byWeight = new DatasetStatsView(current.dataset, { byWeight: false, environment: undefined }, current.label).weightedStatisticsExist();
  const control = (d: SelectedDataset | undefined) => (d ? new DatasetStatsView(d.dataset, { byWeight, environment: context.environment }, d.label) : undefined);
  return new DatasetStatsView(
    current.dataset,
    {
      byWeight,
      environment: context.environment,
      previousSpan: control(context.previousSpan),
      serving: control(context.serving),
      previousVersion: control(context.previousVersion),
    },
    current.label,
  );
}

/**
 * TFDV's C++ SchemaAnomalies::FindChanges on one dataset: no dataset selection and no data_missing shortcut
 * (validateStatistics adds both).
 */
export function findSchemaAnomalies(statistics: DatasetFeatureStatistics, schema: Schema, context: ValidationContext = {}): Anomalies {
  const baseline = requireSchema(schema);
  const { dataset, label } = defaultDataset(statistics, 'statistics');
  const anomalies = new SchemaAnomalies(baseline, updater(context));
  anomalies.findChanges(views({ dataset, label }, context));
  return anomalies.result();
}

/** TFDV's C++ SchemaAnomalies::FindSkew: only the schema's skew comparators, training against serving. */
export function findSkewAnomalies(training: DatasetFeatureStatistics, serving: DatasetFeatureStatistics, schema: Schema): Anomalies {
  const baseline = requireSchema(schema);
  const anomalies = new SchemaAnomalies(baseline, updater({}));
  anomalies.findSkew(views(defaultDataset(training, 'training'), { serving: defaultDataset(serving, 'serving') }));
  return anomalies.result();
}

/**
 * Validates statistics against a schema as tfdv.validate_statistics does. With several datasets, the one named
 * "All Examples" is validated (an error if there is none). A dataset without examples yields only
 * `data_missing: true`.
 */
export function validateStatistics(statistics: StatisticsInput, schema: Schema, options: ValidateStatisticsOptions = {}): Anomalies {
  const opts = parseField(validateStatisticsOptionsSchema, options, 'options');
  const current = defaultDataset(statistics, 'statistics');
  const baseline = requireSchema(schema);
  if (opts.environment !== undefined && !baseline.defaultEnvironment.includes(opts.environment)) {
    throw fieldError('options.environment', `one of the schema's default_environment ${JSON.stringify(baseline.defaultEnvironment)}`, opts.environment);
  }
  const context: ValidationContext = {
    environment: opts.environment,
    previousSpan: opts.previousStatistics && defaultDataset(opts.previousStatistics, 'options.previousStatistics'),
    serving: opts.servingStatistics && defaultDataset(opts.servingStatistics, 'options.servingStatistics'),
    previousVersion: opts.previousVersionStatistics && defaultDataset(opts.previousVersionStatistics, 'options.previousVersionStatistics'),
    severityOverrides: opts.severityOverrides,
  };
  const view = views(current, context);
  if (current.dataset.numExamples === 0n) return create(AnomaliesSchema, { baselineSchema: { case: 'baseline', value: baseline }, dataMissing: true });
  const anomalies = new SchemaAnomalies(baseline, updater(context));
  anomalies.findChanges(view);
  return anomalies.result();
}
