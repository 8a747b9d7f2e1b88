// The fused training step for the seed's architecture (inputs -> one-hot / embeddings -> concatenate ->
// Dense-ReLU layers -> logits -> sigmoid). Every weight lives in JavaScript (Float32Arrays) and Adam updates it
// there, one loop per weight instead of TF.js' dozen tensor ops per variable. Per step:
// * the first layer's input, numeric columns + one-hot slots + embedding rows, is assembled in JavaScript (a
//   memory gather that costs less than the OneHot / Cast / Gather / Concat kernels it replaces) and becomes one
//   tensor;
// * the Dense layers run in TF.js (fused MatMul + bias), and so does their backward pass, written out by hand
//   (no gradient tape; d loss / d logits = (sigmoid(z) - y) / n in closed form);
// * the input's gradient comes back for the embedding columns only, and is scattered into the embedding tables'
//   gradients in JavaScript (what UnsortedSegmentSum would do).
// About 25 kernel launches per step where TF.js' optimizer over the Layers graph makes about 450; the arithmetic
// is the same (tests compare trajectories with the reference). The first kernel's rows are kept permuted to
// (numeric, one-hot, embedding) order and un-permuted on write-back. Transposed weights are made in JavaScript
// and activations are transposed by a kernel before a plain MatMul: the WASM backend runs a transposed-operand
// MatMul without XNNPACK, 3-4x slower. The Dense weights become fresh tensors every step rather than tensors
// updated in place: XNNPACK packs a MatMul's weights once per tensor and would keep the stale ones.

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
  /** `offset`: first column of the block in the (permuted) first-layer input. */
  onehot: { name: string; width: number; offset: number }[];
  embedding: { name: string; rows: number; dim: number; weight: number; offset: number }[];
  /** [kernel, bias] weight indices per dense layer, the logits layer last. */
  dense: [number, number][];
  /** Row i of the permuted first kernel is row perm[i] of the model's. */
  perm: Int32Array;
  /** Width of the first layer's input. */
  width: number;
  /** First column of the embedding block in the first layer's input. */
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
  const plan: Plan = { numeric: [], onehot: [], embedding: [], dense: [], perm: new Int32Array(0), width: 0, embeddingStart: 0 };
  const widths = spec.inputs.map((i) => (i.kind === 'numeric' ? 1 : i.kind === 'onehot' ? i.width : i.dim));
  const offsets: number[] = [];
  widths.reduce((at, w) => (offsets.push(at), at + w), 0);
  const width = widths.reduce((a, b) => a + b, 0);
  for (const input of spec.inputs) {
    if (input.kind === 'numeric') plan.numeric.push(input.name);
    else if (input.kind === 'onehot') plan.onehot.push({ name: input.name, width: input.width, offset: 0 });
    else plan.embedding.push({ name: input.name, rows: input.rows, dim: input.dim, weight: take(LAYER_NAMES.embedding(input.name), [[input.rows, input.dim]])[0]!, offset: 0 });
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
  plan.width = width;
  let at = plan.numeric.length;
  for (const o of plan.onehot) at = (o.offset = at) + o.width;
  plan.embeddingStart = at;
  for (const e of plan.embedding) at = (e.offset = at) + e.dim;
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

/** A row-major [rows, cols] matrix, transposed. */
function transposed(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}

export class FusedMlpTrainer implements Trainer {
  readonly kind = 'fused' as const;
  private readonly tf: Tf;
  private readonly model: LayersModel;
  private readonly plan: Plan;
  private readonly weights: Weight[];
  private readonly adam: Adam;
  /** Gradient buffers of the embedding tables, zeroed every step. */
  private readonly embeddingGrads: Float32Array[];

  /** Throws FusedUnavailableError when the model is not the seed's architecture for `spec`. */
  constructor(tf: Tf, model: LayersModel, spec: ModelSpec) {
    this.tf = tf;
    this.model = model;
    const { plan, weights } = planFor(model, spec);
    this.plan = plan;
    this.weights = weights;
    this.adam = new Adam(weights.map((w) => w.data.length));
    this.embeddingGrads = plan.embedding.map((e) => new Float32Array(e.rows * e.dim));
  }

  /** The first layer's input, row-major [n, width]: numeric columns, one-hot slots, embedding rows. */
  private input(rows: Omit<Rows, 'labels'>): Float32Array {
    const { plan } = this;
    const n = rows.size;
    const width = plan.width;
    const a0 = new Float32Array(n * width);
    plan.numeric.forEach((name, c) => {
      const col = rows.features[name]!;
      for (let r = 0; r < n; r++) a0[r * width + c] = col[r]!;
    });
    for (const o of plan.onehot) {
      const col = rows.features[o.name]!;
      for (let r = 0; r < n; r++) {
        const v = col[r]!;
        // Keras' one-hot of an index outside [0, width) is all zeros.
        if (v >= 0 && v < o.width) a0[r * width + o.offset + v] = 1;
      }
    }
    for (const e of plan.embedding) {
      const col = rows.features[e.name]!;
      const table = this.weights[e.weight]!.data;
      for (let r = 0; r < n; r++) {
        const v = col[r]!;
        if (!(v >= 0 && v < e.rows && Number.isInteger(v))) throw new RangeError(`${e.name}: row ${r}: expected a vocabulary index 0..${e.rows - 1}, received ${v}`);
        a0.set(table.subarray(v * e.dim, (v + 1) * e.dim), r * width + e.offset);
      }
    }
    return a0;
  }

  /** The Dense layers' kernels and biases as tensors; with `transposedKernels`, also each kernel transposed. */
  private denseTensors(transposedKernels: boolean) {
    const { tf } = this;
    return this.plan.dense.map(([k, b]) => {
      const kernel = this.weights[k]!;
      return {
        kernel: tf.tensor2d(kernel.data, kernel.shape as [number, number]),
        bias: tf.tensor1d(this.weights[b]!.data),
        ...(transposedKernels && { kernelT: tf.tensor2d(transposed(kernel.data, kernel.shape[0]!, kernel.shape[1]!), [kernel.shape[1]!, kernel.shape[0]!]) }),
      };
    });
  }

  /** Forward pass from the first layer's input; every intermediate is returned for the backward pass. Call inside tidy. */
  private forward(layers: ReturnType<FusedMlpTrainer['denseTensors']>, a0: Tensor2D) {
    const { tf } = this;
    const activations: Tensor2D[] = [a0];
    const pre: Tensor2D[] = [];
    let a = a0;
    layers.forEach(({ kernel, bias }, i) => {
      const z = tf.fused.matMul({ a, b: kernel, bias }) as Tensor2D;
      pre.push(z);
      if (i < layers.length - 1) {
        a = tf.relu(z) as Tensor2D;
        activations.push(a);
      }
    });
    return { activations, pre, logits: pre.at(-1)! };
  }

  step(batch: Rows, learningRate: number): Float32Array {
    const { tf, plan } = this;
    const n = batch.size;
    const a0data = this.input(batch);
    const embeddingWidth = plan.width - plan.embeddingStart;
    // The first kernel's embedding rows, transposed: what maps the first layer's gradient back to the embeddings.
    const firstKernel = this.weights[plan.dense[0]![0]]!;
    const cols = firstKernel.shape[1]!;
    const embeddingRowsT = embeddingWidth > 0 ? transposed(firstKernel.data.subarray(plan.embeddingStart * cols), embeddingWidth, cols) : undefined;
    const out = tf.tidy(() => {
      const layers = this.denseTensors(true);
      const { activations, pre, logits } = this.forward(layers, tf.tensor2d(a0data, [n, plan.width]));
      const y = tf.tensor2d(batch.labels, [n, 1]);
      let dz = tf.mul(tf.sub(tf.sigmoid(logits), y), 1 / n) as Tensor2D;
      const grads: { kernel: Tensor; bias: Tensor }[] = [];
      for (let i = layers.length - 1; i >= 0; i--) {
        grads[i] = { kernel: tf.matMul(tf.transpose(activations[i]!), dz), bias: tf.sum(dz, 0) };
        if (i > 0) dz = tf.mul(tf.matMul(dz, layers[i]!.kernelT!), tf.step(pre[i - 1]!)) as Tensor2D;
      }
      const inputGrad = embeddingRowsT ? tf.matMul(dz, tf.tensor2d(embeddingRowsT, [cols, embeddingWidth])) : undefined;
      return { logits, grads, ...(inputGrad && { inputGrad }) };
    });
    const z = out.logits.dataSync() as Float32Array;
    const all: Float32Array[] = Array.from({ length: this.weights.length });
    plan.dense.forEach(([k, b], i) => {
      all[k] = out.grads[i]!.kernel.dataSync() as Float32Array;
      all[b] = out.grads[i]!.bias.dataSync() as Float32Array;
    });
    if (out.inputGrad) {
      const d = out.inputGrad.dataSync() as Float32Array;
      plan.embedding.forEach((e, j) => {
        const g = this.embeddingGrads[j]!;
        g.fill(0);
        const col = batch.features[e.name]!;
        const from = e.offset - plan.embeddingStart;
        for (let r = 0; r < n; r++) {
          const row = col[r]! * e.dim;
          const src = r * embeddingWidth + from;
          for (let c = 0; c < e.dim; c++) g[row + c]! += d[src + c]!;
        }
        all[e.weight] = g;
      });
    }
    tf.dispose([out.logits, ...out.grads.flatMap((g) => [g.kernel, g.bias]), ...(out.inputGrad ? [out.inputGrad] : [])]);
    this.adam.apply(this.weights.map((w) => w.data), all, learningRate);
    return z;
  }

  logits(rows: Omit<Rows, 'labels'>): Float32Array {
    const { tf } = this;
    const out = new Float32Array(rows.size);
    const layers = this.denseTensors(false);
    try {
      for (let at = 0; at < rows.size; at += EVAL_CHUNK) {
        const end = Math.min(rows.size, at + EVAL_CHUNK);
        const chunk = { size: end - at, features: Object.fromEntries(Object.entries(rows.features).map(([k, v]) => [k, v.subarray(at, end)])) };
        const a0 = this.input(chunk);
        const z = tf.tidy(() => this.forward(layers, tf.tensor2d(a0, [chunk.size, this.plan.width])).logits);
        out.set(z.dataSync() as Float32Array, at);
        z.dispose();
      }
    } finally {
      tf.dispose(layers.flatMap((l) => [l.kernel, l.bias]));
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
