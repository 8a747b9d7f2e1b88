// Builds the base model of a ModelSpec with TF.js layers whose Keras counterparts have the same class names
// and configs. Initialisation is deterministic: every weight's initializer gets its own seed derived from the
// build seed and the weight's name, so the same seed gives the same weights bit for bit (on any backend: TF.js
// draws seeded initial values in JavaScript), and two layers of the same shape never start equal.
import { createHash } from 'node:crypto';
import { categoryEncoding } from './category-encoding.ts';
import { LAYER_NAMES, type ModelSpec } from './spec.ts';
import type { LayersModel, Tf } from './tf.ts';

export interface BuildOptions {
  /** Initialisation seed: same seed, same weights. */
  seed: number;
  /** The model's name (default `base_model`). */
  name?: string;
}

/** A 31-bit seed for one weight, from the build seed and the weight's name. */
export function weightSeed(seed: number, weight: string): number {
  return createHash('sha256').update(`${seed}/${weight}`).digest().readUInt32BE(0) >>> 1;
}

export function buildBaseModel(tf: Tf, spec: ModelSpec, opts: BuildOptions): LayersModel {
  const { seed } = opts;
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed: expected an integer, received ${seed}`);
  // Keras' defaults, explicitly: glorot_uniform kernels (TF.js's own default is glorotNormal), zero biases,
  // uniform(-0.05, 0.05) embeddings.
  const glorot = (weight: string) => tf.initializers.glorotUniform({ seed: weightSeed(seed, weight) });
  const inputs = spec.inputs.map((i) => tf.input({ name: i.name, shape: [1], dtype: i.kind === 'numeric' ? 'float32' : 'int32' }));
  const encoded = spec.inputs.map((i, k) => {
    const input = inputs[k]!;
    if (i.kind === 'numeric') return input;
    if (i.kind === 'onehot') return categoryEncoding(tf, { name: LAYER_NAMES.onehot(i.name), numTokens: i.width, outputMode: 'oneHot' }).apply(input) as typeof input;
    const name = LAYER_NAMES.embedding(i.name);
    const embedded = tf.layers.embedding({
      name, inputDim: i.rows, outputDim: i.dim, maskZero: false,
      embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: weightSeed(seed, `${name}/embeddings`) }),
    }).apply(input);
    return tf.layers.flatten({ name: LAYER_NAMES.flatten(i.name) }).apply(embedded) as typeof input;
  });
  // Keras' Concatenate needs two inputs or more.
  let x = encoded.length > 1 ? tf.layers.concatenate({ name: LAYER_NAMES.concat, axis: -1 }).apply(encoded) as (typeof encoded)[number] : encoded[0]!;
  spec.hiddenUnits.forEach((units, i) => {
    const name = LAYER_NAMES.hidden(i);
    x = tf.layers.dense({ name, units, activation: 'relu', kernelInitializer: glorot(`${name}/kernel`), biasInitializer: 'zeros' }).apply(x) as typeof x;
  });
  const logits = tf.layers.dense({ name: LAYER_NAMES.logits, units: 1, kernelInitializer: glorot(`${LAYER_NAMES.logits}/kernel`), biasInitializer: 'zeros' }).apply(x) as typeof x;
  const output = tf.layers.activation({ name: LAYER_NAMES.output, activation: 'sigmoid' }).apply(logits) as typeof x;
  return tf.model({ name: opts.name ?? 'base_model', inputs, outputs: output });
}
