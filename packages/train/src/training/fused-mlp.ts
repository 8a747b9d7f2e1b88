// The fused training step for the seed's architecture (inputs -> one-hot / embeddings -> concatenate ->
// Dense-ReLU layers -> logits -> sigmoid): the forward pass as a handful of TF.js ops, the backward pass
// written out by hand (no gradient tape), the loss in closed form (d loss / d logits = (sigmoid(z) - y) / n),
// and Adam in JavaScript over the weights kept as plain Float32Arrays. About 50 kernel launches per step where
// TF.js' optimizer over the Layers graph makes about 450; the arithmetic is the same (the tests compare
// gradients and trajectories with the reference). Numeric inputs travel as one [n, k] tensor: the rows of the
// first kernel are kept permuted to (numeric, one-hot, embedding) order and un-permuted on write-back. Products
// with a transposed operand transpose it first: the WASM backend runs a transposed-operand MatMul without
// XNNPACK, 3-4x slower than a transpose plus a plain one. The weights become fresh tensors every step rather
// than tensors updated in place: XNNPACK packs a MatMul's weights once per tensor and would keep the stale ones.

import type { LayersModel, ModelSpec, Tensor, Tf } from '@formalize/common/model';
import { LAYER_NAMES } from '@formalize/common/model';
import { Adam } from './adam.ts';
import type { Rows, Trainer, WeightSnapshot } from './trainer.ts';

export class FusedUnavailableError extends Error {
  override name = 'FusedUnavailableError';
}

type Tensor2D = ReturnType<Tf['tensor2d']>;

interface Weight {
  /** The layer this array belongs to, and its index among the layer's weights. */
  layer: string;
  index: number;
  shape: number[];
  data: Float32Array;
}

interface Plan {
  numeric: string[];
  onehot: { name: string; width: number }[];
  embedding: { name: string; rows: number; dim: number; weight: number }[];
  /** [kernel, bias] weight indices per dense layer, the logits layer last. */
  dense: [number, number][];
  /** Row i of the permuted first kernel is row perm[i] of the model's. */
  perm: Int32Array;
  /** First row of the embedding block in the permuted first kernel. */
  embeddingStart: number;
}

const EVAL_CHUNK = 8192;

function check(cond: boolean, why: string): asserts cond {
  if (!cond) throw new FusedUnavailableError(why);
}

/** The seed architecture's weights, read out of the model and checked against the spec. */
function planFor(model: LayersModel, spec: ModelSpec): { plan: Plan; weights: Weight[] } {
  const weights: Weight[] = [];
  const take = (layerName: string, expected: number[][]): number[] => {
    let layer;
    try {
      layer = model.getLayer(layerName);
    } catch {
      throw new FusedUnavailableError(`no layer ${layerName}`);
    }
    const vars = layer.trainableWeights;
    check(vars.length === expected.length && layer.nonTrainableWeights.length === 0, `layer ${layerName}: expected ${expected.length} trainable weights`);
    return vars.map((v, index) => {
      check(JSON.stringify(v.shape) === JSON.stringify(expected[index]), `layer ${layerName}: weight ${index} has shape [${v.shape}], expected [${expected[index]}]`);
      weights.push({ layer: layerName, index, shape: [...v.shape] as number[], data: new Float32Array(v.read().dataSync()) });
      return weights.length - 1;
    });
  };
  const activation = (layerName: string) => String((model.getLayer(layerName).getConfig() as { activation?: unknown }).activation);
  check(model.inputNames.length === spec.inputs.length, `the model has ${model.inputNames.length} inputs, the spec ${spec.inputs.length}`);
  const trainable = model.trainableWeights.length;
  const plan: Plan = { numeric: [], onehot: [], embedding: [], dense: [], perm: new Int32Array(0), embeddingStart: 0 };
  const widths = spec.inputs.map((i) => (i.kind === 'numeric' ? 1 : i.kind === 'onehot' ? i.width : i.dim));
  const offsets: number[] = [];
  widths.reduce((at, w) => (offsets.push(at), at + w), 0);
  const width = widths.reduce((a, b) => a + b, 0);
  for (const input of spec.inputs) {
    if (input.kind === 'numeric') plan.numeric.push(input.name);
    else if (input.kind === 'onehot') plan.onehot.push({ name: input.name, width: input.width });
    else plan.embedding.push({ name: input.name, rows: input.rows, dim: input.dim, weight: take(LAYER_NAMES.embedding(input.name), [[input.rows, input.dim]])[0]! });
  }
  let fanIn = width;
  spec.hiddenUnits.forEach((units, i) => {
    const name = LAYER_NAMES.hidden(i);
    check(activation(name) === 'relu', `layer ${name}: activation ${activation(name)}, expected relu`);
    plan.dense.push(take(name, [[fanIn, units], [units]]) as [number, number]);
    fanIn = units;
  });
  check(activation(LAYER_NAMES.logits) === 'linear', `layer ${LAYER_NAMES.logits}: activation ${activation(LAYER_NAMES.logits)}, expected linear`);
  plan.dense.push(take(LAYER_NAMES.logits, [[fanIn, 1], [1]]) as [number, number]);
  check(activation(LAYER_NAMES.output) === 'sigmoid', `layer ${LAYER_NAMES.output}: expected a sigmoid`);
  check(weights.length === trainable, `the model has ${trainable} trainable weights, the seed's architecture ${weights.length}`);
  // Permuted row order of the first kernel: numeric, then one-hot blocks, then embedding blocks.
  const order = [...spec.inputs.keys()].sort((a, b) => rank(spec.inputs[a]!.kind) - rank(spec.inputs[b]!.kind) || a - b);
  const perm: number[] = [];
  for (const k of order) for (let r = 0; r < widths[k]!; r++) perm.push(offsets[k]! + r);
  plan.perm = Int32Array.from(perm);
  plan.embeddingStart = width - plan.embedding.reduce((a, e) => a + e.dim, 0);
  const first = weights[plan.dense[0]![0]]!;
  first.data = permuteRows(first.data, plan.perm, first.shape[1]!, false);
  return { plan, weights };
}

const rank = (kind: string) => (kind === 'numeric' ? 0 : kind === 'onehot' ? 1 : 2);

/** Rows of a row-major [rows, cols] matrix: out[i] = m[perm[i]] (or the inverse). */
function permuteRows(m: Float32Array, perm: Int32Array, cols: number, inverse: boolean): Float32Array {
  const out = new Float32Array(m.length);
  for (let i = 0; i < perm.length; i++) {
    const [to, from] = inverse ? [perm[i]!, i] : [i, perm[i]!];
    out.set(m.subarray(from * cols, (from + 1) * cols), to * cols);
  }
  return out;
}

export class FusedMlpTrainer implements Trainer {
  readonly kind = 'fused' as const;
  private readonly tf: Tf;
  private readonly model: LayersModel;
  private readonly plan: Plan;
  private readonly weights: Weight[];
  private readonly adam: Adam;

  /** Throws FusedUnavailableError when the model is not the seed's architecture for `spec`. */
  constructor(tf: Tf, model: LayersModel, spec: ModelSpec) {
    this.tf = tf;
    this.model = model;
    const { plan, weights } = planFor(model, spec);
    this.plan = plan;
    this.weights = weights;
    this.adam = new Adam(weights.map((w) => w.data.length));
  }

  private inputs(rows: Omit<Rows, 'labels'>) {
    const { tf, plan } = this;
    const n = rows.size;
    const k = plan.numeric.length;
    const numeric = new Float32Array(n * k);
    plan.numeric.forEach((name, c) => {
      const col = rows.features[name]!;
      for (let r = 0; r < n; r++) numeric[r * k + c] = col[r]!;
    });
    const int = (name: string) => {
      const col = rows.features[name]!;
      return tf.tensor1d(col instanceof Int32Array ? col : Int32Array.from(col), 'int32');
    };
    return {
      numeric: k > 0 ? tf.tensor2d(numeric, [n, k]) : undefined,
      onehot: plan.onehot.map((o) => int(o.name)),
      embedding: plan.embedding.map((e) => int(e.name)),
    };
  }

  /** Forward pass; every intermediate is returned for the backward pass. Call inside tidy. */
  private forward(w: Tensor[], x: ReturnType<FusedMlpTrainer['inputs']>) {
    const { tf, plan } = this;
    const parts: Tensor[] = [];
    if (x.numeric) parts.push(x.numeric);
    // int32 one-hot, then a cast: WASM's OneHot ignores a float32 dtype (writes int32 bit patterns: 1 reads as 1.4e-45).
    plan.onehot.forEach((o, i) => parts.push(tf.cast(tf.oneHot(x.onehot[i]! as ReturnType<Tf['tensor1d']>, o.width), 'float32')));
    plan.embedding.forEach((e, i) => parts.push(tf.gather(w[e.weight]!, x.embedding[i]!)));
    const a0 = (parts.length > 1 ? tf.concat(parts, 1) : parts[0]!) as Tensor2D;
    const activations: Tensor2D[] = [a0];
    const pre: Tensor2D[] = [];
    let a = a0;
    plan.dense.forEach(([kernel, bias], i) => {
      const z = tf.fused.matMul({ a, b: w[kernel]! as Tensor2D, bias: w[bias]! }) as Tensor2D;
      pre.push(z);
      if (i < plan.dense.length - 1) {
        a = tf.relu(z) as Tensor2D;
        activations.push(a);
      }
    });
    return { activations, pre, logits: pre.at(-1)! };
  }

  private tensors(): Tensor[] {
    return this.weights.map((w) => this.tf.tensor(w.data, w.shape));
  }

  step(batch: Rows, learningRate: number): Float32Array {
    const { tf, plan } = this;
    const n = batch.size;
    const out = tf.tidy(() => {
      const w = this.tensors();
      const x = this.inputs(batch);
      const { activations, pre, logits } = this.forward(w, x);
      const y = tf.tensor2d(batch.labels, [n, 1]);
      // Mean binary cross-entropy on logits: dL/dz = (sigmoid(z) - y) / n.
      let dz = tf.mul(tf.sub(tf.sigmoid(logits), y), 1 / n) as Tensor2D;
      const grads: Tensor[] = Array.from({ length: w.length });
      for (let i = plan.dense.length - 1; i >= 0; i--) {
        const [kernel, bias] = plan.dense[i]!;
        grads[kernel] = tf.matMul(tf.transpose(activations[i]!), dz);
        grads[bias] = tf.sum(dz, 0);
        if (i > 0) dz = tf.mul(tf.matMul(dz, tf.transpose(w[kernel]! as Tensor2D)), tf.step(pre[i - 1]!)) as Tensor2D;
      }
      if (plan.embedding.length) {
        // Only the embedding block of the first layer's input has weights behind it.
        const [kernel] = plan.dense[0]!;
        const rowsOfEmbeddings = tf.slice(w[kernel]! as Tensor2D, [plan.embeddingStart, 0], [-1, -1]);
        const d = tf.matMul(dz, tf.transpose(rowsOfEmbeddings));
        const parts = plan.embedding.length > 1 ? tf.split(d, plan.embedding.map((e) => e.dim), 1) : [d];
        plan.embedding.forEach((e, i) => {
          grads[e.weight] = tf.unsortedSegmentSum(parts[i]!, x.embedding[i]!, e.rows);
        });
      }
      return { logits, grads };
    });
    const z = out.logits.dataSync() as Float32Array;
    const g = out.grads.map((t) => t.dataSync() as Float32Array);
    tf.dispose([out.logits, ...out.grads]);
    this.adam.apply(this.weights.map((w) => w.data), g, learningRate);
    return z;
  }

  logits(rows: Omit<Rows, 'labels'>): Float32Array {
    const { tf } = this;
    const out = new Float32Array(rows.size);
    const w = this.tensors();
    try {
      for (let at = 0; at < rows.size; at += EVAL_CHUNK) {
        const end = Math.min(rows.size, at + EVAL_CHUNK);
        const chunk = { size: end - at, features: Object.fromEntries(Object.entries(rows.features).map(([k, v]) => [k, v.subarray(at, end)])) };
        const z = tf.tidy(() => this.forward(w, this.inputs(chunk)).logits);
        out.set(z.dataSync() as Float32Array, at);
        z.dispose();
      }
    } finally {
      tf.dispose(w);
    }
    return out;
  }

  snapshot(): WeightSnapshot {
    return { arrays: this.weights.map((w) => w.data.slice()) };
  }

  restore(s: WeightSnapshot): void {
    s.arrays.forEach((a, k) => this.weights[k]!.data.set(a));
  }

  sync(): void {
    const { tf } = this;
    const byLayer = new Map<string, Weight[]>();
    for (const w of this.weights) byLayer.set(w.layer, [...(byLayer.get(w.layer) ?? []), w]);
    const first = this.weights[this.plan.dense[0]![0]]!;
    for (const [layer, ws] of byLayer) {
      const values = ws.sort((a, b) => a.index - b.index).map((w) => tf.tensor(w === first ? permuteRows(w.data, this.plan.perm, w.shape[1]!, true) : w.data, w.shape));
      this.model.getLayer(layer).setWeights(values);
      tf.dispose(values);
    }
  }

  dispose(): void {
    // Nothing TF.js-side outlives a call: the weights live in Float32Arrays.
  }
}
