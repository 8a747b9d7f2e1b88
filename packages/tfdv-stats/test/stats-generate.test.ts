// generateStatistics beyond TFDV's own cases: the SQL summaries against the same numbers computed in Node from
// every row, weighted statistics, the approximate path, column types, list columns, bad input, empty tables, and
// the SQL the BigQuery dialect produces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckdbWarehouse } from '@formalize/common/warehouse';
import type { FeatureNameStatistics, NumericStatistics, StringStatistics } from '../src/protos.ts';
import { FeatureNameStatistics_Type, Histogram_HistogramType } from '../src/protos.ts';
import { bigqueryStatsDialect, duckdbStatsDialect } from '../src/stats/dialect.ts';
import { StatsInputError } from '../src/stats/features.ts';
import { generateStatistics } from '../src/stats/generate.ts';
import { exactSummary, findMedian, generateQuantiles, quantilesHistogram, rebinQuantiles, equiWidthHistogram } from '../src/stats/quantiles.ts';
import { distinctSampleSql, sampledSource, selectAggregates, summarySql, topKSql, valueAggregates, valueSource, valueStatisticsSql } from '../src/stats/sql.ts';
import { loadLists, openScratchWarehouse, testTable } from './stats-helpers.ts';

let wh: DuckdbWarehouse;
beforeAll(async () => {
  wh = await openScratchWarehouse();
  // 20,000 rows: x has ~4,000 distinct values with heavy duplicates (more than TFDV's sketch keeps exactly:
  // the thinned SQL summary must still give the quantiles of the complete data); w a positive weight; s strings.
  await wh.createTableAs(testTable('numbers'), `SELECT
      CASE WHEN i % 97 = 0 THEN NULL WHEN i % 5 = 0 THEN 0.0 ELSE round((hash(i) % 40000) / 10.0 - 1000, 1) END AS x,
      1 + (hash(i, 2) % 10) / 4.0 AS w,
      'v' || (hash(i, 3) % 37)::VARCHAR AS s,
      (hash(i, 4) % 9)::BIGINT AS k
    FROM range(20000) t(i)`);
});
afterAll(async () => {
  await wh.close();
});

const feature = (features: readonly FeatureNameStatistics[], name: string) => {
  const f = features.find((x) => x.fieldId.case === 'path' && x.fieldId.value.step[0] === name);
  if (!f) throw new Error(`no feature ${name}`);
  return f;
};
const num = (f: FeatureNameStatistics): NumericStatistics => {
  if (f.stats.case !== 'numStats') throw new Error('not numeric');
  return f.stats.value;
};
const str = (f: FeatureNameStatistics): StringStatistics => {
  if (f.stats.case !== 'stringStats') throw new Error('not string');
  return f.stats.value;
};

/** TFDV's numbers from every value, in Node: the reference the SQL summaries must reproduce. */
function reference(values: { v: number; w: number }[], weighted: boolean) {
  const byValue = new Map<number, number>();
  for (const { v, w } of values) byValue.set(v, (byValue.get(v) ?? 0) + (weighted ? w : 1));
  const sorted = [...byValue.entries()].sort((a, b) => a[0] - b[0]).map(([value, weight]) => ({ value, weight }));
  const qc = generateQuantiles(exactSummary(sorted), 1000);
  const min = sorted[0]!.value;
  const max = sorted[sorted.length - 1]!.value;
  return {
    median: findMedian(qc.quantiles),
    quantiles: quantilesHistogram(rebinQuantiles(qc, 100)),
    standard: equiWidthHistogram(qc, min, max, 10, 0),
  };
}

describe('exact quantiles from the thinned SQL summary', () => {
  it('equal the quantiles of the complete data, unweighted and weighted', async () => {
    const result = await generateStatistics(wh, testTable('numbers'), { weightFeature: 'w' });
    expect(result.quantiles['x']).toBe('exact');
    const rows = (await wh.query(`SELECT x, w FROM ${wh.dialect.table(testTable('numbers'))} WHERE x IS NOT NULL`)).map((r) => ({ v: Number(r['x']), w: Number(r['w']) }));
    expect(new Set(rows.map((r) => r.v)).size).toBeGreaterThan(3000);
    const x = num(feature(result.statistics.datasets[0]!.features, 'x'));
    const ref = reference(rows, false);
    expect(x.median).toBe(ref.median);
    expect(x.histograms.find((h) => h.type === Histogram_HistogramType.QUANTILES)!.buckets.map((b) => ({ ...b }))).toEqual(ref.quantiles.map((b) => ({ $typeName: 'tensorflow.metadata.v0.Histogram.Bucket', ...b })));
    expect(x.histograms.find((h) => h.type === Histogram_HistogramType.STANDARD)!.buckets.map((b) => [b.lowValue, b.highValue, b.sampleCount])).toEqual(ref.standard.map((b) => [b.lowValue, b.highValue, b.sampleCount]));

    // Weighted: TFDV's weighted mean, population std_dev over the weights, and the weighted sketch's quantiles.
    const wsum = rows.reduce((s, r) => s + r.w, 0);
    const mean = rows.reduce((s, r) => s + r.w * r.v, 0) / wsum;
    const variance = rows.reduce((s, r) => s + r.w * (r.v - mean) ** 2, 0) / wsum;
    const wx = x.weightedNumericStats!;
    expect(wx.mean).toBeCloseTo(mean, 9);
    expect(wx.stdDev / Math.sqrt(variance)).toBeCloseTo(1, 12);
    const wref = reference(rows, true);
    expect(wx.median).toBe(wref.median);
    const wq = wx.histograms.find((h) => h.type === Histogram_HistogramType.QUANTILES)!;
    expect(wq.buckets.map((b) => b.lowValue)).toEqual(wref.quantiles.map((b) => b.lowValue));
    wq.buckets.forEach((b, i) => expect(b.sampleCount).toBeCloseTo(wref.quantiles[i]!.sampleCount, 6));
  });

  it('weighted presence, num_examples and top-k', async () => {
    const { statistics } = await generateStatistics(wh, testTable('numbers'), { weightFeature: 'w', numTopValues: 3 });
    const all = (await wh.query(`SELECT x, w, s FROM ${wh.dialect.table(testTable('numbers'))}`)).map((r) => ({ x: r['x'], w: Number(r['w']), s: String(r['s']) }));
    const ds = statistics.datasets[0]!;
    const total = all.reduce((a, r) => a + r.w, 0);
    expect(ds.weightedNumExamples).toBeCloseTo(total, 6);
    const wc = num(feature(ds.features, 'x')).commonStats!.weightedCommonStats!;
    const present = all.filter((r) => r.x !== null).reduce((a, r) => a + r.w, 0);
    expect(wc.numNonMissing).toBeCloseTo(present, 6);
    expect(wc.numMissing).toBeCloseTo(total - present, 6);
    expect(wc.totNumValues).toBeCloseTo(present, 6);
    expect(wc.avgNumValues).toBeCloseTo(1, 12);
    const counts = new Map<string, number>();
    for (const r of all) counts.set(r.s, (counts.get(r.s) ?? 0) + r.w);
    const expected = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1)).slice(0, 3);
    const s = str(feature(ds.features, 's'));
    expect(s.weightedStringStats!.topValues.map((t) => [t.value, Math.round(t.frequency * 1e6) / 1e6])).toEqual(expected.map(([v, c]) => [v, Math.round(c * 1e6) / 1e6]));
    expect(s.weightedStringStats!.rankHistogram!.buckets.map((b) => b.label).slice(0, 3)).toEqual(expected.map(([v]) => v));
    expect(s.unique).toBe(37n);
    expect(s.topValues).toHaveLength(3);
    expect(s.rankHistogram!.buckets).toHaveLength(37);
    // The weight feature is a feature too.
    expect(num(feature(ds.features, 'w')).weightedNumericStats).toBeDefined();
  });

  it('the sampled path (more distinct values than exactQuantilesMaxDistinct) stays within TFDV\'s error bound', async () => {
    const ref = testTable('sampled');
    await wh.createTableAs(ref, `SELECT CASE WHEN i % 50 = 0 THEN NULL WHEN i % 97 = 0 THEN 0 ELSE (hash(i) % 1000000) / 7.0 END AS x, (hash(i, 4) % 9)::BIGINT AS k FROM range(600000) t(i)`);
    const { statistics, quantiles, queries } = await generateStatistics(wh, ref, { exactQuantilesMaxDistinct: 100_000 });
    expect(quantiles).toEqual({ x: 'sampled', k: 'exact' });
    expect(queries).toBe(5); // aggregates, the distinct sample, x's values and sampled quantiles, k's quantiles
    const x = num(feature(statistics.datasets[0]!.features, 'x'));
    const table = wh.dialect.table(ref);
    const [exact] = await wh.query(`SELECT count(x) AS n, min(x) AS mn, max(x) AS mx, avg(x) AS mean, stddev_pop(x) AS sd, count(*) FILTER (WHERE x = 0) AS z FROM ${table}`);
    expect(Number(exact!['z'])).toBeGreaterThan(0);
    const n = Number(exact!['n']);
    // Counts, extremes and moments stay exact.
    expect([x.min, x.max, Number(x.numZeros), Number(x.commonStats!.totNumValues)]).toEqual([exact!['mn'], exact!['mx'], Number(exact!['z']), n]);
    // Exact up to summation order (the warehouse sums in parallel): 1e-12 relative.
    expect(x.mean / Number(exact!['mean'])).toBeCloseTo(1, 12);
    expect(x.stdDev / Number(exact!['sd'])).toBeCloseTo(1, 9);
    // Each boundary of the QUANTILES histogram (and the median) sits within 1% (TFDV's eps) of its rank.
    const q = x.histograms.find((h) => h.type === Histogram_HistogramType.QUANTILES)!;
    const boundaries = [q.buckets[0]!.lowValue, ...q.buckets.map((b) => b.highValue)];
    expect(boundaries).toHaveLength(11);
    expect([boundaries[0], boundaries[10]]).toEqual([x.min, x.max]);
    for (const [i, b] of [...boundaries.entries(), [5, x.median] as const]) {
      const [r] = await wh.query(`SELECT count(*) FILTER (WHERE x < ${b}) AS lo, count(*) FILTER (WHERE x <= ${b}) AS hi FROM ${table}`);
      const target = (i * n) / 10;
      expect(Math.max(0, Number(r!['lo']) - target, target - Number(r!['hi'])), `decile ${i}`).toBeLessThanOrEqual(0.01 * n);
    }
    expect(q.buckets.reduce((sum, b) => sum + b.sampleCount, 0)).toBeCloseTo(n, 6);
    const standard = x.histograms.find((h) => h.type === Histogram_HistogramType.STANDARD)!;
    expect(standard.buckets.reduce((sum, b) => sum + b.sampleCount, 0)).toBeCloseTo(n, 6);
  });
});

describe('table columns as features', () => {
  it('maps BOOL, TIMESTAMP, DATE, DECIMAL, BLOB and lists, and counts invalid UTF-8', async () => {
    const ref = testTable('types');
    await wh.createTableAs(ref, `SELECT * FROM (VALUES
      (true, TIMESTAMP '2020-01-01 00:00:01', DATE '2020-01-02', 1.25::DECIMAL(5,2), 'ab'::BLOB, [1, 2]::BIGINT[], ['x']::VARCHAR[], 3::BIGINT),
      (false, NULL, NULL, NULL, '\\xFF\\xFE'::BLOB, NULL, []::VARCHAR[], 3::BIGINT),
      (NULL, TIMESTAMP '2020-01-01 00:00:03', DATE '2020-01-02', 2.5::DECIMAL(5,2), NULL, []::BIGINT[], ['y', 'x', 'x']::VARCHAR[], 12::BIGINT)
    ) t(b, ts, d, dec, blob, ints, strs, cat)`);
    const { statistics } = await generateStatistics(wh, ref, { categoricalFeatures: ['cat'] });
    const fs = statistics.datasets[0]!.features;
    expect(fs.map((f) => [f.fieldId.value && (f.fieldId.value as { step: string[] }).step[0], f.type, f.stats.case])).toEqual([
      ['b', FeatureNameStatistics_Type.INT, 'numStats'],
      ['ts', FeatureNameStatistics_Type.INT, 'numStats'],
      ['d', FeatureNameStatistics_Type.STRING, 'stringStats'],
      ['dec', FeatureNameStatistics_Type.FLOAT, 'numStats'],
      ['blob', FeatureNameStatistics_Type.STRING, 'stringStats'],
      ['ints', FeatureNameStatistics_Type.INT, 'numStats'],
      ['strs', FeatureNameStatistics_Type.STRING, 'stringStats'],
      ['cat', FeatureNameStatistics_Type.INT, 'stringStats'],
    ]);
    expect([num(fs[0]!).min, num(fs[0]!).max, num(fs[0]!).numZeros]).toEqual([0, 1, 1n]);
    expect([num(fs[1]!).min, num(fs[1]!).max]).toEqual([1577836801000000, 1577836803000000]);
    expect(str(fs[2]!).topValues.map((t) => [t.value, t.frequency])).toEqual([['2020-01-02', 2]]);
    expect(num(fs[3]!).mean).toBe(1.875);
    const blob = str(fs[4]!);
    expect(blob.invalidUtf8Count).toBe(1n);
    expect(blob.avgLength).toBe(2);
    expect(blob.rankHistogram!.buckets.map((b) => b.label).sort()).toEqual(['__BYTES_VALUE__', 'ab']);
    // Lists: NULL is missing, [] present with 0 values; top-k counts values, not examples.
    const ints = num(fs[5]!).commonStats!;
    expect([ints.numNonMissing, ints.numMissing, ints.minNumValues, ints.maxNumValues, ints.totNumValues]).toEqual([2n, 1n, 0n, 2n, 2n]);
    const strs = str(fs[6]!);
    expect([strs.commonStats!.numNonMissing, strs.commonStats!.minNumValues, strs.commonStats!.maxNumValues]).toEqual([3n, 0n, 3n]);
    expect(strs.topValues.map((t) => [t.value, t.frequency])).toEqual([['x', 3], ['y', 1]]);
    // Categorical INT: labels are the decimal text, ties by the larger number (12 > 3 numerically, not as text).
    const cat = str(fs[7]!);
    expect(cat.topValues.map((t) => [t.value, t.frequency])).toEqual([['3', 2], ['12', 1]]);
    expect(cat.avgLength).toBeCloseTo(4 / 3, 6);
  });

  it('nullAsEmptyList counts NULL as an empty list: present with 0 values', async () => {
    const ref = testTable('sparse');
    await loadLists(wh, ref, [{ name: 'a', type: 'DOUBLE', scalar: true, values: [[1], null, [3], null] }, { name: 'l', type: 'BIGINT', values: [[1, 2], null, [], [4]] }]);
    const { statistics } = await generateStatistics(wh, ref, { nullAsEmptyList: true });
    const [a, l] = statistics.datasets[0]!.features.map((f) => num(f).commonStats!);
    expect([a!.numNonMissing, a!.numMissing, a!.minNumValues, a!.maxNumValues, a!.totNumValues, a!.avgNumValues]).toEqual([4n, 0n, 0n, 1n, 2n, 0.5]);
    expect(a!.numValuesHistogram!.buckets.map((b) => [b.lowValue, b.highValue])).toEqual([[0, 0], [0, 0], [0, 0], [0, 0], [0, 1], [1, 1], [1, 1], [1, 1], [1, 1], [1, 1]]);
    expect([l!.numNonMissing, l!.numMissing, l!.minNumValues, l!.maxNumValues, l!.totNumValues]).toEqual([4n, 0n, 0n, 2n, 3n]);
  });

  it('weights list features: weighted presence, valency, moments and top values over the elements', async () => {
    const ref = testTable('weighted_lists');
    await loadLists(wh, ref, [
      { name: 'l', type: 'BIGINT', values: [[1, 2], null, [], [4]] },
      { name: 's', type: 'VARCHAR', values: [['a', 'b'], ['a'], null, ['b', 'b']] },
      { name: 'w', type: 'DOUBLE', scalar: true, values: [[1], [2], [3], [0.5]] },
    ]);
    const { statistics } = await generateStatistics(wh, ref, { weightFeature: 'w' });
    const ds = statistics.datasets[0]!;
    expect(ds.weightedNumExamples).toBe(6.5);
    const l = num(feature(ds.features, 'l'));
    // Present: rows 1, 3, 4 (weights 1, 3, 0.5); values weighted by their example: 1*2 + 3*0 + 0.5*1.
    expect(l.commonStats!.weightedCommonStats).toMatchObject({ numNonMissing: 4.5, numMissing: 2, totNumValues: 2.5 });
    expect(l.weightedNumericStats!.mean).toBeCloseTo((1 * 1 + 1 * 2 + 0.5 * 4) / 2.5, 12);
    const s = str(feature(ds.features, 's'));
    // a: 1 + 2 = 3, b: 1 + 0.5 + 0.5 = 2.
    expect(s.weightedStringStats!.topValues.map((t) => [t.value, t.frequency])).toEqual([['a', 3], ['b', 2]]);
    expect(s.topValues.map((t) => [t.value, t.frequency])).toEqual([['b', 3], ['a', 2]]);
  });

  it('an empty table gives num_examples 0 and every feature with empty statistics', async () => {
    const ref = testTable('empty');
    await wh.createTableAs(ref, 'SELECT 1.5::DOUBLE AS f, \'a\' AS s WHERE false');
    const { statistics } = await generateStatistics(wh, ref);
    const ds = statistics.datasets[0]!;
    expect(ds.numExamples).toBe(0n);
    expect(ds.features.map((f) => [f.type, f.stats.case, f.stats.value!.commonStats!.numNonMissing])).toEqual([
      [FeatureNameStatistics_Type.FLOAT, 'numStats', 0n], [FeatureNameStatistics_Type.STRING, 'stringStats', 0n],
    ]);
    expect(num(ds.features[0]!).histograms).toEqual([]);
  });
});

describe('bad input', () => {
  it.each([
    ['a missing table', 'nope', {}, /table: stats-test\.data\.nope does not exist/],
    ['an unknown allowlisted column', 'numbers', { featureAllowlist: ['x', 'zz'] }, /featureAllowlist\[1\]: unknown column "zz" in table stats-test\.data\.numbers \(columns: x, w, s, k\)/],
    ['an unknown weight column', 'numbers', { weightFeature: 'weight' }, /weightFeature: unknown column "weight"/],
    ['a string weight column', 'numbers', { weightFeature: 's' }, /weightFeature: column "s" is VARCHAR; the weight must be a numeric \(INT64 or FLOAT64\) column/],
    ['a weight with NULLs', 'numbers', { weightFeature: 'x' }, /weightFeature: column "x" is NULL in 207 of 20000 rows; every example needs a weight/],
    ['a FLOAT column as categorical', 'numbers', { categoricalFeatures: ['x'] }, /categoricalFeatures: column "x" is FLOAT; only INT columns can be categorical/],
    ['a bad option value', 'numbers', { numHistogramBuckets: 0 }, /options\.numHistogramBuckets: Too small: expected number to be >=1, received 0/],
  ])('%s: a StatsInputError naming it', async (_, table, opts, message) => {
    const err = await generateStatistics(wh, testTable(table), opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StatsInputError);
    expect(String((err as Error).message)).toMatch(message);
  });
});

describe('scans and progress', () => {
  it('runs one aggregate query plus one per scalar feature, and reports progress per feature', async () => {
    const labels: string[] = [];
    const progress: string[] = [];
    const { queries } = await generateStatistics(wh, testTable('numbers'), {}, {
      onQuery: (label) => labels.push(label), onProgress: (done, total, name) => progress.push(`${done}/${total} ${name}`),
    });
    // The aggregate pass first, then the per-feature queries, which run side by side (finishing in any order).
    expect(labels[0]).toBe('aggregates');
    expect(labels.slice(1).sort()).toEqual(['k: quantiles', 's: top values', 'w: quantiles', 'x: quantiles']);
    expect(queries).toBe(5);
    expect(progress.map((p) => p.split(' ')[0])).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(progress.map((p) => p.split(' ')[1]).sort()).toEqual(['k', 's', 'w', 'x']);
  });

  it('stops between queries when aborted', async () => {
    const controller = new AbortController();
    const run = generateStatistics(wh, testTable('numbers'), {}, { signal: controller.signal, onProgress: () => controller.abort(new Error('cancelled')) });
    await expect(run).rejects.toThrow('cancelled');
  });
});

describe('the BigQuery dialect', () => {
  it('builds the same queries in GoogleSQL: COUNTIF, IS_NAN, UNNEST, DIV, APPROX_QUANTILES, no DuckDB syntax', () => {
    const d = bigqueryStatsDialect;
    const f = { name: 'fare', kind: 'FLOAT' as const, list: false, categorical: false, bytes: false, floating: true, value: (x: string) => x };
    const l = { ...f, name: 'tags', kind: 'STRING' as const, list: true, floating: false, bytes: true };
    const w = { ...f, name: 'w' };
    const table = d.table({ projectId: 'p', datasetId: 'd', tableId: 't' });
    const src = valueSource(d, table, f, w);
    const sqls = [
      selectAggregates(table, valueAggregates(d, l, valueSource(d, table, l).value, 'f1_')),
      summarySql(d, { src, floating: true, numQuantiles: 1000, moments: true, weighted: true }),
      summarySql(d, { src: sampledSource(d, src, 0.02), floating: true, numQuantiles: 1000 }),
      valueStatisticsSql(d, src, true),
      distinctSampleSql(d, table, [['f0', src.value]], 1.5),
      topKSql(d, { src: valueSource(d, table, l, w), k: 1000, label: (x) => d.bytesLabel(x) }),
    ];
    const all = sqls.join('\n');
    for (const s of ['COUNTIF(', 'IS_NAN(`fare`)', 'APPROX_COUNT_DISTINCT(c0)', 'TABLESAMPLE SYSTEM (1.5 PERCENT)', 'BYTE_LENGTH(', 'RAND() < 0.02', 'UNNEST(t.`tags`) AS e', 'DIV(', 'SAFE_CAST(v AS STRING)', 'e IS NOT NULL', 'CAST(`w` AS FLOAT64)', 'CAST(v AS FLOAT64)', '`p.d.t`']) {
      expect(all).toContain(s);
    }
    for (const s of ['FILTER (WHERE', '::', 'isnan(', '//', '"fare"']) expect(all).not.toContain(s);
    // And the DuckDB flavour of the same.
    const duck = valueStatisticsSql(duckdbStatsDialect, valueSource(duckdbStatsDialect, '"p"."d"."t"', f), true);
    expect(duck).toContain('var_pop(CAST("fare" AS DOUBLE)) FILTER (WHERE isfinite("fare"))');
    expect(summarySql(duckdbStatsDialect, { src: valueSource(duckdbStatsDialect, '"p"."d"."t"', f), floating: true, numQuantiles: 1000 })).toContain('((lo * 1000 + tot - 1) // (tot)) * tot');
  });
});
