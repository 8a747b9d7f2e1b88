// Paired bootstrap of the ROC AUC difference between two models scored on the same rows: each resample draws
// rows with replacement (a count per row) and recomputes both AUCs on it, so the row-to-row correlation of the
// two models is kept. Seeded, so a decision can be replayed.
import { mulberry32 } from '@formalize/common';
import { rankAuc, scoreOrder } from '@formalize/common/metrics';
import { checkInputs } from './binary.ts';

export interface PairedBootstrapOptions {
  /** Resamples (default 1000). */
  resamples?: number;
  seed?: number;
  /** Two-sided confidence of the interval (default 0.95). */
  confidence?: number;
}

export interface PairedBootstrapResult {
  /** On all rows. */
  auc_candidate: number;
  auc_champion: number;
  /** auc_candidate - auc_champion on all rows. */
  auc_delta: number;
  /** Percentile interval of the resampled deltas, at `confidence`. */
  ci_low: number;
  ci_high: number;
  /**
   * One-sided p-value of "the candidate is not better": (1 + resamples with delta <= 0) / (1 + resamples used).
   * Small when nearly every resample favours the candidate.
   */
  p_value: number;
  confidence: number;
  resamples: number;
  /** Resamples left out because they drew one class only (no AUC). */
  skipped: number;
  seed: number;
}

function quantile(sorted: Float64Array, q: number): number {
  // Linear interpolation between order statistics (numpy's default).
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

export function pairedBootstrapAuc(
  labels: ArrayLike<number>, candidate: ArrayLike<number>, champion: ArrayLike<number>, options: PairedBootstrapOptions = {},
): PairedBootstrapResult {
  checkInputs(labels, candidate);
  checkInputs(labels, champion);
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 0;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isSafeInteger(resamples) || resamples < 1) throw new RangeError(`resamples: expected a positive integer, received ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence: expected a number in (0, 1), received ${confidence}`);
  const candidateOrder = scoreOrder(candidate);
  const championOrder = scoreOrder(champion);
  const aucCandidate = rankAuc(labels, candidateOrder);
  const aucChampion = rankAuc(labels, championOrder);
  if (aucCandidate === null || aucChampion === null) throw new RangeError('the rows hold one class only: no AUC to compare');

  const n = labels.length;
  const rand = mulberry32(seed);
  const weights = new Uint32Array(n);
  const deltas = new Float64Array(resamples);
  let used = 0;
  let notBetter = 0;
  for (let b = 0; b < resamples; b++) {
    weights.fill(0);
    for (let i = 0; i < n; i++) weights[Math.floor(rand() * n)]!++;
    const a = rankAuc(labels, candidateOrder, weights);
    const c = rankAuc(labels, championOrder, weights);
    if (a === null || c === null) continue;
    const d = a - c;
    deltas[used++] = d;
    if (d <= 0) notBetter++;
  }
  if (used === 0) throw new RangeError('every resample drew one class only: too few rows of a class to bootstrap');
  const sorted = deltas.subarray(0, used).sort();
  const tail = (1 - confidence) / 2;
  return {
    auc_candidate: aucCandidate,
    auc_champion: aucChampion,
    auc_delta: aucCandidate - aucChampion,
    ci_low: quantile(sorted, tail),
    ci_high: quantile(sorted, 1 - tail),
    p_value: (1 + notBetter) / (1 + used),
    confidence,
    resamples: used,
    skipped: resamples - used,
    seed,
  };
}
