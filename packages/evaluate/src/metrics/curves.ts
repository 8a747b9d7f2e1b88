// ROC curves: the exact one (scikit-learn's roc_curve with drop_intermediate) for files and plots, and the
// fixed threshold grid KFP's ClassificationMetrics carries as confidenceMetrics (bounded size, like Vertex's
// evaluation grid, whatever the number of test rows).
import { thresholdCounts } from './binary.ts';

export interface RocCurve {
  /** Descending; the first point (FPR 0, TPR 0) has threshold null ("above every score"; scikit-learn: inf). */
  thresholds: (number | null)[];
  fpr: number[];
  tpr: number[];
}

/** Points at the distinct scores, minus those collinear with their neighbours (they add nothing to the curve). */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  const c = thresholdCounts(labels, scores);
  const n = c.thresholds.length;
  const keep: number[] = [];
  for (let k = 0; k < n; k++) {
    const inner = k > 0 && k < n - 1;
    // scikit-learn: keep k when the second difference of fps or tps at k is non-zero.
    if (inner && c.fps[k - 1]! - 2 * c.fps[k]! + c.fps[k + 1]! === 0 && c.tps[k - 1]! - 2 * c.tps[k]! + c.tps[k + 1]! === 0) continue;
    keep.push(k);
  }
  const rate = (x: number, d: number) => (d > 0 ? x / d : Number.NaN);
  return {
    thresholds: [null, ...keep.map((k) => c.thresholds[k]!)],
    fpr: [0, ...keep.map((k) => rate(c.fps[k]!, c.negatives))],
    tpr: [0, ...keep.map((k) => rate(c.tps[k]!, c.positives))],
  };
}

/** 0.00, 0.01, ..., 1.00. */
export const CONFIDENCE_GRID: readonly number[] = Object.freeze(Array.from({ length: 101 }, (_, i) => i / 100));

export interface ConfidencePoint { threshold: number; tpr: number; fpr: number; precision: number | null }

/** True/false positive rates (and precision) at each threshold of `grid`, a row being positive at score >= t. */
export function ratesAt(labels: ArrayLike<number>, scores: ArrayLike<number>, grid: readonly number[] = CONFIDENCE_GRID): ConfidencePoint[] {
  const c = thresholdCounts(labels, scores);
  // c.thresholds descend: walk the grid from the top, advancing the cut past every score >= t.
  const out: ConfidencePoint[] = [];
  let k = -1;
  for (const t of [...grid].sort((a, b) => b - a)) {
    while (k + 1 < c.thresholds.length && c.thresholds[k + 1]! >= t) k++;
    const tp = k >= 0 ? c.tps[k]! : 0;
    const fp = k >= 0 ? c.fps[k]! : 0;
    out.push({
      threshold: t,
      tpr: c.positives > 0 ? tp / c.positives : Number.NaN,
      fpr: c.negatives > 0 ? fp / c.negatives : Number.NaN,
      precision: tp + fp > 0 ? tp / (tp + fp) : null,
    });
  }
  return out.reverse();
}
