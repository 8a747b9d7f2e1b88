// Numerics the samplers need: the normal distribution (EI, truncated Gaussians), log-sum-exp and a Cholesky
// solve for the Gaussian process. Small and exact enough (erfc to ~1.2e-7 relative) for acquisition functions.

const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Complementary error function (Numerical Recipes' erfcc Chebyshev fit, |relative error| < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

export const normalPdf = (z: number): number => Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
export const normalCdf = (z: number): number => 0.5 * erfc(-z / SQRT2);
export const logNormalPdf = (x: number, mu: number, sigma: number): number => {
  const z = (x - mu) / sigma;
  return -0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma);
};

export function logSumExp(xs: readonly number[]): number {
  let max = -Infinity;
  for (const x of xs) if (x > max) max = x;
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (const x of xs) s += Math.exp(x - max);
  return max + Math.log(s);
}

/** Expected improvement below `best` of a normal N(mu, sigma^2) (minimisation). */
export function expectedImprovement(mu: number, sigma: number, best: number): number {
  if (sigma <= 0) return Math.max(0, best - mu);
  const z = (best - mu) / sigma;
  return (best - mu) * normalCdf(z) + sigma * normalPdf(z);
}

/** Lower Cholesky factor of a symmetric positive-definite matrix (row-major, n x n). */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`cholesky: matrix is not positive definite (pivot ${i}: ${s})`);
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  return l;
}

/** Solves L y = b (L lower triangular). */
export function forwardSubstitute(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * y[k]!;
    y[i] = s / l[i * n + i]!;
  }
  return y;
}

/** Solves L^T x = y (L lower triangular). */
export function backSubstitute(l: Float64Array, n: number, y: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}
