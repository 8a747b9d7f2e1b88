// Binary classification metrics of scores (probabilities of the positive class) against 0/1 labels, in plain
// TypeScript (no TF.js): what the evaluation reports and what the champion/challenger comparison recomputes.
// Conventions, as scikit-learn's: a row is predicted positive when its score is >= the threshold; curves have a
// point per distinct score. Keras' accuracy/precision/recall use score > threshold instead, which differs only
// for scores exactly at the threshold.
import { rankAuc, scoreOrder } from '@formalize/common/metrics';

/** Keras' backend epsilon: probabilities are clipped to [eps, 1 - eps] before the log, as Keras' loss does. */
export const LOSS_EPSILON = 1e-7;

export interface ConfusionCounts { tn: number; fp: number; fn: number; tp: number }

export interface BinaryMetrics {
  rows: number;
  positives: number;
  /** Mean binary cross-entropy (Keras' BinaryCrossentropy on probabilities). */
  loss: number;
  accuracy: number;
  /** ROC AUC, exact (Mann-Whitney U, ties count one half); null when the rows hold one class only. */
  auc: number | null;
  /** Average precision (scikit-learn's average_precision_score): sum of (R_k - R_k-1) * P_k; null without positives. */
  average_precision: number | null;
  /** Trapezoid area under the precision-recall curve from (0, 1) (scikit-learn's auc(recall, precision)). */
  pr_auc_trapezoid: number | null;
  /** At `threshold`; precision is null when nothing is predicted positive, recall when there are no positives,
   *  F1 (2TP / (2TP + FP + FN)) when neither happens to be defined. */
  precision: number | null;
  recall: number | null;
  f1: number | null;
  threshold: number;
  confusion: ConfusionCounts;
}

export class MetricsInputError extends Error {
  override name = 'MetricsInputError';
}

/** Checks labels (0/1) and scores (finite, in [0, 1]) of equal length; names the first bad row. */
export function checkInputs(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) throw new MetricsInputError(`labels and scores differ in length (${labels.length} and ${scores.length})`);
  if (labels.length === 0) throw new MetricsInputError('no rows to evaluate');
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new MetricsInputError(`labels[${i}]: expected 0 or 1, received ${labels[i]}`);
    const s = scores[i]!;
    if (!(s >= 0 && s <= 1)) throw new MetricsInputError(`scores[${i}]: expected a probability in [0, 1], received ${s}`);
  }
}

export function binaryCrossEntropy(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(Math.max(scores[i]!, LOSS_EPSILON), 1 - LOSS_EPSILON);
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

export function confusionAt(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): ConfusionCounts {
  const c = { tn: 0, fp: 0, fn: 0, tp: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predicted = scores[i]! >= threshold;
    if (labels[i] === 1) {
      if (predicted) c.tp++;
      else c.fn++;
    } else if (predicted) c.fp++;
    else c.tn++;
  }
  return c;
}

/** Cumulative counts at each distinct score, highest first: the points every curve is made of. */
export interface ThresholdCounts {
  thresholds: number[];
  /** Predicted positive (score >= threshold) that are positive / negative. */
  tps: number[];
  fps: number[];
  positives: number;
  negatives: number;
}

export function thresholdCounts(labels: ArrayLike<number>, scores: ArrayLike<number>): ThresholdCounts {
  const { order, starts } = scoreOrder(scores);
  const out: ThresholdCounts = { thresholds: [], tps: [], fps: [], positives: 0, negatives: 0 };
  let tp = 0;
  let fp = 0;
  for (let g = starts.length - 2; g >= 0; g--) {
    for (let k = starts[g]!; k < starts[g + 1]!; k++) {
      if (labels[order[k]!] === 1) tp++;
      else fp++;
    }
    out.thresholds.push(scores[order[starts[g]!]!]!);
    out.tps.push(tp);
    out.fps.push(fp);
  }
  out.positives = tp;
  out.negatives = fp;
  return out;
}

function precisionRecallAreas(c: ThresholdCounts): { ap: number | null; trapezoid: number | null } {
  if (c.positives === 0) return { ap: null, trapezoid: null };
  let ap = 0;
  let trapezoid = 0;
  let r0 = 0;
  let p0 = 1;
  for (let k = 0; k < c.thresholds.length; k++) {
    const r = c.tps[k]! / c.positives;
    const p = c.tps[k]! / (c.tps[k]! + c.fps[k]!);
    ap += (r - r0) * p;
    trapezoid += ((r - r0) * (p + p0)) / 2;
    r0 = r;
    p0 = p;
  }
  return { ap, trapezoid };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

export function binaryMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): BinaryMetrics {
  checkInputs(labels, scores);
  const confusion = confusionAt(labels, scores, threshold);
  const precision = ratio(confusion.tp, confusion.tp + confusion.fp);
  const recall = ratio(confusion.tp, confusion.tp + confusion.fn);
  const areas = precisionRecallAreas(thresholdCounts(labels, scores));
  return {
    rows: labels.length,
    positives: confusion.tp + confusion.fn,
    loss: binaryCrossEntropy(labels, scores),
    accuracy: (confusion.tp + confusion.tn) / labels.length,
    auc: rankAuc(labels, scoreOrder(scores)),
    average_precision: areas.ap,
    pr_auc_trapezoid: areas.trapezoid,
    precision,
    recall,
    // The harmonic mean of precision and recall, written so it is defined (0) when one of them is 0.
    f1: ratio(2 * confusion.tp, 2 * confusion.tp + confusion.fp + confusion.fn),
    threshold,
    confusion,
  };
}
