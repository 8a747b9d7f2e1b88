// Schema inference and update rules beyond the TFDV cases: domain choice, byte-order domains, STRUCT recursion,
// semantic domains from the statistics, weighted statistics, and how update_schema grows an existing schema.
import { isFieldSet, toJson } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { DatasetFeatureStatisticsListSchema, FeatureSchema, LifecycleStage, SchemaSchema } from '../src/protos.ts';
import { inferSchema, updateSchema } from '../src/schema/infer-schema.ts';
import { protoFromJson } from './helpers/conformance-files.ts';
import { expectProtoEqual } from './helpers/proto-diff.ts';

type Json = Record<string, unknown>;
const stats = (features: Json[], extra: Json = {}) => protoFromJson(DatasetFeatureStatisticsListSchema, { datasets: [{ numExamples: '10', features, ...extra }] });
const schema = (json: Json) => protoFromJson(SchemaSchema, json);
const common = { numNonMissing: '10', minNumValues: '1', maxNumValues: '1', totNumValues: '10' };
const strings = (step: string[], labels: string[], extra: Json = {}) => ({
  path: { step },
  type: 'STRING',
  stringStats: { commonStats: common, unique: String(labels.length), rankHistogram: { buckets: labels.map((label, i) => ({ lowRank: String(i), highRank: String(i), label, sampleCount: 10 - i })) }, ...extra },
});
const ints = (step: string[], min: number, max: number) => ({ path: { step }, type: 'INT', numStats: { commonStats: common, min, max } });
const domainOf = (s: ReturnType<typeof inferSchema>, name: string) => s.feature.find((f) => f.name === name)!.domainInfo;

describe('inferSchema domains', () => {
  it('bool for INT in {0, 1} and for true/false strings, int for int strings, string domains otherwise, none for floats', () => {
    const s = inferSchema(
      stats([
        ints(['flag'], 0, 1),
        ints(['count'], 0, 7),
        strings(['yes_no'], ['true', 'false']),
        strings(['zero_one'], ['0', '1']),
        strings(['code'], ['10', '-3', '200']),
        strings(['color'], ['red', 'green']),
        { path: { step: ['ratio'] }, type: 'FLOAT', numStats: { commonStats: common, min: 0, max: 1 } },
      ]),
    );
    expect(toJson(FeatureSchema, s.feature.find((f) => f.name === 'flag')!)).toMatchObject({ boolDomain: {} });
    expect(domainOf(s, 'count').case).toBeUndefined();
    expect(toJson(FeatureSchema, s.feature.find((f) => f.name === 'yes_no')!)).toMatchObject({ boolDomain: { trueValue: 'true', falseValue: 'false' } });
    expect(toJson(FeatureSchema, s.feature.find((f) => f.name === 'zero_one')!)).toMatchObject({ boolDomain: { trueValue: '1', falseValue: '0' } });
    expect(toJson(FeatureSchema, s.feature.find((f) => f.name === 'code')!)).toMatchObject({ intDomain: {} });
    expect(domainOf(s, 'color')).toEqual({ case: 'domain', value: 'color' });
    expect(domainOf(s, 'ratio').case).toBeUndefined();
  });

  it('string domain values in UTF-8 byte order, whatever the rank order', () => {
    const s = inferSchema(stats([strings(['c'], ['b', 'é', 'a', 'Z', 'z'])]));
    expect(s.stringDomain).toHaveLength(1);
    expect(s.stringDomain[0]!.value).toEqual(['Z', 'a', 'b', 'z', 'é']);
  });

  it('no domain for invalid UTF-8, for raw BYTES, or above maxStringDomainSize', () => {
    const s = inferSchema(
      stats([strings(['bad'], ['a'], { invalidUtf8Count: '1' }), { ...strings(['raw'], ['x']), type: 'BYTES' }, strings(['many'], ['a', 'b', 'c'])]),
      { maxStringDomainSize: 2 },
    );
    expect(s.feature.map((f) => f.domainInfo.case)).toEqual([undefined, undefined, undefined]);
    expect(s.stringDomain).toEqual([]);
  });

  it('a semantic domain proposed by a domain_info custom statistic', () => {
    const f = { ...strings(['id'], ['m1', 'm2']), customStats: [{ name: 'domain_info', str: 'mid_domain {}' }] };
    expect(domainOf(inferSchema(stats([f])), 'id').case).toBe('midDomain');
    const notADomain = { ...strings(['id'], ['m1']), customStats: [{ name: 'domain_info', str: 'name: "x"' }] };
    expect(domainOf(inferSchema(stats([notADomain])), 'id')).toEqual({ case: 'domain', value: 'id' });
  });

  it('drops features that only have custom statistics (sparse / weighted feature stats)', () => {
    const s = inferSchema(stats([ints(['a'], 0, 5), { path: { step: ['sparse'] }, customStats: [{ name: 'missing_value', num: 0 }] }]));
    expect(s.feature.map((f) => f.name)).toEqual(['a']);
  });

  it('recurses into STRUCT features: children in path order inside struct_domain, domains named by serialized path', () => {
    const s = inferSchema(
      stats([
        { path: { step: ['s'] }, type: 'STRUCT', structStats: { commonStats: common } },
        strings(['s', 'y'], ['u', 'v']),
        ints(['s', 'x'], 2, 9),
      ]),
    );
    const expected = schema({
      feature: [
        {
          name: 's',
          type: 'STRUCT',
          presence: { minFraction: 1, minCount: '1' },
          valueCount: { min: '1', max: '1' },
          structDomain: {
            feature: [
              { name: 'x', type: 'INT', presence: { minFraction: 1, minCount: '1' }, shape: { dim: [{ size: '1' }] } },
              { name: 'y', type: 'BYTES', presence: { minFraction: 1, minCount: '1' }, shape: { dim: [{ size: '1' }] }, domain: 's.y' },
            ],
          },
        },
      ],
      stringDomain: [{ name: 's.y', value: ['u', 'v'] }],
    });
    expectProtoEqual(SchemaSchema, s, expected);
  });

  it('presence from weighted counts when every feature has weighted statistics', () => {
    const weighted = { numNonMissing: 0.5, numMissing: 9.5, avgNumValues: 1, totNumValues: 0.5 };
    const f = { ...ints(['a'], 0, 5), numStats: { commonStats: { ...common, weightedCommonStats: weighted }, min: 0, max: 5 } };
    // Weighted presence below 1 gives min_count 0; some examples miss it, so there is no min_fraction.
    expect(toJson(FeatureSchema, inferSchema(stats([f], { weightedNumExamples: 10 })).feature[0]!).presence).toEqual({ minCount: '0' });
    // Without weighted_num_examples the plain counts are used.
    expect(toJson(FeatureSchema, inferSchema(stats([f])).feature[0]!).presence).toEqual({ minFraction: 1, minCount: '1' });
  });

  it('takes the "All Examples" slice of sliced statistics', () => {
    const sliced = protoFromJson(DatasetFeatureStatisticsListSchema, {
      datasets: [
        { name: 'country=NL', numExamples: '5', features: [ints(['only_in_slice'], 0, 3)] },
        { name: 'All Examples', numExamples: '10', features: [ints(['a'], 0, 3)] },
      ],
    });
    expect(inferSchema(sliced).feature.map((f) => f.name)).toEqual(['a']);
  });
});

describe('updateSchema', () => {
  it('adds new features (never with a shape), suffixing a clashing string domain name', () => {
    const base = schema({ feature: [{ name: 'a', type: 'BYTES', domain: 'b' }], stringDomain: [{ name: 'b', value: ['x'] }] });
    const s = updateSchema(base, stats([strings(['a'], ['x']), strings(['b'], ['p', 'q'])]));
    expect(s.stringDomain.map((d) => [d.name, d.value])).toEqual([
      ['b', ['x']],
      ['b2', ['p', 'q']],
    ]);
    const b = s.feature.find((f) => f.name === 'b')!;
    expect(b.domainInfo).toEqual({ case: 'domain', value: 'b2' });
    expect(b.shapeType.case).toBe('valueCount');
  });

  it('loosens violated constraints and deprecates required features the statistics lack', () => {
    const base = schema({
      feature: [
        { name: 'n', type: 'INT', presence: { minCount: '20' }, valueCount: { min: '2', max: '3' }, intDomain: { min: '3', max: '4' } },
        { name: 'gone', type: 'INT', presence: { minCount: '1' } },
        { name: 'optional', type: 'INT' },
      ],
    });
    const s = updateSchema(base, stats([ints(['n'], 1, 9)]));
    expect(toJson(FeatureSchema, s.feature[0]!)).toEqual({ name: 'n', type: 'INT', presence: { minCount: '10' }, valueCount: { min: '1', max: '3' }, intDomain: { min: '1', max: '9' } });
    expect(s.feature[1]!.lifecycleStage).toBe(LifecycleStage.DEPRECATED);
    expect(isFieldSet(s.feature[2]!, FeatureSchema.field.lifecycleStage)).toBe(false);
    // The input is left alone.
    expect(toJson(FeatureSchema, base.feature[0]!)).toMatchObject({ presence: { minCount: '20' } });
  });
});
