// Metrics against known small cases (scikit-learn's documented examples, hand computations) and against
// independent brute-force computations on seeded random data.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@formalize/common';
import { rankAuc, rocAuc, scoreOrder } from '@formalize/common/metrics';
import {
  binaryCrossEntropy, binaryMetrics, classificationMetricsMetadata, CONFIDENCE_GRID, MetricsInputError, pairedBootstrapAuc,
  ratesAt, rocCurve, sliceMetrics, sliceName,
} from '../src/metrics/index.ts';

/** Labels and scores that carry some signal; `levels` > 0 rounds scores to that many values (many ties). */
function sample(n: number, seed: number, levels = 0) {
  const r = mulberry32(seed);
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = r() < 0.3 ? 1 : 0;
    let s = Math.min(1, Math.max(0, 0.35 * y + 0.65 * r()));
    if (levels) s = Math.round(s * levels) / levels;
    labels.push(y);
    scores.push(s);
  }
  return { labels, scores };
}

function pairwiseAuc(labels: number[], scores: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** Average precision as the mean over positives of the precision at their own score. */
function bruteAveragePrecision(labels: number[], scores: number[]): number {
  let sum = 0;
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    positives++;
    let tp = 0;
    let all = 0;
    for (let j = 0; j < labels.length; j++) {
      if (scores[j]! >= scores[i]!) {
        all++;
        tp += labels[j]!;
      }
    }
    sum += tp / all;
  }
  return sum / positives;
}

/** Trapezoids between the (recall, precision) points at every distinct score, from (0, 1), found by brute force. */
function brutePrTrapezoid(labels: number[], scores: number[]): number {
  const positives = labels.reduce((a, b) => a + b, 0);
  const points = [...new Set(scores)].sort((a, b) => b - a).map((t) => {
    let tp = 0;
    let all = 0;
    labels.forEach((y, j) => {
      if (scores[j]! >= t) {
        all++;
        tp += y;
      }
    });
    return [tp / positives, tp / all] as const;
  });
  let area = 0;
  let [r0, p0] = [0, 1];
  for (const [r, p] of points) {
    area += ((r - r0) * (p + p0)) / 2;
    [r0, p0] = [r, p];
  }
  return area;
}

function trapezoidArea(xs: number[], ys: number[]): number {
  let a = 0;
  for (let k = 1; k < xs.length; k++) a += ((xs[k]! - xs[k - 1]!) * (ys[k]! + ys[k - 1]!)) / 2;
  return a;
}

describe('known small cases', () => {
  // scikit-learn's documented example for roc_auc_score, roc_curve, average_precision_score.
  const y = [0, 0, 1, 1];
  const s = [0.1, 0.4, 0.35, 0.8];

  it('reproduces scikit-learn\'s documented example', () => {
    const m = binaryMetrics(y, s);
    expect(m.auc).toBeCloseTo(0.75, 12);
    expect(m.average_precision).toBeCloseTo(0.8333333333333333, 12);
    // auc(recall, precision) over precision_recall_curve: 0.5 * 1 + 0.5 * (0.5 + 2/3) / 2.
    expect(m.pr_auc_trapezoid).toBeCloseTo(0.5 + 0.5 * (0.5 + 2 / 3) / 2, 12);
    expect(rocCurve(y, s)).toEqual({ thresholds: [null, 0.8, 0.4, 0.35, 0.1], fpr: [0, 0, 0.5, 0.5, 1], tpr: [0, 0.5, 0.5, 1, 1] });
  });

  it('counts the confusion matrix, precision, recall and F1 at 0.5 (>= predicts positive)', () => {
    const m = binaryMetrics([1, 1, 1, 0, 0, 0, 1], [0.9, 0.5, 0.2, 0.7, 0.1, 0.49, 0.51]);
    expect(m.confusion).toEqual({ tp: 3, fn: 1, fp: 1, tn: 2 });
    expect(m.accuracy).toBeCloseTo(5 / 7, 12);
    expect(m.precision).toBeCloseTo(3 / 4, 12);
    expect(m.recall).toBeCloseTo(3 / 4, 12);
    expect(m.f1).toBeCloseTo(3 / 4, 12);
    expect(m).toMatchObject({ rows: 7, positives: 4, threshold: 0.5 });
  });

  it('computes the loss as Keras\' binary cross-entropy (clipped at 1e-7)', () => {
    expect(binaryCrossEntropy([1, 0], [0.9, 0.2])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    expect(binaryCrossEntropy([1], [0])).toBeCloseTo(-Math.log(1e-7), 9);
  });

  it('counts ties as one half', () => {
    expect(binaryMetrics([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]).auc).toBe(0.5);
    expect(binaryMetrics([0, 1, 1], [0.2, 0.2, 0.9]).auc).toBe(0.75);
  });

  it('reports what a single-class set cannot define as null', () => {
    const m = binaryMetrics([0, 0, 0], [0.1, 0.7, 0.2]);
    expect(m).toMatchObject({ auc: null, average_precision: null, pr_auc_trapezoid: null, recall: null, precision: 0, f1: 0 });
    expect(binaryMetrics([1, 1], [0.1, 0.2])).toMatchObject({ precision: null, recall: 0, f1: 0 });
  });

  it('names the bad row', () => {
    expect(() => binaryMetrics([0, 2], [0.1, 0.2])).toThrow(new MetricsInputError('labels[1]: expected 0 or 1, received 2'));
    expect(() => binaryMetrics([0, 1], [0.1, Number.NaN])).toThrow('scores[1]: expected a probability in [0, 1], received NaN');
    expect(() => binaryMetrics([0, 1], [0.1])).toThrow('labels and scores differ in length (2 and 1)');
    expect(() => binaryMetrics([], [])).toThrow('no rows to evaluate');
  });
});

describe('against brute force on random data', () => {
  for (const [name, levels] of [['continuous scores', 0], ['heavily tied scores', 20]] as const) {
    it(`agrees on AUC, average precision, PR trapezoid and the ROC curve (${name})`, () => {
      for (const seed of [1, 2, 3]) {
        const { labels, scores } = sample(400, seed, levels);
        const m = binaryMetrics(labels, scores);
        expect(m.auc).toBeCloseTo(pairwiseAuc(labels, scores), 12);
        expect(m.average_precision).toBeCloseTo(bruteAveragePrecision(labels, scores), 12);
        expect(m.pr_auc_trapezoid).toBeCloseTo(brutePrTrapezoid(labels, scores), 12);
        const roc = rocCurve(labels, scores);
        expect(trapezoidArea(roc.fpr, roc.tpr)).toBeCloseTo(m.auc!, 12);
        expect(roc.fpr.at(-1)).toBe(1);
        expect(roc.tpr.at(-1)).toBe(1);
        // Dropping collinear points keeps the curve but not every threshold.
        expect(roc.thresholds.length).toBeLessThanOrEqual(new Set(scores).size + 1);
      }
    });
  }

  it('weights rows as repeated rows', () => {
    const { labels, scores } = sample(200, 7, 30);
    const r = mulberry32(99);
    const weights = labels.map(() => Math.floor(r() * 4));
    const expandedLabels: number[] = [];
    const expandedScores: number[] = [];
    weights.forEach((w, i) => {
      for (let k = 0; k < w; k++) {
        expandedLabels.push(labels[i]!);
        expandedScores.push(scores[i]!);
      }
    });
    expect(rankAuc(labels, scoreOrder(scores), weights)).toBeCloseTo(pairwiseAuc(expandedLabels, expandedScores), 12);
  });

  it('rocAuc: the unweighted rank AUC; null for one class, an error for a NaN score', () => {
    const { labels, scores } = sample(200, 3, 40);
    expect(rocAuc(labels, scores)).toBeCloseTo(pairwiseAuc(labels, scores), 12);
    expect(rocAuc([1, 1], [0.1, 0.2])).toBeNull();
    expect(() => rocAuc([0, 1], [Number.NaN, 0.2])).toThrow(/score 0 is NaN/);
  });

  it('gives the rates on the confidence grid that a direct count gives', () => {
    const { labels, scores } = sample(300, 5, 50);
    const points = ratesAt(labels, scores);
    expect(points.map((p) => p.threshold)).toEqual(CONFIDENCE_GRID);
    const positives = labels.filter((y) => y === 1).length;
    for (const p of points) {
      const tp = labels.filter((y, i) => y === 1 && scores[i]! >= p.threshold).length;
      const fp = labels.filter((y, i) => y === 0 && scores[i]! >= p.threshold).length;
      expect(p.tpr).toBeCloseTo(tp / positives, 12);
      expect(p.fpr).toBeCloseTo(fp / (labels.length - positives), 12);
    }
  });
});

describe('slices', () => {
  it('evaluates each value of the column alone, most rows first', () => {
    const labels = [1, 0, 1, 0, 1, 0];
    const scores = [0.9, 0.1, 0.4, 0.6, 0.8, 0.3];
    const values = ['Cash', 'Credit Card', 'Cash', 'Cash', 'Credit Card', null];
    const slices = sliceMetrics('payment_type', values, labels, scores);
    expect(slices.map((x) => [sliceName(x), x.rows])).toEqual([['payment_type:Cash', 3], ['payment_type:Credit Card', 2], ['payment_type:null', 1]]);
    expect(slices[0]).toEqual({ column: 'payment_type', value: 'Cash', ...binaryMetrics([1, 1, 0], [0.9, 0.4, 0.6]) });
    expect(slices[2]!.auc).toBeNull();
  });
});

describe('KFP ClassificationMetrics metadata', () => {
  it('has the shape the KFP SDK writes (conformance example), rows true classes, columns predicted', () => {
    const expected = JSON.parse(readFileSync(new URL('../../../../shared/conformance/kfp-ir/artifact-metadata/expected_io_types_classification_metrics.json', import.meta.url), 'utf8'));
    const labels = [1, 0, 1, 0, 1];
    const scores = [0.9, 0.6, 0.3, 0.2, 0.8];
    const m = binaryMetrics(labels, scores);
    const meta = classificationMetricsMetadata(m.confusion, ratesAt(labels, scores), ['0', '1']) as typeof expected;
    expect(Object.keys(meta.confusionMatrix).sort()).toEqual(Object.keys(expected.confusionMatrix).sort());
    expect(Object.keys(meta.confusionMatrix.annotationSpecs[0]!)).toEqual(Object.keys(expected.confusionMatrix.annotationSpecs[0]));
    expect(Object.keys(meta.confusionMatrix.rows[0]!)).toEqual(Object.keys(expected.confusionMatrix.rows[0]));
    expect(Object.keys(meta.confidenceMetrics[0]!).sort()).toEqual(Object.keys(expected.confidenceMetrics[0]).sort());
    expect(meta.confusionMatrix).toEqual({ annotationSpecs: [{ displayName: '0' }, { displayName: '1' }], rows: [{ row: [1, 1] }, { row: [1, 2] }] });
    expect(meta.confidenceMetrics).toHaveLength(101);
    expect(meta.confidenceMetrics[0]).toEqual({ confidenceThreshold: 1, recall: 0, falsePositiveRate: 0 });
    expect(meta.confidenceMetrics.at(-1)).toEqual({ confidenceThreshold: 0, recall: 1, falsePositiveRate: 1 });
    expect(meta.confidenceMetrics.find((p: { confidenceThreshold: number }) => p.confidenceThreshold === 0.5))
      .toEqual({ confidenceThreshold: 0.5, recall: 2 / 3, falsePositiveRate: 0.5 });
  });
});

describe('paired bootstrap of the AUC difference', () => {
  it('finds no difference between a model and itself', () => {
    const { labels, scores } = sample(300, 11);
    const r = pairedBootstrapAuc(labels, scores, scores, { resamples: 200, seed: 1 });
    expect(r).toMatchObject({ auc_delta: 0, ci_low: 0, ci_high: 0, p_value: 1, resamples: 200, skipped: 0 });
  });

  it('finds a clearly better candidate better, with an interval above zero', () => {
    const { labels, scores } = sample(500, 12);
    const r0 = mulberry32(5);
    const champion = scores.map((s) => 0.3 * s + 0.7 * r0());
    const r = pairedBootstrapAuc(labels, scores, champion, { resamples: 500, seed: 3 });
    expect(r.auc_candidate).toBeCloseTo(binaryMetrics(labels, scores).auc!, 12);
    expect(r.auc_champion).toBeCloseTo(binaryMetrics(labels, champion).auc!, 12);
    expect(r.auc_delta).toBeGreaterThan(0.05);
    expect(r.ci_low).toBeGreaterThan(0);
    expect(r.ci_low).toBeLessThan(r.auc_delta);
    expect(r.ci_high).toBeGreaterThan(r.auc_delta);
    expect(r.p_value).toBeLessThan(0.01);
    // Swapped, the same evidence says "not better".
    expect(pairedBootstrapAuc(labels, champion, scores, { resamples: 500, seed: 3 }).p_value).toBeGreaterThan(0.99);
  });

  it('is replayed exactly from its seed', () => {
    const { labels, scores } = sample(200, 13);
    const other = sample(200, 14).scores;
    const a = pairedBootstrapAuc(labels, scores, other, { resamples: 100, seed: 42 });
    expect(pairedBootstrapAuc(labels, scores, other, { resamples: 100, seed: 42 })).toEqual(a);
    expect(pairedBootstrapAuc(labels, scores, other, { resamples: 100, seed: 43 }).ci_low).not.toBe(a.ci_low);
  });

  it('refuses rows of one class', () => {
    expect(() => pairedBootstrapAuc([1, 1], [0.2, 0.3], [0.1, 0.4])).toThrow('one class only');
    expect(() => pairedBootstrapAuc([1, 0], [0.2, 0.3], [0.1, 0.4], { resamples: 0 })).toThrow('resamples: expected a positive integer, received 0');
  });
});
