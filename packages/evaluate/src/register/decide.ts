// The champion/challenger rule, pure: the candidate replaces the champion when its AUC on the same rows is
// higher by at least the margin AND the paired bootstrap says the difference is unlikely to be chance
// (p-value of "not better" at most alpha). Either test alone is weak: a margin alone trusts noise on a small
// test set, a p-value alone accepts differences too small to matter on a large one.
import type { PairedBootstrapResult } from '../metrics/bootstrap.ts';

export interface Decision {
  isNewBest: boolean;
  /** One sentence, for people: what was decided and why. */
  reason: string;
}

const f = (x: number, digits = 4) => x.toFixed(digits);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${f(x)}`;

export function decide(champion: { version: number }, r: PairedBootstrapResult, margin: number, alpha: number): Decision {
  const evidence = `AUC ${f(r.auc_candidate)} vs ${f(r.auc_champion)} (delta ${signed(r.auc_delta)}, ${Math.round(r.confidence * 100)}% CI [${signed(r.ci_low)}, ${signed(r.ci_high)}], p ${f(r.p_value)})`;
  if (r.auc_delta < margin) {
    return { isNewBest: false, reason: `kept version ${champion.version} as best: the candidate's ${evidence} does not beat it by the margin ${margin}` };
  }
  if (r.p_value > alpha) {
    return { isNewBest: false, reason: `kept version ${champion.version} as best: the candidate's ${evidence} is not significant (p > alpha ${alpha})` };
  }
  return { isNewBest: true, reason: `new best, replacing version ${champion.version}: ${evidence}, margin ${margin} and alpha ${alpha} met` };
}
