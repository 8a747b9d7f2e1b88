// What every search algorithm implements: given the finished trials (and the ones still running), the next point.
// Samplers minimise: a study whose goal is to maximise a metric hands them the negated values.
import type { Rng } from './rng.ts';
import type { Params, SearchSpace } from './space.ts';

export interface Observation {
  params: Params;
  /** The value to minimise (the objective, negated when the study maximises). */
  loss: number;
}

export interface SuggestContext {
  space: SearchSpace;
  /** Completed trials, in completion order. Failed trials are not observations. */
  observations: readonly Observation[];
  /** Trials suggested but not finished yet (parallel trials): samplers steer away from them. */
  pending: readonly Params[];
  rng: Rng;
}

export interface Sampler {
  readonly name: string;
  suggest(ctx: SuggestContext): Params;
}

export const ALGORITHMS = ['tpe', 'gp', 'random'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Trials drawn at random before a model-based sampler takes over (Bergstra et al.'s n_startup). */
export const DEFAULT_STARTUP_TRIALS = 5;

/**
 * Constant liar (Ginsbourger et al. 2010): a pending trial counts as an observation at the worst loss seen, so k
 * parallel suggestions spread out instead of piling onto the same promising point.
 */
export function withLiars(observations: readonly Observation[], pending: readonly Params[]): Observation[] {
  if (pending.length === 0 || observations.length === 0) return [...observations];
  const worst = Math.max(...observations.map((o) => o.loss));
  return [...observations, ...pending.map((params) => ({ params, loss: worst }))];
}
