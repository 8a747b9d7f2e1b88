// Single changes to statistics or schema, each firing one TFDV anomaly with TFDV's exact reason type, short and
// long description (texts from anomalies/*.cc), plus the input errors validation must name.
import { describe, expect, it } from 'vitest';
import { create } from '@bufbuild/protobuf';
import {
  type Anomalies,
  AnomalyInfo_ReasonSchema,
  AnomalyInfo_Severity,
  AnomalyInfo_Type,
  AnomalyInfoSchema,
  DatasetFeatureStatisticsListSchema,
  DatasetFeatureStatisticsSchema,
  PathSchema,
  SchemaSchema,
} from '../src/protos.ts';
import { inferSchema } from '../src/schema/infer-schema.ts';
import { validateStatistics } from '../src/validate/validate-statistics.ts';
import { protoFromJson } from './helpers/conformance-files.ts';
import { expectProtoEqual } from './helpers/proto-diff.ts';

type Json = Record<string, unknown>;

const stats = (numExamples: number, features: Json[], extra: Json = {}) =>
  protoFromJson(DatasetFeatureStatisticsListSchema, { datasets: [{ numExamples: String(numExamples), features, ...extra }] });
const schema = (json: Json) => protoFromJson(SchemaSchema, json);

/** An INT feature present in `present` of the examples, with one value each unless said otherwise. */
function intFeature(name: string, present: number, missing: number, numStats: Json = {}, common: Json = {}): Json {
  return { path: { step: [name] }, type: 'INT', numStats: { commonStats: { numNonMissing: String(present), numMissing: String(missing), minNumValues: '1', maxNumValues: '1', totNumValues: String(present), ...common }, ...numStats } };
}

function stringFeature(name: string, counts: Record<string, number>, common: Json = {}, stringStats: Json = {}): Json {
  const total = Object.values(counts).reduce((s, c) => s + c, 0);
  return {
    path: { step: [name] },
    type: 'STRING',
    stringStats: {
      commonStats: { numNonMissing: String(total), minNumValues: '1', maxNumValues: '1', totNumValues: String(total), ...common },
      unique: String(Object.keys(counts).length),
      rankHistogram: { buckets: Object.entries(counts).map(([label, sampleCount], i) => ({ lowRank: String(i), highRank: String(i), label, sampleCount })) },
      ...stringStats,
    },
  };
}

const intSchemaFeature = (name: string, extra: Json = {}) => ({ name, type: 'INT', presence: { minCount: '1' }, ...extra });

/** The single anomaly at `key`: one reason, or several under "Multiple errors" with the joined description. */
function expectAnomaly(anomalies: Anomalies, key: string, reasons: [AnomalyInfo_Type, string, string][], severity = AnomalyInfo_Severity.ERROR): void {
  expect(Object.keys(anomalies.anomalyInfo)).toEqual([key]);
  const expected = create(AnomalyInfoSchema, {
    path: create(PathSchema, { step: anomalies.anomalyInfo[key]!.path?.step ?? [] }),
    severity,
    description: reasons.map((r) => r[2]).join(' '),
    shortDescription: reasons.length === 1 ? reasons[0]![1] : 'Multiple errors',
    reason: reasons.map(([type, shortDescription, description]) => create(AnomalyInfo_ReasonSchema, { type, shortDescription, description })),
  });
  expectProtoEqual(AnomalyInfoSchema, anomalies.anomalyInfo[key]!, expected, `anomaly_info["${key}"]`);
}

describe('column anomalies', () => {
  it('a new column', () => {
    const a = validateStatistics(stats(10, [intFeature('a', 10, 0), intFeature('b', 10, 0)]), schema({ feature: [intSchemaFeature('a')] }));
    expectAnomaly(a, 'b', [[AnomalyInfo_Type.SCHEMA_NEW_COLUMN, 'New column', 'New column (column in data but not in schema)']]);
  });

  it('a new STRUCT column reports one reason for itself and all its children', () => {
    const struct = { path: { step: ['s'] }, type: 'STRUCT', structStats: { commonStats: { numNonMissing: '10', minNumValues: '1', maxNumValues: '1' } } };
    const child = { ...intFeature('x', 10, 0), path: { step: ['s', 'x'] } };
    const a = validateStatistics(stats(10, [struct, child]), schema({}));
    expectAnomaly(a, 's', [[AnomalyInfo_Type.SCHEMA_NEW_COLUMN, 'New column', 'New column (column in data but not in schema)']]);
  });

  it('a dropped (required) column; a feature without presence constraint may be absent', () => {
    const a = validateStatistics(stats(10, [intFeature('b', 10, 0)]), schema({ feature: [intSchemaFeature('a'), intSchemaFeature('b'), { name: 'optional', type: 'INT' }] }));
    expectAnomaly(a, 'a', [[AnomalyInfo_Type.SCHEMA_MISSING_COLUMN, 'Column dropped', 'Column is completely missing']]);
  });

  it('a feature in no example at all', () => {
    const a = validateStatistics(stats(10, [intFeature('a', 0, 10, {}, { minNumValues: '0', maxNumValues: '0' })]), schema({ feature: [intSchemaFeature('a')] }));
    expectAnomaly(a, 'a', [[AnomalyInfo_Type.FEATURE_TYPE_NOT_PRESENT, 'Column dropped', 'The feature was not present in any examples.']]);
  });

  it('a low presence fraction, printed with %f', () => {
    const a = validateStatistics(stats(10036, [intFeature('a', 10000, 36)]), schema({ feature: [intSchemaFeature('a', { presence: { minFraction: 1.0, minCount: '1' } })] }));
    expectAnomaly(a, 'a', [
      [AnomalyInfo_Type.FEATURE_TYPE_LOW_FRACTION_PRESENT, 'Column dropped', 'The feature was present in fewer examples than expected: minimum fraction = 1.000000, actual = 0.996413'],
    ]);
  });

  it('a low presence count', () => {
    const a = validateStatistics(stats(10, [intFeature('a', 5, 5)]), schema({ feature: [intSchemaFeature('a', { presence: { minCount: '7' } })] }));
    expectAnomaly(a, 'a', [[AnomalyInfo_Type.FEATURE_TYPE_LOW_NUMBER_PRESENT, 'Column dropped', 'The feature was present in fewer examples than expected: minimum count = 7, actual = 5']]);
  });

  it('a type the schema does not expect', () => {
    const a = validateStatistics(stats(10, [intFeature('a', 10, 0)]), schema({ feature: [{ name: 'a', type: 'FLOAT' }] }));
    expectAnomaly(a, 'a', [[AnomalyInfo_Type.UNEXPECTED_DATA_TYPE, 'Unexpected data type', 'Expected data of type: FLOAT but got INT']]);
  });

  it('too few and too many values per example', () => {
    const a = validateStatistics(stats(10, [intFeature('a', 10, 0, {}, { minNumValues: '0', maxNumValues: '4' })]), schema({ feature: [intSchemaFeature('a', { valueCount: { min: '1', max: '3' } })] }));
    expectAnomaly(a, 'a', [
      [AnomalyInfo_Type.FEATURE_TYPE_LOW_NUMBER_VALUES, 'Missing values', 'Some examples have fewer values than expected.'],
      [AnomalyInfo_Type.FEATURE_TYPE_HIGH_NUMBER_VALUES, 'Superfluous values', 'Some examples have more values than expected.'],
    ]);
  });

  it('a shape the valency does not fit', () => {
    const a = validateStatistics(stats(10, [intFeature('a', 10, 0)]), schema({ feature: [intSchemaFeature('a', { shape: { dim: [{ size: '2' }] } })] }));
    expectAnomaly(a, 'a', [[AnomalyInfo_Type.INVALID_FEATURE_SHAPE, 'Feature shape dropped', "The feature has fixed value length 1 but it's not compatible with the specified shape."]]);
  });

  it('deprecated features are neither validated nor required', () => {
    const a = validateStatistics(stats(10, [intFeature('a', 10, 0)]), schema({ feature: [{ name: 'a', type: 'FLOAT', lifecycleStage: 'DEPRECATED' }, { ...intSchemaFeature('gone'), deprecated: true }] }));
    expect(a.anomalyInfo).toEqual({});
  });

  it('a column outside its environment', () => {
    const s = schema({ defaultEnvironment: ['TRAINING', 'SERVING'], feature: [intSchemaFeature('label', { notInEnvironment: ['SERVING'] })] });
    const a = validateStatistics(stats(10, [intFeature('label', 10, 0)]), s, { environment: 'SERVING' });
    expectAnomaly(a, 'label', [[AnomalyInfo_Type.SCHEMA_NEW_COLUMN, 'Column missing in environment', 'New column label found in data but not in the environment SERVING in the schema.']]);
  });

  it('a step that needs quoting in the anomaly key', () => {
    const a = validateStatistics(stats(10, [intFeature('a.b', 10, 0)]), schema({}));
    expect(Object.keys(a.anomalyInfo)).toEqual(["'a.b'"]);
  });
});

describe('domain anomalies', () => {
  it('values outside an int domain', () => {
    const a = validateStatistics(stats(10, [intFeature('month', 10, 0, { min: 0, max: 13 })]), schema({ feature: [intSchemaFeature('month', { intDomain: { min: '1', max: '12' } })] }));
    expectAnomaly(a, 'month', [
      [AnomalyInfo_Type.INT_TYPE_SMALL_INT, 'Out-of-range values', 'Unexpectedly small value: 0.'],
      [AnomalyInfo_Type.INT_TYPE_BIG_INT, 'Out-of-range values', 'Unexpectedly large value: 13.'],
    ]);
  });

  it('unexpected strings listed in byte order with their floored share of all values, C-escaped', () => {
    const counts = { Cash: 845, Card: 50, Bitcoin: 100, 'Doge\ncoin': 3, Zloty: 2 };
    const s = schema({ feature: [{ name: 'pay', type: 'BYTES', domain: 'pay' }], stringDomain: [{ name: 'pay', value: ['Cash', 'Card'] }] });
    const a = validateStatistics(stats(1000, [stringFeature('pay', counts)]), s);
    expectAnomaly(a, 'pay', [
      [AnomalyInfo_Type.ENUM_TYPE_UNEXPECTED_STRING_VALUES, 'Unexpected string values', 'Examples contain values missing from the schema: Bitcoin (~10%), Doge\\ncoin (<1%), Zloty (<1%). '],
    ]);
  });

  it('each feature is checked against the original schema, also when features share a string domain', () => {
    const s = schema({ feature: [{ name: 'a', type: 'BYTES', domain: 'd' }, { name: 'b', type: 'BYTES', domain: 'd' }], stringDomain: [{ name: 'd', value: ['x'] }] });
    const a = validateStatistics(stats(10, [stringFeature('a', { x: 5, y: 5 }), stringFeature('b', { x: 9, y: 1 })]), s);
    expect(a.anomalyInfo['a']!.description).toBe('Examples contain values missing from the schema: y (~50%). ');
    expect(a.anomalyInfo['b']!.description).toBe('Examples contain values missing from the schema: y (~10%). ');
    // Neither the input schema nor the baseline in the result saw the fixes.
    expect(s.stringDomain[0]!.value).toEqual(['x']);
    expect(a.baselineSchema.case === 'baseline' && a.baselineSchema.value.stringDomain[0]!.value).toEqual(['x']);
  });

  it('min_domain_mass tolerates a share of unexpected values', () => {
    const feature = (mass: number) => ({ name: 'pay', type: 'BYTES', stringDomain: { value: ['Cash'] }, distributionConstraints: { minDomainMass: mass } });
    const s = stats(100, [stringFeature('pay', { Cash: 85, Card: 15 })]);
    expect(validateStatistics(s, schema({ feature: [feature(0.8)] })).anomalyInfo).toEqual({});
    expect(Object.keys(validateStatistics(s, schema({ feature: [feature(0.9)] })).anomalyInfo)).toEqual(['pay']);
  });

  it('a float domain: range (float precision, six digits) and Inf', () => {
    const f = { path: { step: ['x'] }, type: 'FLOAT', numStats: { commonStats: { numNonMissing: '10', minNumValues: '1', maxNumValues: '1' }, min: -1.5, max: 'Infinity' } };
    const a = validateStatistics(stats(10, [f]), schema({ feature: [{ name: 'x', type: 'FLOAT', floatDomain: { min: 0.1, max: 100, disallowInf: true } }] }));
    expectAnomaly(a, 'x', [
      [AnomalyInfo_Type.FLOAT_TYPE_SMALL_FLOAT, 'Out-of-range values', 'Unexpectedly low values: -1.5<0.1(upto six significant digits)'],
      [AnomalyInfo_Type.FLOAT_TYPE_BIG_FLOAT, 'Out-of-range values', 'Unexpectedly high value: inf>100(upto six significant digits)'],
      [AnomalyInfo_Type.FLOAT_TYPE_HAS_INF, 'Invalid values', 'Float feature has Inf values.'],
    ]);
  });

  it('an int bool domain with a value above 1', () => {
    const a = validateStatistics(stats(10, [intFeature('flag', 10, 0, { min: 0, max: 2 })]), schema({ feature: [intSchemaFeature('flag', { boolDomain: {} })] }));
    expectAnomaly(a, 'flag', [[AnomalyInfo_Type.BOOL_TYPE_BIG_INT, 'Non-boolean values', 'Integers (such as 2) not in {0, 1}: converting to an integer.']]);
  });

  it('a string bool domain with another value', () => {
    const s = schema({ feature: [{ name: 'ok', type: 'BYTES', boolDomain: { trueValue: 'yes', falseValue: 'no' } }] });
    const a = validateStatistics(stats(10, [stringFeature('ok', { yes: 5, no: 4, maybe: 1 })]), s);
    expectAnomaly(a, 'ok', [[AnomalyInfo_Type.BOOL_TYPE_UNEXPECTED_STRING, 'Non-boolean values', 'Saw unexpected value "maybe" instead of {"no", "yes"}.']]);
  });

  it('unique constraints, and unique constraints on a feature without unique counts', () => {
    const s = schema({ feature: [{ name: 'c', type: 'BYTES', uniqueConstraints: { min: '1', max: '2' } }, intSchemaFeature('n', { uniqueConstraints: { min: '1', max: '5' } })] });
    const a = validateStatistics(stats(10, [stringFeature('c', { a: 4, b: 3, c: 3 }), intFeature('n', 10, 0)]), s);
    expect(Object.keys(a.anomalyInfo).sort()).toEqual(['c', 'n']);
    expect(a.anomalyInfo['c']!.description).toBe('Expected no more than 2 unique values but found 3.');
    expect(a.anomalyInfo['n']!.reason[0]!.type).toBe(AnomalyInfo_Type.FEATURE_TYPE_NO_UNIQUE);
  });
});

describe('comparators', () => {
  const s = () => schema({ feature: [{ name: 'pay', type: 'BYTES', driftComparator: { infinityNorm: { threshold: 0.05 }, normalizedAbsDifference: { threshold: 0.05 }, jensenShannonDivergence: { threshold: 0.05 } } }] });
  const current = () => stats(10, [stringFeature('pay', { a: 6, b: 3, c: 1 })]);

  it('measures L-infinity, normalized absolute difference and JSD, in that order, and reports those above threshold', () => {
    const a = validateStatistics(current(), s(), { previousStatistics: stats(10, [stringFeature('pay', { a: 5, b: 5 })]) });
    expect(a.driftSkewInfo).toHaveLength(1);
    const m = a.driftSkewInfo[0]!.driftMeasurements;
    expect(m.map((x) => x.type)).toEqual([1, 3, 2]);
    // P = (.6, .3, .1) against Q = (.5, .5, 0): |P - Q| peaks at b; counts 6,3,1 against 5,5 over 20 peak at b too.
    expect(m[0]!.value).toBeCloseTo(0.2, 12);
    expect(m[1]!.value).toBeCloseTo(0.1, 12);
    expect(m[2]!.value).toBeCloseTo(0.07150978251768789, 12);
    expect(a.anomalyInfo['pay']!.reason.map((r) => r.description)).toEqual([
      'The Linfty distance between current and previous is 0.2 (up to six significant digits), above the threshold 0.05. The feature value with maximum difference is: b',
      'The normalized absolute difference between current and previous is 0.1 (up to six significant digits), above the threshold 0.05. The feature value with maximum difference is: b',
      'The approximate Jensen-Shannon divergence between current and previous is 0.0715098 (up to six significant digits), above the threshold 0.05.',
    ]);
  });

  it('a previous span without the feature is an anomaly; no previous span at all is not', () => {
    const a = validateStatistics(current(), s(), { previousStatistics: stats(10, [intFeature('other', 10, 0)]) });
    expectAnomaly(a, 'pay', [[AnomalyInfo_Type.COMPARATOR_CONTROL_DATA_MISSING, 'previous data missing', 'previous data is missing.']]);
    expect(validateStatistics(current(), s()).anomalyInfo).toEqual({});
  });
});

describe('dataset anomalies', () => {
  it('too few examples; the max bound alone is never checked (TFDV quirk)', () => {
    const few = validateStatistics(stats(10, []), schema({ datasetConstraints: { minExamplesCount: '100' } }));
    expect(few.datasetAnomalyInfo?.description).toBe('The dataset has 10 examples, which is fewer than expected.');
    expect(validateStatistics(stats(1000, []), schema({ datasetConstraints: { maxExamplesCount: '500' } })).datasetAnomalyInfo).toBeUndefined();
    const many = validateStatistics(stats(1000, []), schema({ datasetConstraints: { minExamplesCount: '1', maxExamplesCount: '500' } }));
    expect(many.datasetAnomalyInfo?.reason[0]?.description).toBe('The dataset has 1000 examples, which is more than expected.');
  });

  it('no examples: only data_missing and the baseline', () => {
    const s = schema({ feature: [intSchemaFeature('a')] });
    const a = validateStatistics(stats(0, []), s);
    expect(a.dataMissing).toBe(true);
    expect(a.anomalyInfo).toEqual({});
    expect(a.baselineSchema.case).toBe('baseline');
    expect(a.anomalyNameFormat).toBe(0);
  });
});

describe('severity', () => {
  it('overrides lower a reason type to WARNING', () => {
    const a = validateStatistics(stats(10, [intFeature('b', 10, 0)]), schema({}), { severityOverrides: [{ type: AnomalyInfo_Type.SCHEMA_NEW_COLUMN, severity: AnomalyInfo_Severity.WARNING }] });
    expect(a.anomalyInfo['b']!.severity).toBe(AnomalyInfo_Severity.WARNING);
  });
});

describe('bad input names the thing', () => {
  const two = protoFromJson(DatasetFeatureStatisticsListSchema, { datasets: [{ name: 'slice_a', numExamples: '1' }, { name: 'slice_b', numExamples: '1' }] });

  it('several datasets without "All Examples"', () => {
    expect(() => validateStatistics(two, schema({}))).toThrow('statistics.datasets: exactly one dataset, or one named "All Examples" (the default slice) among several, received ["slice_a","slice_b"]');
    expect(() => inferSchema(two)).toThrow(/^statistics\.datasets: exactly one dataset/);
    expect(() => validateStatistics(stats(1, []), schema({}), { previousStatistics: two })).toThrow(/^options\.previousStatistics\.datasets: exactly one dataset/);
  });

  it('the "All Examples" slice is picked among several', () => {
    const sliced = protoFromJson(DatasetFeatureStatisticsListSchema, { datasets: [{ name: 'x', numExamples: '1' }, { name: 'All Examples', numExamples: '0' }] });
    expect(validateStatistics(sliced, schema({})).dataMissing).toBe(true);
  });

  it('an environment the schema does not declare', () => {
    expect(() => validateStatistics(stats(1, []), schema({ defaultEnvironment: ['TRAINING'] }), { environment: 'SERVING' })).toThrow(
      `options.environment: one of the schema's default_environment ["TRAINING"], received "SERVING"`,
    );
  });

  it('statistics mixing name and path', () => {
    const mixed = protoFromJson(DatasetFeatureStatisticsSchema, { numExamples: '1', features: [{ name: 'by_name', type: 'INT', numStats: {} }, { path: { step: ['by_path'] }, type: 'INT', numStats: {} }] });
    expect(() => validateStatistics(mixed, schema({}))).toThrow(
      'statistics.features: every feature identified by `name` or every feature by `path` (TFDV rejects a mix), received {"name":["by_name"],"path":[["by_path"]]}',
    );
  });

  it('the same path twice', () => {
    expect(() => validateStatistics(stats(1, [intFeature('a', 1, 0), intFeature('a', 1, 0)]), schema({}))).toThrow('statistics.datasets[0].features[1].path: a path no other feature of the dataset has, received ["a"]');
  });

  it('options with a typo, a bad domain size, and inputs that are no messages', () => {
    expect(() => validateStatistics(stats(1, []), schema({}), { enviroment: 'x' } as never)).toThrow(/options: unexpected key\(s\) "enviroment"/);
    expect(() => inferSchema(stats(1, []), { maxStringDomainSize: -1 })).toThrow(/^options\.maxStringDomainSize: /);
    expect(() => validateStatistics({ datasets: [] } as never, schema({}))).toThrow('statistics: a DatasetFeatureStatisticsList or DatasetFeatureStatistics message, received {"datasets":[]}');
    expect(() => validateStatistics(stats(1, []), {} as never)).toThrow('schema: a Schema message, received {}');
  });
});
