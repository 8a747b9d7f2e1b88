// What serving needs from a model: its transform (to check and transform raw instances) and a batch scorer.
// The micro-batcher merges the rows of requests that arrive together into one model call, as TF Serving's
// batching does: many small requests then cost about as much as one large one. Each row's score does not
// depend on the other rows of its batch.
import type { TransformArtifact, TransformedRow } from '@formalize/common/transform';

export interface Predictor {
  readonly transform: TransformArtifact;
  /** Probability of the positive class for each row, in order. */
  predict(rows: readonly TransformedRow[]): Promise<Float32Array>;
  /** Facts for logs and the health response (model family, version, backend). */
  readonly description: Record<string, string | number>;
}

export interface BatcherOptions {
  /** Most rows per model call (default 4096); a larger request is one call of its own. */
  maxBatchRows?: number;
}

interface Pending {
  rows: readonly TransformedRow[];
  resolve: (scores: Float32Array) => void;
  reject: (err: unknown) => void;
}

/**
 * `predict` with the rows of concurrent callers merged: one model call runs at a time, and the callers that
 * arrived meanwhile share the next one (up to `maxBatchRows` rows). An idle server adds no delay.
 */
export function createBatcher(predictor: Predictor, options: BatcherOptions = {}): (rows: readonly TransformedRow[]) => Promise<Float32Array> {
  const maxRows = options.maxBatchRows ?? 4096;
  const queue: Pending[] = [];
  let running = false;

  const drain = async () => {
    while (queue.length > 0) {
      // Greedy, in arrival order, until the batch is full (a caller is never split).
      const batch: Pending[] = [queue.shift()!];
      let size = batch[0]!.rows.length;
      while (queue.length > 0 && size + queue[0]!.rows.length <= maxRows) {
        size += queue[0]!.rows.length;
        batch.push(queue.shift()!);
      }
      try {
        const scores = await predictor.predict(batch.length === 1 ? batch[0]!.rows : batch.flatMap((p) => p.rows));
        let offset = 0;
        for (const p of batch) {
          p.resolve(scores.slice(offset, offset + p.rows.length));
          offset += p.rows.length;
        }
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    running = false;
  };

  return (rows) => new Promise<Float32Array>((resolve, reject) => {
    queue.push({ rows, resolve, reject });
    if (!running) {
      running = true;
      // After the current I/O callbacks: requests read in the same turn share the first batch too.
      setImmediate(() => void drain());
    }
  });
}
