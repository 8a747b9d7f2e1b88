// Shared by the sampler tests and bench/tune.ts: a study driven synchronously against a synthetic objective
// (k trials pending at a time, results arriving in suggestion order), and a paired sign-flip permutation test.
import { createRng, streamSeed } from '../src/tuning/rng.ts';
import type { Observation, Sampler } from '../src/tuning/sampler.ts';
import type { Params, SearchSpace } from '../src/tuning/space.ts';

export interface SyntheticProblem {
  space: SearchSpace;
  /** Noise-free objective. */
  f: (p: Params) => number;
  /** Its minimum over the space. */
  min: number;
  noise: number;
}

/** Simple regret after `n` trials: true f at the trial with the best *observed* (noisy) value, minus the minimum. */
export function regretAfter(problem: SyntheticProblem, sampler: Sampler, seed: number, n: number, parallel = 1): number {
  const noise = createRng(streamSeed(seed, 0xfeed));
  const observations: Observation[] = [];
  const pending: Params[] = [];
  let next = 0;
  while (observations.length < n) {
    while (pending.length < parallel && next < n) {
      pending.push(sampler.suggest({ space: problem.space, observations, pending, rng: createRng(streamSeed(seed, next++)) }));
    }
    const p = pending.shift()!;
    observations.push({ params: p, loss: problem.f(p) + problem.noise * noise.normal() });
  }
  const best = observations.reduce((a, b) => (b.loss < a.loss ? b : a));
  return problem.f(best.params) - problem.min;
}

/**
 * One-sided paired test that `a` is lower than `b` on average: the share of random sign flips of the differences
 * whose mean is at most the observed one (seeded, 20,000 flips).
 */
export function pairedPermutationP(a: readonly number[], b: readonly number[]): number {
  const d = a.map((x, i) => x - b[i]!);
  const observed = d.reduce((s, x) => s + x, 0);
  const rng = createRng(12345);
  const rounds = 20_000;
  let atMost = 0;
  for (let r = 0; r < rounds; r++) {
    let s = 0;
    for (const x of d) s += rng.next() < 0.5 ? x : -x;
    if (s <= observed + 1e-15) atMost++;
  }
  return (atMost + 1) / (rounds + 1);
}

export const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
