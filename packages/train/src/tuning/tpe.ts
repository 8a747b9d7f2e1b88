// Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio, Kégl 2011), in its multivariate form (one mixture
// component per trial across all parameters, as Optuna's `multivariate=True`), because learning rate and batch
// size interact. The finished trials are split at the gamma quantile of the loss into a good group l(x) and a bad
// group g(x); candidates are drawn from l and the one maximising l(x) / g(x) is suggested, which maximises expected
// improvement under the TPE model. Running trials join the bad group (a constant liar), so parallel suggestions
// avoid each other.
//
// Per parameter, in the unit interval of `encode` (log space for the learning rate):
//   double:   Gaussian kernels truncated to [0, 1], bandwidth by Scott's rule 0.2 n^(-1/(d+4)), clipped to
//             [1 / min(100, n + 1), 1] of the range (Optuna's magic clip);
//   discrete: a smoothed categorical per trial, (1 - k) on the trial's value and k spread evenly, k = 1 / (n + 1).
// Each group also holds the prior (uniform) as one component of weight `priorWeight`.
import { logSumExp, normalCdf, logNormalPdf } from './math.ts';
import { samplePrior } from './random-search.ts';
import type { Rng } from './rng.ts';
import type { Observation, Sampler, SuggestContext } from './sampler.ts';
import { DEFAULT_STARTUP_TRIALS } from './sampler.ts';
import type { Params, SearchSpace } from './space.ts';
import { decodeValue, encode } from './space.ts';

export interface TpeOptions {
  /** Random trials before TPE starts (default 5). */
  startupTrials?: number;
  /** Size of the good group for n finished trials (default Optuna's min(25, ceil(0.1 n)), at least 1). */
  goodCount?: (n: number) => number;
  /** Candidates drawn from l(x) per suggestion (default 24, as hyperopt and Optuna). */
  candidates?: number;
  /** Weight of the prior component in each group (default 1). */
  priorWeight?: number;
}

export const DEFAULT_GOOD_COUNT = (n: number): number => Math.max(1, Math.min(25, Math.ceil(0.1 * n)));

interface Kernel {
  weight: number;
  /** Per parameter: [mu, sigma] of a truncated Gaussian, or category log-probabilities. */
  dims: ({ kind: 'gauss'; mu: number; sigma: number; logMass: number } | { kind: 'cat'; logp: number[] })[];
}

/** The Parzen estimator of one group of encoded points. */
export class ParzenEstimator {
  readonly kernels: Kernel[];
  readonly #logTotal: number;

  constructor(space: SearchSpace, points: readonly number[][], priorWeight: number) {
    const n = points.length;
    const sigma = Math.min(1, Math.max(1 / Math.min(100, n + 1), 0.2 * Math.max(n, 1) ** (-1 / (space.length + 4))));
    const smoothing = 1 / (n + 1);
    const truncated = (mu: number, s: number) => ({ kind: 'gauss' as const, mu, sigma: s, logMass: Math.log(normalCdf((1 - mu) / s) - normalCdf(-mu / s)) });
    this.kernels = points.map((u) => ({
      weight: 1,
      dims: space.map((p, d) => {
        if (p.type === 'double') return truncated(u[d]!, sigma);
        const k = p.values.length;
        const own = Math.round(u[d]! * (k - 1));
        return { kind: 'cat' as const, logp: Array.from({ length: k }, (_, j) => Math.log((j === own ? 1 - smoothing : 0) + smoothing / k)) };
      }),
    }));
    if (priorWeight > 0) {
      this.kernels.push({
        weight: priorWeight,
        dims: space.map((p) => (p.type === 'double' ? truncated(0.5, 1) : { kind: 'cat' as const, logp: p.values.map(() => -Math.log(p.values.length)) })),
      });
    }
    this.#logTotal = Math.log(this.kernels.reduce((s, k) => s + k.weight, 0));
  }

  logDensity(u: readonly number[]): number {
    return logSumExp(this.kernels.map((k) => Math.log(k.weight) - this.#logTotal + k.dims.reduce((s, d, i) => {
      const x = u[i]!;
      if (d.kind === 'gauss') return s + logNormalPdf(x, d.mu, d.sigma) - d.logMass;
      return s + d.logp[Math.round(x * (d.logp.length - 1))]!;
    }, 0)));
  }

  sample(rng: Rng): number[] {
    let r = rng.next() * Math.exp(this.#logTotal);
    let kernel = this.kernels[this.kernels.length - 1]!;
    for (const k of this.kernels) {
      if ((r -= k.weight) < 0) { kernel = k; break; }
    }
    return kernel.dims.map((d) => (d.kind === 'gauss' ? sampleTruncatedNormal(rng, d.mu, d.sigma) : sampleCategory(rng, d.logp)));
  }
}

function sampleTruncatedNormal(rng: Rng, mu: number, sigma: number): number {
  // Every kernel keeps at least a third of its mass in [0, 1] (mu in [0, 1], sigma <= 1): rejection stays cheap.
  for (;;) {
    const x = mu + sigma * rng.normal();
    if (x >= 0 && x <= 1) return x;
  }
}

function sampleCategory(rng: Rng, logp: readonly number[]): number {
  let r = rng.next();
  for (let j = 0; j < logp.length; j++) {
    if ((r -= Math.exp(logp[j]!)) < 0) return logp.length === 1 ? 0 : j / (logp.length - 1);
  }
  return logp.length === 1 ? 0 : 1;
}

/** Good and bad groups: the best `goodCount(n)` finished trials, and the rest plus the running ones. */
export function splitObservations(observations: readonly Observation[], goodCount: (n: number) => number): { good: Observation[]; bad: Observation[] } {
  // Stable order: ties keep completion order, so the split is a function of the history alone.
  const sorted = observations.map((o, i) => ({ o, i })).sort((a, b) => a.o.loss - b.o.loss || a.i - b.i).map((x) => x.o);
  const k = Math.min(sorted.length, Math.max(1, Math.floor(goodCount(sorted.length))));
  return { good: sorted.slice(0, k), bad: sorted.slice(k) };
}

export function createTpeSampler(opts: TpeOptions = {}): Sampler {
  const startup = opts.startupTrials ?? DEFAULT_STARTUP_TRIALS;
  const goodCount = opts.goodCount ?? DEFAULT_GOOD_COUNT;
  const candidates = opts.candidates ?? 24;
  const priorWeight = opts.priorWeight ?? 1;
  return {
    name: 'tpe',
    suggest({ space, observations, pending, rng }: SuggestContext): Params {
      if (observations.length < Math.max(startup, 2)) return samplePrior(space, rng);
      const { good, bad } = splitObservations(observations, goodCount);
      const l = new ParzenEstimator(space, good.map((o) => encode(space, o.params)), priorWeight);
      const g = new ParzenEstimator(space, [...bad.map((o) => encode(space, o.params)), ...pending.map((p) => encode(space, p))], priorWeight);
      let best: number[] | undefined;
      let bestScore = -Infinity;
      for (let i = 0; i < candidates; i++) {
        const u = l.sample(rng);
        const score = l.logDensity(u) - g.logDensity(u);
        if (score > bestScore) { bestScore = score; best = u; }
      }
      return Object.fromEntries(space.map((p, d) => [p.name, decodeValue(p, best![d]!)]));
    },
  };
}
