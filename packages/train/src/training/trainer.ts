// What the training loop drives: one optimisation step on a batch, logits for evaluation, weight snapshots for
// early stopping's restore, and the write-back into the Layers model that is saved. Two implementations: the
// fused step (fused-mlp.ts, the fast path for the seed's architecture) and the Layers reference (layers-trainer.ts,
// TF.js' own optimizer over the model graph, for any model).
import type { Column } from '../feeder/index.ts';

/** Rows as the feeder delivers them: feature columns by input name, 0/1 labels. */
export interface Rows {
  readonly size: number;
  readonly features: Readonly<Record<string, Column>>;
  readonly labels: Float32Array;
}

/** A copy of every trainable weight, outside TF.js (no tensors to dispose). */
export interface WeightSnapshot {
  readonly arrays: readonly Float32Array[];
}

export interface Trainer {
  readonly kind: 'fused' | 'layers';
  /** One Adam step on the batch at `learningRate`; returns the batch's logits before the update. */
  step(batch: Rows, learningRate: number): Float32Array;
  /** Logits of the rows under the current weights. */
  logits(rows: Omit<Rows, 'labels'>): Float32Array;
  snapshot(): WeightSnapshot;
  restore(snapshot: WeightSnapshot): void;
  /** Writes the current weights into the Layers model (before it is saved or used elsewhere). */
  sync(): void;
  dispose(): void;
}

/** Rows [start, end) of `rows`, as views. */
export function sliceRows<R extends Omit<Rows, 'labels'>>(rows: R, start: number, end: number): Omit<Rows, 'labels'> {
  const features: Record<string, Column> = {};
  for (const [k, v] of Object.entries(rows.features)) features[k] = v.subarray(start, end);
  return { size: end - start, features };
}
