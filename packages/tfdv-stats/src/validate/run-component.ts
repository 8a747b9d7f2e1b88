// run() of the tfdv-validate component: read and check every input, validate the statistics against the schema
// (given, or inferred from the statistics) with drift / skew comparators from the thresholds, measure drift with
// driftReport, then write the anomalies, the drift metrics and the report only once all of them are ready.
// fail_on_anomalies fails the task before anything is written: KFP publishes no output of a failed task.
import { create } from '@bufbuild/protobuf';
import { ContractError, describeValue, fieldError, writeFileAtomic } from '@formalize/common';
import type { ValidateContext, ValidateResult } from '../components/validate.ts';
import { ANOMALIES_FILES, writeAnomaliesFolder } from '../io/artifacts.ts';
import { DatasetFeatureStatisticsListSchema, type Schema } from '../protos.ts';
import { renderStatisticsHtml } from '../report/index.ts';
import { inferSchema } from '../schema/index.ts';
import { anomalyCount, anomalyLines } from './anomaly-summary.ts';
import { readSchemaArtifact, readStatisticsArtifact, type StatisticsArtifact } from './component-inputs.ts';
import { type DriftFile, driftMetrics, reportEntries, skewFeatures } from './drift-outputs.ts';
import { driftReport } from './drift-report.ts';
import { checkFeatureThresholds, type Thresholds, withThresholdComparators } from './threshold-comparators.ts';
import { validateStatistics } from './validate-statistics.ts';

/** fail_on_anomalies: the task fails with one line per anomaly (a ContractError prints lines, no stack). */
export class AnomaliesFoundError extends ContractError {
  override name = 'AnomaliesFoundError';
}

function checkEnvironment(schema: Schema, environment: string | undefined, inferred: boolean): void {
  if (environment === undefined || schema.defaultEnvironment.includes(environment)) return;
  const expected = inferred
    ? 'no environment: the schema is inferred from the statistics and declares none (give a schema with default_environment)'
    : `one of the schema's default_environment ${JSON.stringify(schema.defaultEnvironment)}`;
  throw fieldError('inputs.parameterValues.environment', expected, environment);
}

function notes(schemaUri: string | undefined, baseline: StatisticsArtifact | undefined, serving: StatisticsArtifact | undefined, t: Thresholds, environment: string | undefined): string[] {
  const limits = `L-infinity above ${t.categoricalLInfinity} for categorical features, Jensen-Shannon divergence above ${t.numericJensenShannon} for numeric ones`
    + (Object.keys(t.features).length ? `, per feature ${Object.entries(t.features).map(([k, v]) => `${k} ${v}`).join(', ')}` : '');
  return [
    schemaUri ? `Schema: ${schemaUri}.` : 'Schema: inferred from these statistics (none given), so only drift and skew can raise anomalies.',
    ...(environment ? [`Environment: ${environment}.`] : []),
    baseline ? `Drift against ${baseline.uri}: ${limits}.` : 'No baseline statistics: drift not measured.',
    ...(serving ? [`Skew against serving statistics ${serving.uri}: ${limits}.`] : []),
  ];
}

export async function runValidateComponent({ inputs, outputs, log }: ValidateContext): Promise<ValidateResult> {
  const current = await readStatisticsArtifact('statistics', inputs.statistics);
  const baseline = inputs.baseline_statistics && await readStatisticsArtifact('baseline_statistics', inputs.baseline_statistics);
  const serving = inputs.serving_statistics && await readStatisticsArtifact('serving_statistics', inputs.serving_statistics);
  const given = inputs.schema && await readSchemaArtifact(inputs.schema);
  const thresholds: Thresholds = {
    categoricalLInfinity: inputs.drift_threshold_categorical,
    numericJensenShannon: inputs.drift_threshold_numeric,
    features: inputs.feature_thresholds,
  };
  // Checked with or without a baseline: a misspelt name should fail the first run, not the first drifted one.
  checkFeatureThresholds(current.view, thresholds.features, 'inputs.parameterValues.feature_thresholds');
  const schema = given ?? inferSchema(current.dataset);
  checkEnvironment(schema, inputs.environment, given === undefined);

  const comparing = { drift: baseline !== undefined, skew: serving !== undefined };
  const anomalies = validateStatistics(current.dataset, withThresholdComparators(schema, current.view, thresholds, comparing), {
    ...(inputs.environment !== undefined && { environment: inputs.environment }),
    ...(baseline && { previousStatistics: baseline.dataset }),
    ...(serving && { servingStatistics: serving.dataset }),
  });
  const drift = baseline && driftReport(current.dataset, baseline.dataset, thresholds);
  const skew = serving && skewFeatures(anomalies);
  const count = anomalyCount(anomalies);
  const lines = anomalyLines(anomalies);
  if (count > 0) log.warn('anomalies found', { count, anomalies: lines });
  if (count > 0 && inputs.fail_on_anomalies) {
    throw new AnomaliesFoundError([
      `${current.field}: ${count} ${count === 1 ? 'anomaly' : 'anomalies'} found and fail_on_anomalies is true (no outputs written), received ${describeValue(current.uri)}`,
      ...lines.map((l) => `anomaly ${l}`),
    ]);
  }

  const table = typeof inputs.statistics.metadata['table'] === 'string' ? inputs.statistics.metadata['table'] : undefined;
  const title = `Validation of ${table ?? 'statistics'}`;
  const html = renderStatisticsHtml({
    statistics: create(DatasetFeatureStatisticsListSchema, { datasets: [current.dataset] }),
    title,
    anomalies,
    drift: reportEntries(drift, skew),
    notes: notes(inputs.schema?.uri, baseline, serving, thresholds, inputs.environment),
  });
  const driftFile: DriftFile = {
    baseline: baseline?.uri ?? null,
    serving: serving?.uri ?? null,
    thresholds,
    driftDetected: drift?.driftDetected ?? false,
    features: drift?.features ?? [],
    skew: skew ?? [],
  };

  await writeAnomaliesFolder(outputs.anomalies.path, anomalies);
  await writeFileAtomic(outputs.drift.path, `${JSON.stringify(driftFile, null, 2)}\n`);
  await writeFileAtomic(outputs.report.path, html);
  Object.assign(outputs.anomalies.metadata, {
    format: 'tensorflow.metadata.v0.Anomalies', files: Object.values(ANOMALIES_FILES), anomaly_count: count,
    anomalous_features: Object.keys(anomalies.anomalyInfo).sort(), schema: inputs.schema?.uri ?? 'inferred',
  });
  Object.assign(outputs.drift.metadata, driftMetrics(drift, skew));
  outputs.report.metadata['title'] = title;
  log.info('validated', {
    anomalies: count, driftDetected: driftFile.driftDetected,
    drifted: driftFile.features.filter((f) => f.drifted).map((f) => f.name), skewed: [...new Set(driftFile.skew.filter((f) => f.skewed).map((f) => f.name))],
  });
  return { drift_detected: driftFile.driftDetected, anomaly_count: count };
}
