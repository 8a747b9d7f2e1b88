// Validation of the less common schema parts: the schema's own consistency checks, sparse and weighted
// features, image and natural-language domains, and STRUCT children of name-identified statistics.
import { create } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import {
  AnomalyInfo_Type,
  CustomStatisticSchema,
  DatasetFeatureStatisticsListSchema,
  DatasetFeatureStatisticsSchema,
  NaturalLanguageStatisticsSchema,
  SchemaSchema,
} from '../src/protos.ts';
import { validateStatistics } from '../src/validate/validate-statistics.ts';
import { protoFromJson } from './helpers/conformance-files.ts';

type Json = Record<string, unknown>;
const stats = (features: Json[]) => protoFromJson(DatasetFeatureStatisticsListSchema, { datasets: [{ numExamples: '10', features }] });
const schema = (json: Json) => protoFromJson(SchemaSchema, json);
const common = { numNonMissing: '10', minNumValues: '1', maxNumValues: '1', totNumValues: '10' };
const ints = (name: string) => ({ path: { step: [name] }, type: 'INT', numStats: { commonStats: common, min: 1, max: 5 } });
const reasons = (a: ReturnType<typeof validateStatistics>, key: string) => a.anomalyInfo[key]?.reason.map((r) => [r.type, r.shortDescription, r.description]);

describe("the schema's own consistency", () => {
  it('a domain that does not fit the type is dropped', () => {
    const a = validateStatistics(stats([ints('n')]), schema({ feature: [{ name: 'n', type: 'INT', stringDomain: { value: ['x'] } }] }));
    expect(reasons(a, 'n')).toEqual([[AnomalyInfo_Type.DOMAIN_INVALID_FOR_TYPE, 'The domain does not match the type', 'The domain "string_domain" does not match the type: INT']]);
  });

  it('a reference to an unknown string domain (TFDV quotes the name after clearing it)', () => {
    const a = validateStatistics(stats([{ path: { step: ['s'] }, type: 'STRING', stringStats: { commonStats: common } }]), schema({ feature: [{ name: 's', type: 'BYTES', domain: 'nowhere' }] }));
    expect(reasons(a, 's')).toEqual([[AnomalyInfo_Type.INVALID_DOMAIN_SPECIFICATION, 'missing domain: ', '']]);
    // Reasons without a long description leave the anomaly's description empty.
    expect(a.anomalyInfo['s']!.description).toBe('');
    expect(a.anomalyInfo['s']!.shortDescription).toBe('missing domain: ');
  });

  it('bounds that make no sense are repaired and reported', () => {
    const a = validateStatistics(stats([ints('n')]), schema({ feature: [{ name: 'n', type: 'INT', presence: { minFraction: 1.5 }, valueCount: { min: '3', max: '2' } }] }));
    expect(a.anomalyInfo['n']!.reason.map((r) => r.shortDescription)).toEqual([
      'min_fraction should not greater than 1',
      'ValueCount.max should not be less than min',
      'Missing values', // min raised to 3 by the repair, above the observed 1
    ]);
  });

  it('a feature without type and domain is deprecated', () => {
    const a = validateStatistics(stats([ints('n')]), schema({ feature: [{ name: 'n' }] }));
    expect(reasons(a, 'n')).toEqual([[AnomalyInfo_Type.FEATURE_MISSING_TYPE, 'unspecified type: determine the type and set it, rather than deprecating.', '']]);
  });

  it('raw BYTES statistics with a domain they cannot have quote the feature as C++ DebugString prints it', () => {
    const bytes = { path: { step: ['img'] }, type: 'BYTES', bytesStats: { commonStats: common, maxNumBytesInt: '10' } };
    const a = validateStatistics(stats([bytes]), schema({ feature: [{ name: 'img', type: 'BYTES', intDomain: { min: '0' } }] }));
    expect(reasons(a, 'img')).toEqual([[AnomalyInfo_Type.DOMAIN_INVALID_FOR_TYPE, 'Invalid domain type', 'Data is marked as BYTES with incompatible domain_info: name: "img"\ntype: BYTES\n']]);
  });
});

describe('composite features', () => {
  it('a sparse feature whose statistics report missing values and indices', () => {
    const sparse = {
      path: { step: ['sp'] },
      customStats: [
        { name: 'missing_value', num: 3 },
        { name: 'missing_index', rankHistogram: { buckets: [{ label: 'idx', sampleCount: 2 }, { label: 'ok', sampleCount: 0 }] } },
        { name: 'max_length_diff', rankHistogram: { buckets: [{ label: 'idx', sampleCount: 1 }] } },
      ],
    };
    const a = validateStatistics(stats([sparse]), schema({ sparseFeature: [{ name: 'sp', indexFeature: [{ name: 'idx' }], valueFeature: { name: 'v' } }] }));
    expect(reasons(a, 'sp')).toEqual([
      [AnomalyInfo_Type.SPARSE_FEATURE_MISSING_VALUE, 'Missing value feature', 'Found 3 examples missing value feature'],
      [AnomalyInfo_Type.SPARSE_FEATURE_MISSING_INDEX, 'Missing index feature', 'Found 2 examples missing index feature: idx'],
      [AnomalyInfo_Type.SPARSE_FEATURE_LENGTH_MISMATCH, 'Length mismatch between value and index feature', 'Mismatch between index feature: idx and value column, with max_length_diff = 1'],
    ]);
  });

  it('a weighted feature sharing its name with a feature', () => {
    const a = validateStatistics(stats([ints('w')]), schema({ feature: [{ name: 'w', type: 'INT' }], weightedFeature: [{ name: 'w', feature: { step: ['v'] }, weightFeature: { step: ['wt'] } }] }));
    expect(reasons(a, 'w')).toEqual([[AnomalyInfo_Type.WEIGHTED_FEATURE_NAME_COLLISION, 'Weighted feature name collision', 'Weighted feature name collision.']]);
  });
});

describe('semantic domains', () => {
  it('image size and supported-format share', () => {
    const image = {
      path: { step: ['img'] },
      type: 'BYTES',
      bytesStats: { commonStats: common, maxNumBytesInt: '2000' },
      customStats: [{ name: 'image_format_histogram', rankHistogram: { buckets: [{ label: 'jpeg', sampleCount: 6 }, { label: 'UNKNOWN', sampleCount: 4 }] } }],
    };
    const a = validateStatistics(stats([image]), schema({ feature: [{ name: 'img', type: 'BYTES', imageDomain: { minimumSupportedImageFraction: 0.9, maxImageByteSize: '1000' } }] }));
    expect(reasons(a, 'img')).toEqual([
      [AnomalyInfo_Type.LOW_SUPPORTED_IMAGE_FRACTION, 'Low supported image fraction', 'Fraction of values containing TensorFlow supported images: 0.600000 is lower than the threshold set in the Schema: 0.900000.'],
      [AnomalyInfo_Type.MAX_IMAGE_BYTE_SIZE_EXCEEDED, 'Num bytes exceeds the max byte size.', 'The largest image has bytes: 2000. The max allowed byte size is: 1000.'],
    ]);
  });

  it('natural-language constraints need the nl_statistics, and are checked against them', () => {
    const text = { path: { step: ['t'] }, type: 'STRING', stringStats: { commonStats: common } };
    const nlSchema = () => schema({ feature: [{ name: 't', type: 'BYTES', naturalLanguageDomain: { coverage: { minCoverage: 0.75 } } }] });
    expect(reasons(validateStatistics(stats([text]), nlSchema()), 't')).toEqual([
      [
        AnomalyInfo_Type.STATS_NOT_AVAILABLE,
        'Natural language stats are not computed.',
        'Constraints specified in natural language domain cannot be verified because natural language stats have not been computed.',
      ],
    ]);
    const withNl = stats([text]);
    withNl.datasets[0]!.features[0]!.customStats.push(
      create(CustomStatisticSchema, { name: 'nl_statistics', val: { case: 'any', value: anyPack(NaturalLanguageStatisticsSchema, create(NaturalLanguageStatisticsSchema, { featureCoverage: 0.5 })) } }),
    );
    expect(reasons(validateStatistics(withNl, nlSchema()), 't')).toEqual([
      [AnomalyInfo_Type.FEATURE_COVERAGE_TOO_LOW, 'Feature coverage is too low.', 'Fraction of tokens in the vocabulary: 0.5 is lower than the threshold set in the Schema: 0.75.'],
    ]);
  });
});

describe('statistics identifying features by name', () => {
  it('find STRUCT children by the "<parent>.<child>" name', () => {
    const byName = protoFromJson(DatasetFeatureStatisticsSchema, {
      numExamples: '10',
      features: [
        { name: 's', type: 'STRUCT', structStats: { commonStats: common } },
        { name: 's.x', type: 'INT', numStats: { commonStats: common, min: 0, max: 20 } },
      ],
    });
    const s = schema({ feature: [{ name: 's', type: 'STRUCT', structDomain: { feature: [{ name: 'x', type: 'INT', intDomain: { max: '10' } }] } }] });
    const a = validateStatistics(byName, s);
    expect(Object.keys(a.anomalyInfo)).toEqual(['s.x']);
    expect(a.anomalyInfo['s.x']!.path?.step).toEqual(['s', 'x']);
    expect(a.anomalyInfo['s.x']!.description).toBe('Unexpectedly large value: 20.');
  });
});
