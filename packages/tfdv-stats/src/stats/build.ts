// Statistics messages from the warehouse's aggregates, as TFDV's generators fill them: basic_stats_generator.py
// (_make_common_stats_proto, _make_numeric_stats_proto, _make_string_stats_proto) and top_k_uniques_stats_util.py.
import { create } from '@bufbuild/protobuf';
import type {
  CommonStatistics, Histogram, NumericStatistics, RankHistogram, StringStatistics, StringStatistics_FreqAndValue,
  WeightedCommonStatistics, WeightedNumericStatistics,
} from '../protos.ts';
import {
  CommonStatisticsSchema, Histogram_HistogramType, HistogramSchema, NumericStatisticsSchema, RankHistogram_BucketSchema, RankHistogramSchema,
  StringStatistics_FreqAndValueSchema, StringStatisticsSchema, WeightedCommonStatisticsSchema, WeightedNumericStatisticsSchema,
  WeightedStringStatisticsSchema,
} from '../protos.ts';
import type { StatsOptions } from './options.ts';
import { QUANTILES_FACTOR } from './options.ts';
import type { HistogramBucket, QuantilesAndCounts, SummaryEntry } from './quantiles.ts';
import { equiWidthHistogram, findMedian, generateQuantiles, quantilesHistogram, rebinQuantiles } from './quantiles.ts';

export interface Presence {
  /** Examples with the feature (a list, possibly empty). */
  nonMissing: number;
  /** Values over all examples. */
  totalValues: number;
  minValues: number;
  maxValues: number;
  /** Summary of the per-example value counts (for `num_values_histogram`). */
  numValues: readonly SummaryEntry[];
  weighted?: { nonMissing: number; totalValues: number };
}

function histogram(type: Histogram['type'], buckets: readonly HistogramBucket[], numNan = 0): Histogram {
  return create(HistogramSchema, { type, numNan: BigInt(numNan), buckets: buckets.map((b) => ({ ...b })) });
}

export function commonStatistics(p: Presence, numExamples: number, weightedNumExamples: number | undefined, opts: StatsOptions): CommonStatistics {
  const c = create(CommonStatisticsSchema, {
    numNonMissing: BigInt(p.nonMissing),
    numMissing: BigInt(numExamples - p.nonMissing),
    totNumValues: BigInt(p.totalValues),
  });
  if (p.nonMissing > 0) {
    c.minNumValues = BigInt(p.minValues);
    c.maxNumValues = BigInt(p.maxValues);
    c.avgNumValues = Math.fround(p.totalValues / p.nonMissing);
    const qc = generateQuantiles(p.numValues, opts.numValuesHistogramBuckets);
    if (qc.quantiles.length > 0) c.numValuesHistogram = histogram(Histogram_HistogramType.QUANTILES, quantilesHistogram(qc));
  }
  if (p.weighted && weightedNumExamples !== undefined) c.weightedCommonStats = weightedCommon(p.weighted, weightedNumExamples);
  return c;
}

function weightedCommon(w: { nonMissing: number; totalValues: number }, weightedNumExamples: number): WeightedCommonStatistics {
  return create(WeightedCommonStatisticsSchema, {
    numNonMissing: w.nonMissing,
    numMissing: weightedNumExamples - w.nonMissing,
    totNumValues: w.totalValues,
    avgNumValues: w.nonMissing > 0 ? w.totalValues / w.nonMissing : 0,
  });
}

/** Numeric facts about a feature's values (NaN excluded from everything but `nan`). */
export interface NumericValues {
  /** Values that are not NaN. */
  count: number;
  nan: number;
  zeros: number;
  min: number;
  max: number;
  finiteMin: number;
  finiteMax: number;
  posInf: number;
  negInf: number;
  /** Mean over the non-NaN values (infinite or NaN when there are infinities, as in TFDV's float64 mean). */
  mean: number;
  /** Population variance of the finite values. */
  variance: number;
  weighted?: { mean: number; variance: number; posInf: number };
}

/** TFDV's variance is NaN once an infinity is among the values, which it reports as std_dev 0 (`sqrt(max(0, nan))`). */
function stdDev(v: NumericValues, variance: number): number {
  return v.posInf > 0 || v.negInf > 0 ? 0 : Math.sqrt(Math.max(0, variance));
}

interface Derived { median: number; histograms: Histogram[] }

/** Median and the STANDARD + QUANTILES histograms from one set of 100 x B quantiles (TFDV 1.x). */
function derive(qc: QuantilesAndCounts, finiteMin: number, finiteMax: number, posInf: number, numNan: number, opts: StatsOptions): Derived {
  return {
    median: findMedian(qc.quantiles),
    histograms: [
      histogram(Histogram_HistogramType.STANDARD, equiWidthHistogram(qc, finiteMin, finiteMax, opts.numHistogramBuckets, posInf), numNan),
      histogram(Histogram_HistogramType.QUANTILES, quantilesHistogram(rebinQuantiles(qc, QUANTILES_FACTOR)), numNan),
    ],
  };
}

export function numericQuantiles(summary: readonly SummaryEntry[], opts: StatsOptions): QuantilesAndCounts {
  return generateQuantiles(summary, QUANTILES_FACTOR * opts.numQuantilesHistogramBuckets);
}

export function numericStatistics(
  common: CommonStatistics, v: NumericValues, qc: QuantilesAndCounts | undefined, weightedQc: QuantilesAndCounts | undefined, opts: StatsOptions,
): NumericStatistics {
  const s = create(NumericStatisticsSchema, { commonStats: common });
  if (v.count === 0) {
    // Only NaN (or nothing): just the NaN count on both histograms.
    if (v.nan > 0) s.histograms = [histogram(Histogram_HistogramType.STANDARD, [], v.nan), histogram(Histogram_HistogramType.QUANTILES, [], v.nan)];
    return s;
  }
  Object.assign(s, { mean: v.mean, stdDev: stdDev(v, v.variance), numZeros: BigInt(v.zeros), min: v.min, max: v.max });
  if (qc && qc.quantiles.length > 0) {
    const d = derive(qc, v.finiteMin, v.finiteMax, v.posInf, v.nan, opts);
    s.median = d.median;
    s.histograms = d.histograms;
  }
  if (v.weighted) {
    const w = v.weighted;
    const ws: WeightedNumericStatistics = create(WeightedNumericStatisticsSchema, { mean: w.mean, stdDev: stdDev(v, w.variance) });
    if (weightedQc && weightedQc.quantiles.length > 0) {
      const d = derive(weightedQc, v.finiteMin, v.finiteMax, w.posInf, v.nan, opts);
      ws.median = d.median;
      ws.histograms = d.histograms;
    }
    s.weightedNumericStats = ws;
  }
  return s;
}

/** One value's count (and weighted count) with its label, in TFDV's top-k order. */
export interface ValueCount {
  label: string;
  count: number;
  weighted?: number;
}

export interface StringValues {
  /** Values over all examples, and their total length in bytes (characters of the decimal text for INT). */
  count: number;
  totalLength: number;
  invalidUtf8: number;
  unique: number;
  /** By count descending then value descending. */
  top: readonly ValueCount[];
  /** By weighted count descending then value descending (when weighted). */
  weightedTop?: readonly ValueCount[];
}

function topAndRank(entries: readonly { label: string; n: number }[], threshold: number, opts: StatsOptions): { top: StringStatistics_FreqAndValue[]; rank: RankHistogram } {
  const top: StringStatistics_FreqAndValue[] = [];
  const rank = create(RankHistogramSchema);
  for (const [i, e] of entries.entries()) {
    if (e.n < threshold) break;
    if (i < opts.numTopValues) top.push(create(StringStatistics_FreqAndValueSchema, { value: e.label, frequency: e.n }));
    if (i < opts.numRankHistogramBuckets) rank.buckets.push(create(RankHistogram_BucketSchema, { lowRank: BigInt(i), highRank: BigInt(i), label: e.label, sampleCount: e.n }));
  }
  return { top, rank };
}

export function stringStatistics(common: CommonStatistics, v: StringValues, opts: StatsOptions): StringStatistics {
  const s = create(StringStatisticsSchema, { commonStats: common, invalidUtf8Count: BigInt(v.invalidUtf8) });
  if (v.count > 0) s.avgLength = Math.fround(v.totalLength / v.count);
  if (v.unique === 0) return s;
  s.unique = BigInt(v.unique);
  const { top, rank } = topAndRank(v.top.map((t) => ({ label: t.label, n: t.count })), opts.frequencyThreshold, opts);
  s.topValues = top;
  s.rankHistogram = rank;
  if (v.weightedTop) {
    const w = topAndRank(v.weightedTop.map((t) => ({ label: t.label, n: t.weighted ?? 0 })), opts.weightedFrequencyThreshold, opts);
    s.weightedStringStats = create(WeightedStringStatisticsSchema, { topValues: w.top, rankHistogram: w.rank });
  }
  return s;
}
