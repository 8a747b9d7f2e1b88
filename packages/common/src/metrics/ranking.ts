// ROC AUC by ranks (Mann-Whitney U), exact with ties counted as one half, over a score order computed once so
// that the paired bootstrap can re-weight rows (a resample is a count per row) without sorting again.

/** Rows in ascending score order, cut into groups of equal scores (ties). */
export interface ScoreOrder {
  /** Row indices, ascending by score. */
  readonly order: Uint32Array;
  /** Group g is `order[starts[g] .. starts[g + 1])`; `starts` ends with the row count. */
  readonly starts: Uint32Array;
}

export function scoreOrder(scores: ArrayLike<number>): ScoreOrder {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  const starts: number[] = [];
  for (let k = 0; k < n; k++) if (k === 0 || scores[order[k]!] !== scores[order[k - 1]!]) starts.push(k);
  starts.push(n);
  return { order, starts: Uint32Array.from(starts) };
}

/**
 * P(score of a positive > score of a negative) + P(equal) / 2, with row weights (default 1 each): the area
 * under the ROC curve through every distinct threshold. Null when either class has no weight.
 */
export function rankAuc(labels: ArrayLike<number>, order: ScoreOrder, weights?: ArrayLike<number>): number | null {
  const { order: idx, starts } = order;
  let negativesBelow = 0;
  let wins = 0;
  let positives = 0;
  for (let g = 0; g + 1 < starts.length; g++) {
    let p = 0;
    let n = 0;
    for (let k = starts[g]!; k < starts[g + 1]!; k++) {
      const i = idx[k]!;
      const w = weights ? weights[i]! : 1;
      if (labels[i] === 1) p += w;
      else n += w;
    }
    wins += p * (negativesBelow + n / 2);
    negativesBelow += n;
    positives += p;
  }
  return positives > 0 && negativesBelow > 0 ? wins / (positives * negativesBelow) : null;
}

/**
 * Exact ROC AUC of scores against 0/1 labels (any monotone score: logits give the same AUC as probabilities);
 * null when the rows hold one class only. NaN scores are an error: they have no rank.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  for (let i = 0; i < scores.length; i++) if (Number.isNaN(scores[i]!)) throw new RangeError(`rocAuc: score ${i} is NaN`);
  return rankAuc(labels, scoreOrder(scores));
}
