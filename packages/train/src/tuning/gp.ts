// Gaussian-process Bayesian optimisation (Snoek, Larochelle, Adams 2012): a GP with a Matérn 5/2 ARD kernel on the
// unit cube of `encode` (log space for the learning rate; a discrete parameter by its position, which for batch
// sizes 16..256 is log2 of the batch size), fitted to the standardised losses; the next trial maximises expected
// improvement over a candidate set that holds only feasible points (discrete parameters at their exact values).
// Kernel hyperparameters are the MAP of the log marginal likelihood under weak log-normal priors, found by a
// seeded random search then coordinate refinement: with at most a few dozen trials this costs milliseconds.
// Running trials enter as constant liars (the worst loss seen) so parallel suggestions spread out.
// The fit is cubic in the trials: past MAX_GP_POINTS finished trials, it uses the best half and the most recent half
// of that many (a subset-of-data approximation), which keeps a suggestion in milliseconds for long studies.
import { backSubstitute, cholesky, expectedImprovement, forwardSubstitute } from './math.ts';
import { samplePrior } from './random-search.ts';
import type { Rng } from './rng.ts';
import type { Observation, Sampler, SuggestContext } from './sampler.ts';
import { DEFAULT_STARTUP_TRIALS, withLiars } from './sampler.ts';
import type { Params, SearchSpace } from './space.ts';
import { decode, encode } from './space.ts';

export interface GpOptions {
  /** Random trials before the GP starts (default 5). */
  startupTrials?: number;
  /** Random candidates per suggestion, besides the local ones around the best trials (default 1000). */
  candidates?: number;
}

export interface GpHyperparameters {
  lengthscales: number[];
  signalVariance: number;
  noiseVariance: number;
}

const SQRT5 = Math.sqrt(5);

export function matern52(a: readonly number[], b: readonly number[], h: GpHyperparameters): number {
  let r2 = 0;
  for (let d = 0; d < a.length; d++) {
    const z = (a[d]! - b[d]!) / h.lengthscales[d]!;
    r2 += z * z;
  }
  const r = Math.sqrt(r2);
  return h.signalVariance * (1 + SQRT5 * r + (5 / 3) * r2) * Math.exp(-SQRT5 * r);
}

export interface GpPosterior {
  predict(x: readonly number[]): { mean: number; sd: number };
  logMarginalLikelihood: number;
}

/** The GP posterior given inputs X and (standardised) targets y; undefined when the kernel matrix is singular. */
export function fitGp(xs: readonly number[][], ys: readonly number[], h: GpHyperparameters): GpPosterior | undefined {
  const n = xs.length;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = matern52(xs[i]!, xs[j]!, h) + (i === j ? h.noiseVariance + 1e-9 : 0);
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
  let l: Float64Array;
  try {
    l = cholesky(k, n);
  } catch {
    return undefined;
  }
  const alpha = backSubstitute(l, n, forwardSubstitute(l, n, ys));
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += Math.log(l[i * n + i]!);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += ys[i]! * alpha[i]!;
  return {
    logMarginalLikelihood: -0.5 * fit - logDet - 0.5 * n * Math.log(2 * Math.PI),
    predict(x) {
      const ks = xs.map((xi) => matern52(x, xi, h));
      let mean = 0;
      for (let i = 0; i < n; i++) mean += ks[i]! * alpha[i]!;
      const v = forwardSubstitute(l, n, ks);
      let vv = 0;
      for (let i = 0; i < n; i++) vv += v[i]! * v[i]!;
      return { mean, sd: Math.sqrt(Math.max(1e-12, h.signalVariance - vv)) };
    },
  };
}

// Weak priors (log-normal) keep the fit sane with few points: lengthscale around half the range, signal variance
// around 1 (the targets are standardised), small noise.
const PRIOR = { logLength: [Math.log(0.5), 1], logSignal: [0, 1], logNoise: [Math.log(1e-2), 2] } as const;
const BOUNDS = { logLength: [Math.log(0.02), Math.log(5)], logSignal: [Math.log(0.05), Math.log(20)], logNoise: [Math.log(1e-6), Math.log(1)] } as const;

type Theta = number[]; // [log l_1..l_d, log signal, log noise]

const toHyper = (t: Theta, d: number): GpHyperparameters => ({
  lengthscales: t.slice(0, d).map(Math.exp), signalVariance: Math.exp(t[d]!), noiseVariance: Math.exp(t[d + 1]!),
});

function logPrior(t: Theta, d: number): number {
  const g = (x: number, [m, s]: readonly [number, number]) => -0.5 * ((x - m) / s) ** 2;
  let s = g(t[d]!, PRIOR.logSignal) + g(t[d + 1]!, PRIOR.logNoise);
  for (let i = 0; i < d; i++) s += g(t[i]!, PRIOR.logLength);
  return s;
}

const boundsOf = (i: number, d: number) => (i < d ? BOUNDS.logLength : i === d ? BOUNDS.logSignal : BOUNDS.logNoise);

/** MAP kernel hyperparameters: seeded random search over the log-hyperparameters, then coordinate refinement. */
export function fitHyperparameters(xs: readonly number[][], ys: readonly number[], rng: Rng): GpHyperparameters {
  const d = xs[0]!.length;
  const objective = (t: Theta) => {
    const gp = fitGp(xs, ys, toHyper(t, d));
    return gp ? gp.logMarginalLikelihood + logPrior(t, d) : -Infinity;
  };
  let best: Theta = [...Array.from({ length: d }, () => PRIOR.logLength[0]), PRIOR.logSignal[0], PRIOR.logNoise[0]];
  let bestValue = objective(best);
  for (let i = 0; i < 64; i++) {
    const t = best.map((_, j) => { const [lo, hi] = boundsOf(j, d); return lo + rng.next() * (hi - lo); });
    const v = objective(t);
    if (v > bestValue) { best = t; bestValue = v; }
  }
  for (let step = 0.5; step > 0.01; step /= 2) {
    let improved = true;
    while (improved) {
      improved = false;
      for (let j = 0; j < best.length; j++) {
        for (const dir of [-1, 1]) {
          const [lo, hi] = boundsOf(j, d);
          const t = [...best];
          t[j] = Math.min(hi, Math.max(lo, t[j]! + dir * step));
          const v = objective(t);
          if (v > bestValue + 1e-9) { best = t; bestValue = v; improved = true; }
        }
      }
    }
  }
  return toHyper(best, d);
}

function candidatePoints(space: SearchSpace, around: readonly number[][], count: number, rng: Rng): number[][] {
  const snap = (d: number, u: number) => {
    const p = space[d]!;
    const c = Math.min(1, Math.max(0, u));
    return p.type === 'double' || p.values.length === 1 ? (p.type === 'double' ? c : 0) : Math.round(c * (p.values.length - 1)) / (p.values.length - 1);
  };
  const out: number[][] = [];
  for (let i = 0; i < count; i++) out.push(space.map((_, d) => snap(d, rng.next())));
  // Local candidates: small moves of each double and single steps of each discrete parameter.
  for (const x of around) {
    for (let i = 0; i < 64; i++) {
      out.push(space.map((p, d) => {
        if (p.type === 'double') return snap(d, x[d]! + 0.05 * rng.normal());
        const step = p.values.length > 1 ? 1 / (p.values.length - 1) : 0;
        const r = rng.next();
        return snap(d, x[d]! + (r < 0.25 ? -step : r < 0.5 ? step : 0));
      }));
    }
  }
  return out;
}

export const MAX_GP_POINTS = 200;

/** At most `max` observations: the best max/2 and the most recent of the rest. */
export function gpSubset(observations: readonly Observation[], max = MAX_GP_POINTS): Observation[] {
  if (observations.length <= max) return [...observations];
  const byLoss = [...observations.keys()].sort((a, b) => observations[a]!.loss - observations[b]!.loss || a - b);
  const keep = new Set(byLoss.slice(0, max >> 1));
  for (let i = observations.length - 1; keep.size < max; i--) keep.add(i);
  return [...keep].sort((a, b) => a - b).map((i) => observations[i]!);
}

export function createGpSampler(opts: GpOptions = {}): Sampler {
  const startup = opts.startupTrials ?? DEFAULT_STARTUP_TRIALS;
  const count = opts.candidates ?? 1000;
  return {
    name: 'gp',
    suggest({ space, observations, pending, rng }: SuggestContext): Params {
      if (observations.length < Math.max(startup, 2)) return samplePrior(space, rng);
      const used = gpSubset(observations);
      const all = withLiars(used, pending);
      const xs = all.map((o) => encode(space, o.params));
      const raw = all.map((o) => o.loss);
      const mean = raw.reduce((s, y) => s + y, 0) / raw.length;
      const sd = Math.sqrt(raw.reduce((s, y) => s + (y - mean) ** 2, 0) / raw.length) || 1;
      const ys = raw.map((y) => (y - mean) / sd);
      const h = fitHyperparameters(xs, ys, rng);
      const gp = fitGp(xs, ys, h) ?? fitGp(xs, ys, { ...h, noiseVariance: h.noiseVariance + 1e-3 })!;
      // The incumbent is the best real observation (liars are never better than it).
      const best = Math.min(...ys.slice(0, used.length));
      const top = [...used.keys()].sort((a, b) => ys[a]! - ys[b]!).slice(0, 3).map((i) => xs[i]!);
      let bestX = xs[0]!;
      let bestEi = -Infinity;
      for (const x of candidatePoints(space, top, count, rng)) {
        const { mean: mu, sd: s } = gp.predict(x);
        const ei = expectedImprovement(mu, s, best);
        if (ei > bestEi) { bestEi = ei; bestX = x; }
      }
      return decode(space, bestX);
    },
  };
}
