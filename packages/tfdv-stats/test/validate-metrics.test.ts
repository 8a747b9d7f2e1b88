// The 24 metric cases extracted from TFDV's metrics_test.cc (tolerance 1e-5), run through the exported metric
// functions; histogram cases go through the feature-level selection TFDV's comparator uses.
import { create } from '@bufbuild/protobuf';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FeatureNameStatistics_Type,
  FeatureNameStatisticsSchema,
  HistogramSchema,
  HistogramSelection_Type,
  NumericStatisticsSchema,
  RankHistogram_BucketSchema,
  RankHistogramSchema,
  StringStatisticsSchema,
} from '../src/protos.ts';
import {
  featureJensenShannonDivergence,
  jensenShannonDivergence,
  lInftyDistance,
  MetricInputError,
  normalizedAbsoluteDifference,
} from '../src/validate/metrics.ts';
import { SHARED, protoFromJson, readJson } from './helpers/conformance-files.ts';

interface MetricCase {
  metric: 'L_INFTY' | 'NORMALIZED_ABSOLUTE_DIFFERENCE' | 'JENSEN_SHANNON_DIVERGENCE';
  test: string;
  inputs: {
    rank_histogram_counts_a?: Record<string, number>;
    rank_histogram_counts_b?: Record<string, number>;
    histogram_a?: unknown;
    histogram_b?: unknown;
    source?: 'STANDARD' | 'QUANTILES';
  };
  expected: number | 'InvalidArgument';
  tolerance: number;
}

const { metric_cases: cases } = readJson(join(SHARED, 'tfdv/extracted-cases.json')) as { metric_cases: MetricCase[] };

/** A feature carrying what the case gives one side: rank-histogram counts (string stats) or a histogram (numeric). */
function feature(counts: Record<string, number> | undefined, histogram: unknown) {
  if (counts) {
    const rankHistogram = create(RankHistogramSchema, { buckets: Object.entries(counts).map(([label, sampleCount]) => create(RankHistogram_BucketSchema, { label, sampleCount })) });
    return create(FeatureNameStatisticsSchema, { type: FeatureNameStatistics_Type.STRING, stats: { case: 'stringStats', value: create(StringStatisticsSchema, { rankHistogram }) } });
  }
  const numStats = create(NumericStatisticsSchema, { histograms: [protoFromJson(HistogramSchema, histogram)] });
  return create(FeatureNameStatisticsSchema, { type: FeatureNameStatistics_Type.FLOAT, stats: { case: 'numStats', value: numStats } });
}

function compute(c: MetricCase): number {
  const { rank_histogram_counts_a: a, rank_histogram_counts_b: b } = c.inputs;
  if (c.metric === 'L_INFTY') return lInftyDistance(a!, b!).value;
  if (c.metric === 'NORMALIZED_ABSOLUTE_DIFFERENCE') return normalizedAbsoluteDifference(a!, b!).value;
  const source = c.inputs.source === 'QUANTILES' ? HistogramSelection_Type.QUANTILES : HistogramSelection_Type.STANDARD;
  return featureJensenShannonDivergence(feature(a, c.inputs.histogram_a), feature(b, c.inputs.histogram_b), source);
}

describe('TFDV metric cases', () => {
  it('has all 24', () => {
    expect(cases).toHaveLength(24);
  });

  for (const c of cases) {
    it(`${c.metric} ${c.test} = ${c.expected}`, () => {
      if (c.expected === 'InvalidArgument') expect(() => compute(c)).toThrow(MetricInputError);
      else expect(Math.abs(compute(c) - c.expected)).toBeLessThanOrEqual(c.tolerance);
    });
  }
});

describe('metric functions', () => {
  it('report the category of the largest difference, the last one on a tie (byte order)', () => {
    expect(lInftyDistance({ b: 1, a: 3 }, { a: 1, b: 3 })).toEqual({ value: 0.5, featureValue: 'b' });
    // 'é' (U+00E9) sorts after 'z' in UTF-8, and U+1F600 after U+FFFD although JavaScript orders it before.
    expect(lInftyDistance({ z: 1, é: 1 }, { z: 3, é: 3 }).featureValue).toBe('é');
    expect(lInftyDistance({ '\u{1F600}': 1, '\uFFFD': 1 }, { '\u{1F600}': 3, '\uFFFD': 3 }).featureValue).toBe('\u{1F600}');
  });

  it('accept rank histograms directly, the first bucket of a repeated label winning', () => {
    const rank = (pairs: [string, number][]) => create(RankHistogramSchema, { buckets: pairs.map(([label, sampleCount]) => create(RankHistogram_BucketSchema, { label, sampleCount })) });
    expect(lInftyDistance(rank([['a', 1], ['b', 1], ['a', 100]]), { a: 1, b: 1 }).value).toBe(0);
    expect(normalizedAbsoluteDifference(rank([['x', 1], ['y', 5]]), { x: 10, y: 50 }).value).toBeCloseTo(45 / 66, 12);
  });

  it('computes the numeric JSD of histograms and refuses to mix kinds', () => {
    const h = (type: 'STANDARD' | 'QUANTILES', buckets: [number, number, number][]) =>
      protoFromJson(HistogramSchema, { type, buckets: buckets.map(([lowValue, highValue, sampleCount]) => ({ lowValue, highValue, sampleCount })) });
    expect(jensenShannonDivergence(h('STANDARD', [[1, 2, 2], [2, 3, 2]]), h('STANDARD', [[2, 4, 2], [4, 6, 2]]))).toBeCloseTo(0.65563906222, 9);
    expect(() => jensenShannonDivergence(h('STANDARD', [[1, 2, 1]]), h('QUANTILES', [[1, 2, 1]]))).toThrow('Input histograms must have same type.');
    expect(jensenShannonDivergence({ a: 1 }, { b: 1 })).toBe(1);
  });
});
