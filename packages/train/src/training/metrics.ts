// Epoch metrics from logits and 0/1 labels, in float64: binary cross-entropy (from the logits, so it is exact
// where Keras' clipped probabilities are not), accuracy at 0.5, and the exact ROC AUC: the Mann-Whitney
// statistic over the sorted scores with tied scores given their average rank, not TF.js's (or Keras')
// thresholded approximation.
import { rocAuc as exactAuc } from '@formalize/common/metrics';

export interface BinaryMetrics {
  loss: number;
  accuracy: number;
  /** NaN when only one class is present. */
  auc: number;
}

/** Mean binary cross-entropy of sigmoid(z) against y: max(z, 0) - z y + log(1 + exp(-|z|)). */
export function crossEntropyFromLogits(logits: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = logits.length;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const z = logits[i]!;
    sum += Math.max(z, 0) - z * labels[i]! + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** Share of rows whose predicted class (sigmoid(z) > 0.5, i.e. z > 0) equals the label; Keras' threshold. */
export function accuracyFromLogits(logits: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = logits.length;
  let right = 0;
  for (let i = 0; i < n; i++) if ((logits[i]! > 0 ? 1 : 0) === labels[i]) right++;
  return n === 0 ? Number.NaN : right / n;
}

/** Exact ROC AUC (common/metrics) with the scores first; NaN when the rows hold one class only. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return exactAuc(labels, scores) ?? Number.NaN;
}

export function binaryMetrics(logits: ArrayLike<number>, labels: ArrayLike<number>): BinaryMetrics {
  const finite = Array.prototype.every.call(logits, Number.isFinite as (x: unknown) => boolean);
  return {
    loss: crossEntropyFromLogits(logits, labels),
    accuracy: accuracyFromLogits(logits, labels),
    // A diverged model (NaN or infinite logits) has no meaningful ranking.
    auc: finite ? rocAuc(logits, labels) : Number.NaN,
  };
}

/** Cross-entropy per stratum value (e.g. per slice), for the feedback policy. */
export function lossByStratum(logits: ArrayLike<number>, labels: ArrayLike<number>, strata: ArrayLike<number>): Map<number, { loss: number; rows: number }> {
  const sums = new Map<number, { loss: number; rows: number }>();
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i]!;
    const l = Math.max(z, 0) - z * labels[i]! + Math.log1p(Math.exp(-Math.abs(z)));
    const s = sums.get(strata[i]!) ?? { loss: 0, rows: 0 };
    s.loss += l;
    s.rows++;
    sums.set(strata[i]!, s);
  }
  for (const s of sums.values()) s.loss /= s.rows;
  return sums;
}
