// Probabilities for rows, in chunks so a large request or split never holds all its tensors at once.
import { encodeBatch, type ModelRow } from './encode.ts';
import type { ModelSpec } from './spec.ts';
import type { LayersModel, Tensor, Tf } from './tf.ts';

export interface PredictOptions {
  /** Rows encoded and predicted at a time (default 4096). */
  batchSize?: number;
}

/** The model's output for each row: P(label = 1). */
export function predictRows(tf: Tf, model: LayersModel, spec: ModelSpec, rows: readonly ModelRow[], opts: PredictOptions = {}): Float32Array {
  const batchSize = opts.batchSize ?? 4096;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize: expected a positive integer, received ${batchSize}`);
  const missing = model.inputNames.filter((n) => !spec.inputs.some((i) => i.name === n));
  if (missing.length) throw new RangeError(`the model has inputs the spec does not: ${missing.join(', ')} (model and transform artifact do not belong together)`);
  const out = new Float32Array(rows.length);
  for (let at = 0; at < rows.length; at += batchSize) {
    const batch = encodeBatch(tf, spec, rows.slice(at, at + batchSize));
    try {
      const scores = tf.tidy(() => model.predict(model.inputNames.map((n) => batch.xs[n]!)) as Tensor);
      try {
        out.set(scores.dataSync() as Float32Array, at);
      } finally {
        scores.dispose();
      }
    } finally {
      batch.dispose();
    }
  }
  return out;
}
