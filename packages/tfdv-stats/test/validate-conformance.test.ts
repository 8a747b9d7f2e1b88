// Every validate case extracted from TFDV's tests, compared as those tests compare: anomaly_info keys equal and
// each AnomalyInfo exact (diff_regions cleared), dataset_anomaly_info exact, drift_skew_info matched by path with
// values to 7 decimal places (assertAlmostEqual).
import { clone, create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  type Anomalies,
  type AnomalyInfo,
  AnomalyInfoSchema,
  DatasetFeatureStatisticsListSchema,
  DatasetFeatureStatisticsSchema,
  DriftSkewInfoSchema,
  FeatureNameStatisticsSchema,
  SchemaSchema,
} from '../src/protos.ts';
import { findSchemaAnomalies, findSkewAnomalies, validateStatistics } from '../src/validate/validate-statistics.ts';
import { type CaseProto, type ConformanceCase, caseProto, casesOfKind } from './helpers/conformance-files.ts';
import { expectProtoEqual } from './helpers/proto-diff.ts';

const cases = new Map(casesOfKind('validate').map((c) => [c.id, c]));

function statsOf(p: CaseProto) {
  return p.type === DatasetFeatureStatisticsSchema.typeName ? caseProto(DatasetFeatureStatisticsSchema, p) : caseProto(DatasetFeatureStatisticsListSchema, p);
}

function expectAnomalyInfo(actual: Anomalies, expected: Record<string, CaseProto>): void {
  expect(Object.keys(actual.anomalyInfo).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, p] of Object.entries(expected)) {
    const got: AnomalyInfo = clone(AnomalyInfoSchema, actual.anomalyInfo[key]!);
    got.diffRegions = [];
    expectProtoEqual(AnomalyInfoSchema, got, caseProto(AnomalyInfoSchema, p), `anomaly_info["${key}"]`);
  }
}

function expectDriftSkewInfo(actual: Anomalies, expected: CaseProto[]): void {
  const want = expected.map((p) => caseProto(DriftSkewInfoSchema, p));
  expect(actual.driftSkewInfo).toHaveLength(want.length);
  for (const w of want) {
    const got = actual.driftSkewInfo.find((d) => JSON.stringify(d.path?.step) === JSON.stringify(w.path?.step));
    expect(got, `drift_skew_info for ${w.path?.step.join('.')}`).toBeDefined();
    for (const side of ['driftMeasurements', 'skewMeasurements'] as const) {
      expect(got![side]).toHaveLength(w[side].length);
      w[side].forEach((m, i) => {
        expect(got![side][i]!.type).toBe(m.type);
        expect(got![side][i]!.value).toBeCloseTo(m.value, 7);
        expect(got![side][i]!.threshold).toBeCloseTo(m.threshold, 7);
      });
    }
  }
}

function theCase(id: string): ConformanceCase {
  const c = cases.get(id);
  if (!c) throw new Error(`conformance case ${id} not found`);
  return c;
}

const schemaOf = (c: ConformanceCase) => caseProto(SchemaSchema, c.inputs['schema']!);

describe('validation on the TFDV validate cases', () => {
  it('finds all 10 cases', () => {
    expect([...cases.keys()]).toHaveLength(10);
  });

  for (const id of ['validate.enum_unexpected_string_values', 'validate.cc_EndToEnd', 'validate.cc_MissingColumn']) {
    it(`${id}: ${theCase(id).description.slice(0, 80)}`, () => {
      const c = theCase(id);
      const anomalies = validateStatistics(statsOf(c.inputs['statistics']!), schemaOf(c));
      expectAnomalyInfo(anomalies, c.expected['anomaly_info'] as Record<string, CaseProto>);
    });
  }

  it('validate.drift_linf_categorical: L-infinity drift, two reasons unified', () => {
    const c = theCase('validate.drift_linf_categorical');
    const anomalies = validateStatistics(statsOf(c.inputs['statistics']!), schemaOf(c), { previousStatistics: statsOf(c.inputs['previous_statistics']!) });
    expectAnomalyInfo(anomalies, c.expected['anomaly_info'] as Record<string, CaseProto>);
    expectDriftSkewInfo(anomalies, c.expected['drift_skew_info'] as CaseProto[]);
  });

  it('validate.skew_linf_categorical: L-infinity skew, serving stats identified by name', () => {
    const c = theCase('validate.skew_linf_categorical');
    const anomalies = validateStatistics(statsOf(c.inputs['statistics']!), schemaOf(c), { servingStatistics: statsOf(c.inputs['serving_statistics']!) });
    expectAnomalyInfo(anomalies, c.expected['anomaly_info'] as Record<string, CaseProto>);
    expectDriftSkewInfo(anomalies, c.expected['drift_skew_info'] as CaseProto[]);
  });

  it('validate.environment_missing_column: TRAINING requires the label, SERVING does not', () => {
    const c = theCase('validate.environment_missing_column');
    for (const environment of ['TRAINING', 'SERVING']) {
      const anomalies = validateStatistics(statsOf(c.inputs['statistics']!), schemaOf(c), { environment });
      expectAnomalyInfo(anomalies, (c.expected[`environment=${environment}`] as { anomaly_info: Record<string, CaseProto> }).anomaly_info);
    }
  });

  it('validate.cc_drift_jsd_numeric: int domain and JSD drift on STANDARD histograms', () => {
    const c = theCase('validate.cc_drift_jsd_numeric');
    const anomalies = validateStatistics(statsOf(c.inputs['statistics']!), schemaOf(c), { previousStatistics: statsOf(c.inputs['previous_statistics']!) });
    expectAnomalyInfo(anomalies, c.expected['anomaly_info'] as Record<string, CaseProto>);
    expectDriftSkewInfo(anomalies, c.expected['drift_skew_info'] as CaseProto[]);
  });

  it('validate.cc_dataset_num_examples: num_examples against the previous span and version', () => {
    const c = theCase('validate.cc_dataset_num_examples');
    const anomalies = validateStatistics(statsOf(c.inputs['statistics']!), schemaOf(c), {
      previousStatistics: statsOf(c.inputs['previous_span_statistics']!),
      previousVersionStatistics: statsOf(c.inputs['previous_version_statistics']!),
    });
    expectAnomalyInfo(anomalies, c.expected['anomaly_info'] as Record<string, CaseProto>);
    expectProtoEqual(AnomalyInfoSchema, anomalies.datasetAnomalyInfo ?? create(AnomalyInfoSchema), caseProto(AnomalyInfoSchema, c.expected['dataset_anomaly_info'] as CaseProto));
  });

  it('validate.cc_float_disallow_nan: FindChanges directly (the statistics have no num_examples)', () => {
    const c = theCase('validate.cc_float_disallow_nan');
    const anomalies = findSchemaAnomalies(caseProto(DatasetFeatureStatisticsSchema, c.inputs['statistics']!), schemaOf(c));
    expectAnomalyInfo(anomalies, c.expected['anomaly_info'] as Record<string, CaseProto>);
  });

  it('validate.cc_skew_jsd_numeric: FindSkew on single-feature training and serving statistics', () => {
    const c = theCase('validate.cc_skew_jsd_numeric');
    const dataset = (key: string) => create(DatasetFeatureStatisticsSchema, { features: [caseProto(FeatureNameStatisticsSchema, c.inputs[key]!)] });
    const anomalies = findSkewAnomalies(dataset('training_feature_statistics'), dataset('serving_feature_statistics'), schemaOf(c));
    expectAnomalyInfo(anomalies, c.expected['anomaly_info'] as Record<string, CaseProto>);
    expectDriftSkewInfo(anomalies, c.expected['drift_skew_info'] as CaseProto[]);
  });
});
