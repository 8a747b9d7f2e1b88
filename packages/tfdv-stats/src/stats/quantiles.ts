// TFDV's quantile summary and the histograms it derives from it, ported line by line so the numbers match:
// tfx_bsl `WeightedQuantilesSummary::GenerateQuantilesAndCumulativeWeights` (cc/sketches/weighted_quantiles_summary.h)
// and TFDV `utils/quantiles_util.py` (find_median, _get_bin_weights, rebin_quantiles, generate_quantiles_histogram,
// _strip_infinities, _overlap, generate_equi_width_histogram). Pure functions over plain numbers.

/** One summary entry: a value, its weight, and the rank range it covers (tfx_bsl SummaryEntry). */
export interface SummaryEntry {
  readonly value: number;
  readonly weight: number;
  readonly minRank: number;
  readonly maxRank: number;
}

export interface HistogramBucket {
  lowValue: number;
  highValue: number;
  sampleCount: number;
}

/** Q+1 boundary values and the cumulative weight (max rank) of each. */
export interface QuantilesAndCounts {
  readonly quantiles: number[];
  readonly cumulative: number[];
}

/** The exact summary of sorted distinct values with their weights: min_rank = sum of the weights before. */
export function exactSummary(values: readonly { value: number; weight: number }[]): SummaryEntry[] {
  const out: SummaryEntry[] = [];
  let cum = 0;
  for (const { value, weight } of values) {
    out.push({ value, weight, minRank: cum, maxRank: cum + weight });
    cum += weight;
  }
  return out;
}

/** `GenerateQuantilesAndCumulativeWeights(num_quantiles)`: successive rank queries at r * W / Q, r = 0..Q. */
export function generateQuantiles(entries: readonly SummaryEntry[], numQuantiles: number): QuantilesAndCounts {
  const quantiles: number[] = [];
  const cumulative: number[] = [];
  if (entries.length === 0) return { quantiles, cumulative };
  const q = Math.max(numQuantiles, 2);
  const total = entries[entries.length - 1]!.maxRank;
  const add = (e: SummaryEntry) => {
    quantiles.push(e.value);
    cumulative.push(e.maxRank);
  };
  for (let cur = 0, rank = 0; rank <= q; ++rank) {
    const d2 = 2 * ((rank * total) / q);
    let next = cur + 1;
    while (next < entries.length && d2 >= entries[next]!.minRank + entries[next]!.maxRank) ++next;
    cur = next - 1;
    const c = entries[cur]!;
    if (next === entries.length || d2 < c.minRank + c.weight + (entries[next]!.maxRank - entries[next]!.weight)) add(c);
    else add(entries[next]!);
  }
  return { quantiles, cumulative };
}

/** `find_median`: the middle boundary (odd count) or the mean of the two middle ones. */
export function findMedian(quantiles: readonly number[]): number {
  const n = quantiles.length;
  if (n === 0) throw new RangeError('findMedian: no quantile boundaries');
  const mid = Math.trunc(n / 2);
  return n % 2 === 0 ? (quantiles[mid - 1]! + quantiles[mid]!) / 2 : quantiles[mid]!;
}

/** `rebin_quantiles`: keeps the first boundary and every `factor`-th one after it. */
export function rebinQuantiles(qc: QuantilesAndCounts, factor: number): QuantilesAndCounts {
  const bins = qc.cumulative.length - 1;
  if (bins % factor !== 0) throw new RangeError(`rebinQuantiles: reduction factor ${factor} must divide size ${bins}`);
  const quantiles = [qc.quantiles[0]!];
  const cumulative = [qc.cumulative[0]!];
  for (let i = factor; i < qc.quantiles.length; i += factor) {
    quantiles.push(qc.quantiles[i]!);
    cumulative.push(qc.cumulative[i]!);
  }
  return { quantiles, cumulative };
}

/** `_get_bin_weights`: bins between consecutive boundaries; duplicated bins share their weight evenly. */
function binWeights(boundaries: readonly number[], cum: readonly number[]): { low: number[]; high: number[]; counts: number[] } {
  const low = boundaries.slice(0, -1);
  const high = boundaries.slice(1);
  const counts = low.map((_, i) => cum[i + 1]! - cum[i]!);
  const n = low.length;
  // Runs of bins with the same upper bound share their total weight.
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && high[i] === high[j]) j++;
    if (j > i + 1) {
      let sum = 0;
      for (let k = i; k < j; k++) sum += counts[k]!;
      for (let k = i; k < j; k++) counts[k] = sum / (j - i);
    }
    i = j;
  }
  // The minimum element's own count is spread over the leading bins identical to bin 0.
  let run = 0;
  while (run < n && low[0] === low[run] && high[0] === high[run]) run++;
  if (run > 0) for (let k = 0; k < run; k++) counts[k]! += cum[0]! / run;
  return { low, high, counts };
}

/** `generate_quantiles_histogram`: one bucket per pair of consecutive boundaries. */
export function quantilesHistogram(qc: QuantilesAndCounts): HistogramBucket[] {
  const { low, high, counts } = binWeights(qc.quantiles, qc.cumulative);
  return low.map((l, i) => ({ lowValue: l, highValue: high[i]!, sampleCount: counts[i]! }));
}

/** numpy `searchsorted` on a sorted array. */
function searchSorted(a: readonly number[], v: number, side: 'left' | 'right'): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (side === 'left' ? a[mid]! < v : a[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** `_strip_infinities`: drops boundaries at -inf (returning their count) and cuts those at +inf. */
function stripInfinities(qc: QuantilesAndCounts, finiteMax: number, numPosInf: number): QuantilesAndCounts & { numNegInf: number } {
  let { quantiles, cumulative } = qc;
  let numNegInf = 0;
  const negIdx = searchSorted(quantiles, -Infinity, 'right');
  if (negIdx > 0) {
    numNegInf = cumulative[negIdx - 1]!;
    quantiles = quantiles.slice(negIdx);
    cumulative = cumulative.slice(negIdx).map((c) => c - numNegInf);
  }
  if (numPosInf) {
    const posIdx = searchSorted(quantiles, Infinity, 'left');
    const finiteMaxCount = cumulative[cumulative.length - 1]! - numPosInf;
    quantiles = [...quantiles.slice(0, posIdx), finiteMax];
    cumulative = [...cumulative.slice(0, posIdx), finiteMaxCount];
  }
  return { quantiles, cumulative, numNegInf };
}

/** `_overlap`: the fraction of a bucket's mass inside [low, high], plus whether it precedes/follows it. */
function overlap(b: HistogramBucket, low: number, high: number, first: boolean): [number, boolean, boolean] {
  const point = b.highValue === b.lowValue && b.lowValue === low;
  if (first && point) return [1, false, false];
  if (!first && point) return [0, true, false];
  if (b.highValue < low) return [0, true, false];
  if (b.lowValue > high) return [0, false, true];
  if (low <= b.lowValue && high >= b.highValue) return [1, false, false];
  if (low <= b.lowValue) return [(high - b.lowValue) / (b.highValue - b.lowValue), false, false];
  if (high >= b.highValue) return [(b.highValue - low) / (b.highValue - b.lowValue), false, false];
  if (low > b.lowValue && high < b.highValue) return [(high - low) / (b.highValue - b.lowValue), false, false];
  throw new RangeError(`overlap: cannot compute the overlap of (${low}, ${high}) and [${b.lowValue}, ${b.highValue}]`);
}

/** numpy `linspace(start, stop, num)` for start != stop: `i * step + start`, the last point exactly `stop`. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/**
 * `generate_equi_width_histogram`: equal-width buckets over [finiteMin, finiteMax], each counting the part of every
 * quantile bucket it overlaps (mass assumed uniform inside a bucket), plus [-inf,-inf] / [inf,inf] buckets.
 */
export function equiWidthHistogram(qc: QuantilesAndCounts, finiteMin: number, finiteMax: number, numBuckets: number, numPosInf: number): HistogramBucket[] {
  if (!Number.isFinite(finiteMin) && !Number.isFinite(finiteMax)) {
    return [{ lowValue: finiteMin, highValue: finiteMax, sampleCount: qc.cumulative[qc.cumulative.length - 1]! }];
  }
  const stripped = stripInfinities(qc, finiteMax, numPosInf);
  const qh = quantilesHistogram(stripped);
  const bounds = finiteMin === finiteMax ? [finiteMin, finiteMax] : linspace(finiteMin, finiteMax, numBuckets + 1);
  // Overflow: TFDV bails out with an empty histogram.
  if (!bounds.every(Number.isFinite)) return [];
  const out: HistogramBucket[] = [];
  if (stripped.numNegInf) out.push({ lowValue: -Infinity, highValue: -Infinity, sampleCount: stripped.numNegInf });
  let start = 0;
  for (let i = 0; i < bounds.length - 1; i++) {
    const low = bounds[i]!;
    const high = bounds[i + 1]!;
    let sampleCount = 0;
    for (let k = start; k < qh.length; k++) {
      const [frac, precedes, follows] = overlap(qh[k]!, low, high, i === 0);
      if (follows) break;
      if (precedes) start = k;
      sampleCount += frac * qh[k]!.sampleCount;
    }
    out.push({ lowValue: low, highValue: high, sampleCount });
  }
  if (numPosInf) out.push({ lowValue: Infinity, highValue: Infinity, sampleCount: numPosInf });
  return out;
}
