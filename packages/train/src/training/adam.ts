// Adam over flat Float32Arrays, in JavaScript: one loop per weight instead of TF.js's dozen tensor ops per
// variable per step (about 170 kernel launches for this model), which at small batches cost more than the
// matrix products. The update is Keras' (tf.keras.optimizers.Adam, the seed's optimizer):
//   lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t);  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//   w -= lr_t * m / (sqrt(v) + epsilon)   with epsilon = 1e-7.

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adam {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private t = 0;
  private m: Float32Array[];
  private v: Float32Array[];

  constructor(sizes: readonly number[], opts: AdamOptions = {}) {
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-7;
    this.m = sizes.map((n) => new Float32Array(n));
    this.v = sizes.map((n) => new Float32Array(n));
  }

  /** One update of every weight array in place. */
  apply(weights: readonly Float32Array[], grads: readonly ArrayLike<number>[], learningRate: number): void {
    this.t++;
    const { beta1: b1, beta2: b2, epsilon: eps } = this;
    const lrT = (learningRate * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    for (let k = 0; k < weights.length; k++) {
      const w = weights[k]!;
      const g = grads[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let j = 0; j < w.length; j++) {
        const gj = g[j]!;
        const mj = (m[j] = b1 * m[j]! + (1 - b1) * gj);
        const vj = (v[j] = b2 * v[j]! + (1 - b2) * gj * gj);
        w[j] = w[j]! - (lrT * mj) / (Math.sqrt(vj) + eps);
      }
    }
  }

  get iterations(): number {
    return this.t;
  }
}
