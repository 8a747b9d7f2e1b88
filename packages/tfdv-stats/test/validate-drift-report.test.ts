// driftReport on the taxi splits (current = train, baseline = eval, as TFX's DistributionValidator test pairs
// them): its values are the ones TFDV's drift comparators measure, and its thresholds decide `drifted`.
import { clone, create } from '@bufbuild/protobuf';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetFeatureStatisticsListSchema, FeatureComparatorSchema, FeatureType, InfinityNormSchema, JensenShannonDivergenceSchema } from '../src/protos.ts';
import { inferSchema } from '../src/schema/infer-schema.ts';
import { driftReport, driftReportSchema } from '../src/validate/drift-report.ts';
import { validateStatistics } from '../src/validate/validate-statistics.ts';
import { TAXI, protoFromJsonFile } from './helpers/conformance-files.ts';

const split = (s: string) => protoFromJsonFile(DatasetFeatureStatisticsListSchema, join(TAXI, `testdata/statistics_gen/Split-${s}/FeatureStats.json`));

describe('driftReport', () => {
  it('reports every categorical and numeric feature with the default thresholds (0.1)', () => {
    const report = driftReportSchema.parse(driftReport(split('train'), split('eval')));
    expect(report.features).toHaveLength(18);
    const company = report.features.find((f) => f.name === 'company')!;
    expect(company).toEqual({ name: 'company', type: 'categorical', metric: 'L_INFTY', value: 0.012277129468474923, threshold: 0.1, drifted: false });
    const dropoff = report.features.find((f) => f.name === 'dropoff_census_tract')!;
    expect(dropoff).toMatchObject({ type: 'numeric', metric: 'JENSEN_SHANNON_DIVERGENCE', value: 0.000917362998174601, threshold: 0.1, drifted: false });
    // pickup_census_tract has no value in train, hence no histogram: TFDV cannot compare it either.
    expect(report.features.find((f) => f.name === 'pickup_census_tract')).toMatchObject({ value: null, drifted: false, reason: 'One or more feature missing data.' });
    expect(report.driftDetected).toBe(report.features.some((f) => f.drifted));
  });

  it('gives exactly the values TFDV records in drift_skew_info when every feature has a drift comparator', () => {
    const schema = inferSchema(split('eval'));
    for (const f of schema.feature) {
      f.driftComparator = f.type === FeatureType.BYTES
        ? create(FeatureComparatorSchema, { infinityNorm: create(InfinityNormSchema, { threshold: 1 }) })
        : create(FeatureComparatorSchema, { jensenShannonDivergence: create(JensenShannonDivergenceSchema, { threshold: 1 }) });
    }
    const anomalies = validateStatistics(split('train'), schema, { previousStatistics: split('eval') });
    const measured = new Map(anomalies.driftSkewInfo.map((d) => [d.path!.step.join('.'), d.driftMeasurements[0]!.value]));
    const report = driftReport(split('train'), split('eval'));
    for (const f of report.features) expect(f.value ?? undefined, f.name).toBe(measured.get(f.name));
    expect(measured.size).toBeGreaterThan(10);
  });

  it('applies per-feature thresholds', () => {
    const report = driftReport(split('train'), split('eval'), { features: { company: 0.01 }, numericJensenShannon: 0.0005 });
    expect(report.features.find((f) => f.name === 'company')).toMatchObject({ threshold: 0.01, drifted: true });
    expect(report.features.find((f) => f.name === 'dropoff_census_tract')).toMatchObject({ threshold: 0.0005, drifted: true });
    expect(report.driftDetected).toBe(true);
  });

  it('counts a feature the baseline lacks as drifted, as TFDV reports missing control data', () => {
    const baseline = clone(DatasetFeatureStatisticsListSchema, split('eval'));
    baseline.datasets[0]!.features = baseline.datasets[0]!.features.filter((f) => f.fieldId.case === 'path' && f.fieldId.value.step[0] !== 'tips');
    const report = driftReport(split('train'), baseline, { categoricalLInfinity: 1, numericJensenShannon: 1 });
    expect(report.features.find((f) => f.name === 'tips')).toMatchObject({ value: null, drifted: true, reason: 'the baseline statistics lack this feature' });
    expect(report.features.filter((f) => f.drifted).map((f) => f.name)).toEqual(['tips']);
  });

  it('rejects thresholds for features the statistics do not have, and out-of-range thresholds', () => {
    expect(() => driftReport(split('train'), split('eval'), { features: { compnay: 0.1 } })).toThrow(/^thresholds\.features: names of features in the current statistics \(.*company.*\), received \["compnay"\]$/);
    expect(() => driftReport(split('train'), split('eval'), { numericJensenShannon: 2 })).toThrow(/^thresholds\.numericJensenShannon: /);
  });
});
