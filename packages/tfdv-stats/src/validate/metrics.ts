// Distribution distances exactly as TFDV computes them (anomalies/metrics.cc, map_util.cc):
// - L-infinity: max |p_i - q_i| after normalizing each side by its own total (categorical, rank histograms);
// - normalized absolute difference: max |a_i - b_i| / (Σa + Σb);
// - Jensen-Shannon divergence (log base 2) over rank histograms, or over numeric histograms after TFDV's
//   rebucketing: point-mass and infinite buckets are split off and never match, NaN counts never match.
// Keys are visited in std::map (UTF-8 byte) order and ties go to the last key, which decides the reported value.
import { isMessage } from '@bufbuild/protobuf';
import {
  type FeatureNameStatistics,
  type Histogram,
  HistogramSchema,
  HistogramSelection_Type,
  type RankHistogram,
  RankHistogramSchema,
} from '../protos.ts';
import { sortedUniqueEntries } from './byte-order.ts';
import { selectedHistogram, stringValuesWithCounts } from './stats-view.ts';

/** Category counts: a rank histogram (label → sample_count) or a plain label → count record. */
export type CategoricalCounts = RankHistogram | Readonly<Record<string, number>>;

export interface MaxDifference {
  /** The distance. */
  value: number;
  /** The category at which it is reached ('' when there is none), as TFDV quotes it in the anomaly text. */
  featureValue: string;
}

/** The inputs do not allow the metric (TFDV's InvalidArgument); the message is TFDV's. */
export class MetricInputError extends Error {
  override name = 'MetricInputError';
}

type Counts = [string, number][];

function toCounts(c: CategoricalCounts): Counts {
  if (isMessage(c, RankHistogramSchema)) return sortedUniqueEntries(c.buckets.map((b) => [b.label, b.sampleCount] as const));
  return sortedUniqueEntries(Object.entries(c));
}

const sum = (counts: Counts) => counts.reduce((s, [, v]) => s + v, 0);

function scaled(counts: Counts, divisor: number): Map<string, number> {
  return new Map(counts.map(([k, v]) => [k, v / divisor]));
}

/** GetLInftyNorm(GetDifference(a, b)): keys of both, in byte order; `>=` makes the last maximal key win. */
function maxAbsDifference(a: Map<string, number>, b: Map<string, number>): MaxDifference {
  const keys = sortedUniqueEntries([...a.keys(), ...b.keys()].map((k) => [k, 0] as const)).map(([k]) => k);
  let best: MaxDifference = { value: 0, featureValue: '' };
  for (const k of keys) {
    const d = Math.abs((a.get(k) ?? 0) - (b.get(k) ?? 0));
    if (d >= best.value) best = { value: d, featureValue: k };
  }
  return best;
}

/** Normalize(): divide by the total, or leave the counts alone when they sum to 0. */
function normalized(counts: Counts): Map<string, number> {
  const total = sum(counts);
  return total === 0 ? new Map(counts) : scaled(counts, total);
}

export function lInftyDistanceOfCounts(a: Counts, b: Counts): MaxDifference {
  return maxAbsDifference(normalized(a), normalized(b));
}

export function normalizedAbsoluteDifferenceOfCounts(a: Counts, b: Counts): MaxDifference {
  const total = sum(a) + sum(b);
  return maxAbsDifference(scaled(a, total), scaled(b, total));
}

/** L-infinity distance between two categorical distributions, each normalized by its own total. */
export function lInftyDistance(a: CategoricalCounts, b: CategoricalCounts): MaxDifference {
  return lInftyDistanceOfCounts(toCounts(a), toCounts(b));
}

/** max_i |a_i - b_i| / Σ_i (a_i + b_i): sensitive to the sample sizes, unlike L-infinity. */
export function normalizedAbsoluteDifference(a: CategoricalCounts, b: CategoricalCounts): MaxDifference {
  return normalizedAbsoluteDifferenceOfCounts(toCounts(a), toCounts(b));
}

// log2 keeps the divergence within [0, 1]; the cap only absorbs rounding above 1.
const capped = (jsd: number) => Math.min(jsd, 1.0);

// The base-2 logarithm as ln(x)/ln(2): with it the divergence TFX's DistributionValidator test expects for the
// taxi `dropoff_census_tract` (0.000917362998174601) comes out bit for bit; Math.log2 differs in the last bit.
const log2 = (x: number) => Math.log(x) / Math.LN2;

export function categoricalJsdOfCounts(a: Counts, b: Counts): number {
  if (a.length === 0 || b.length === 0) throw new MetricInputError('Input maps must not be empty.');
  const both = new Map<string, [number, number]>();
  for (const [k, v] of a) {
    if (!(v > 0)) throw new MetricInputError('Sample count is a non-positive value.');
    both.set(k, [v, 0]);
  }
  for (const [k, v] of b) {
    if (!(v > 0)) throw new MetricInputError('Sample count is a non-positive value.');
    const e = both.get(k);
    if (e) e[1] += v;
    else both.set(k, [0, v]);
  }
  const sumA = sum(a);
  const sumB = sum(b);
  let kl = 0;
  for (const [, [x, y]] of sortedUniqueEntries(both.entries())) {
    const p = x / sumA;
    const q = y / sumB;
    const m = (p + q) / 2;
    if (x !== 0) kl += p * log2(p / m);
    if (y !== 0) kl += q * log2(q / m);
  }
  return capped(kl / 2);
}

interface Bucket {
  low: number;
  high: number;
  count: number;
}

/** Splits off buckets with an infinite (or NaN) bound and zero-width point buckets. */
function stripPointAndInfiniteBuckets(h: Histogram): { ranges: Bucket[]; points: Map<number, number>; infiniteMass: number } {
  const ranges: Bucket[] = [];
  const points = new Map<number, number>();
  let infiniteMass = 0;
  for (const b of h.buckets) {
    if (!Number.isFinite(b.lowValue) || !Number.isFinite(b.highValue)) infiniteMass += b.sampleCount;
    else if (b.lowValue === b.highValue) points.set(b.lowValue, (points.get(b.lowValue) ?? 0) + b.sampleCount);
    else ranges.push({ low: b.lowValue, high: b.highValue, count: b.sampleCount });
  }
  return { ranges, points, infiniteMass };
}

function boundaries(buckets: Bucket[]): number[] {
  return [...new Set(buckets.flatMap((b) => [b.low, b.high]))].sort((x, y) => x - y);
}

const sameNumbers = (x: number[], y: number[]) => x.length === y.length && x.every((v, i) => v === y[i]);

/**
 * RebucketHistogram: redistributes counts onto the bucket edges `edges` (which contain every edge of `buckets`),
 * assuming values are uniform within a bucket; edges no bucket covers get 0.
 */
function rebucket(edges: number[], buckets: Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  const last = edges.length - 1;
  let index = 0;
  for (const { low, high, count } of buckets) {
    while (low > edges[index]!) {
      out.push({ low: edges[index]!, high: edges[index + 1]!, count: 0 });
      index++;
    }
    const covered: number[] = [];
    while (high > edges[index]!) covered.push(edges[index++]!);
    covered.push(edges[index]!);
    for (let i = 0; i + 1 < covered.length; i++) {
      out.push({ low: covered[i]!, high: covered[i + 1]!, count: ((covered[i + 1]! - covered[i]!) / (high - low)) * count });
    }
  }
  for (let i = index; i < last; i++) out.push({ low: edges[i]!, high: edges[i + 1]!, count: 0 });
  return out;
}

/** AlignHistograms: bucket counts of both histograms over the same bins, in the same order. */
function alignedCounts(h1: Histogram, h2: Histogram): [number[], number[]] {
  const s1 = stripPointAndInfiniteBuckets(h1);
  const s2 = stripPointAndInfiniteBuckets(h2);
  let r1 = s1.ranges;
  let r2 = s2.ranges;
  const e1 = boundaries(r1);
  const e2 = boundaries(r2);
  if (!sameNumbers(e1, e2)) {
    const union = [...new Set([...e1, ...e2])].sort((x, y) => x - y);
    r1 = rebucket(union, r1);
    r2 = rebucket(union, r2);
  }
  const c1 = r1.map((b) => b.count);
  const c2 = r2.map((b) => b.count);
  for (const point of [...new Set([...s1.points.keys(), ...s2.points.keys()])].sort((x, y) => x - y)) {
    c1.push(s1.points.get(point) ?? 0);
    c2.push(s2.points.get(point) ?? 0);
  }
  if (s1.infiniteMass !== 0) {
    c1.push(s1.infiniteMass);
    c2.push(0);
  }
  if (s2.infiniteMass !== 0) {
    c1.push(0);
    c2.push(s2.infiniteMass);
  }
  const nan1 = Number(h1.numNan);
  const nan2 = Number(h2.numNan);
  if (nan1 > 0 || nan2 > 0) {
    c1.push(0, nan1);
    c2.push(nan2, 0);
  }
  return [c1, c2];
}

function probabilities(counts: number[]): number[] {
  const total = counts.reduce((s, v) => s + v, 0);
  if (total === 0) throw new MetricInputError('Unable to normalize an empty histogram');
  return counts.map((v) => v / total);
}

function kullbackLeibler(p: number[], q: number[]): number {
  let kl = 0;
  p.forEach((pi, i) => {
    const qi = q[i]!;
    if (pi > 0 && qi > 0) kl += pi * log2(pi / qi);
  });
  return kl;
}

export function numericJsdOfHistograms(h1: Histogram, h2: Histogram): number {
  if (h1.type !== h2.type) throw new MetricInputError('Input histograms must have same type.');
  const [c1, c2] = alignedCounts(h1, h2);
  const p = probabilities(c1);
  const q = probabilities(c2);
  const m = p.map((pi, i) => (pi + q[i]!) / 2);
  return capped((kullbackLeibler(p, m) + kullbackLeibler(q, m)) / 2);
}

/**
 * Approximate Jensen-Shannon divergence of two numeric histograms of the same type, or of two categorical
 * distributions. Throws MetricInputError where TFDV returns InvalidArgument (empty inputs, mixed kinds, ...).
 */
export function jensenShannonDivergence(a: Histogram, b: Histogram): number;
export function jensenShannonDivergence(a: CategoricalCounts, b: CategoricalCounts): number;
export function jensenShannonDivergence(a: Histogram | CategoricalCounts, b: Histogram | CategoricalCounts): number {
  const aNumeric = isMessage(a, HistogramSchema);
  const bNumeric = isMessage(b, HistogramSchema);
  if (aNumeric && bNumeric) return numericJsdOfHistograms(a, b);
  if (!aNumeric && !bNumeric) return categoricalJsdOfCounts(toCounts(a), toCounts(b));
  throw new MetricInputError(BOTH_NUMERIC_OR_STRING);
}

const BOTH_NUMERIC_OR_STRING = 'Input statistics must be either both numeric or both string in order to calculate the Jensen-Shannon divergence.';

/**
 * The Jensen-Shannon divergence TFDV's comparator computes for a feature: over the rank histograms when both sides
 * have one, else over the numeric histograms of the selected type (DEFAULT = STANDARD).
 */
export function featureJensenShannonDivergence(
  a: FeatureNameStatistics,
  b: FeatureNameStatistics,
  source: HistogramSelection_Type = HistogramSelection_Type.DEFAULT,
  byWeight = false,
): number {
  const m1 = stringValuesWithCounts(a, byWeight);
  const m2 = stringValuesWithCounts(b, byWeight);
  if (m1.length > 0 && m2.length > 0) return categoricalJsdOfCounts(m1, m2);
  const h1 = selectedHistogram(a, source, byWeight);
  const h2 = selectedHistogram(b, source, byWeight);
  if (h1 && h2) return numericJsdOfHistograms(h1, h2);
  const oneSideCategorical = (m1.length === 0) !== (m2.length === 0);
  const oneSideNumeric = (h1 === undefined) !== (h2 === undefined);
  if (oneSideCategorical && oneSideNumeric) throw new MetricInputError(BOTH_NUMERIC_OR_STRING);
  throw new MetricInputError('One or more feature missing data.');
}
