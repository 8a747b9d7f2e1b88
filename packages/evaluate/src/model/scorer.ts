// A registered model folder (model.json, weights, transform.json) opened for scoring: transformed rows straight
// into the model, raw rows through the model's own bundled transform first (what serving does). TF.js is loaded
// once per process, on the fastest backend available (`loadTf`).
import { lazy, type Logger } from '@formalize/common';
import type { ModelBundle, Tf } from '@formalize/common/model';
import type { TransformedRow } from '@formalize/common/transform';
import { instanceToRow } from '../serving/instances.ts';
import type { Predictor } from '../serving/predictor.ts';

const modelRuntime = lazy(() => import('@formalize/common/model'));

let tfLoaded: Promise<{ tf: Tf; backend: string }> | undefined;

/** TF.js for this process; the chosen backend is logged once. */
export function processTf(log: Logger): Promise<{ tf: Tf; backend: string }> {
  tfLoaded ??= modelRuntime().then(({ loadTf }) => loadTf({ log: (message, fields) => log.info(message, fields) }));
  return tfLoaded;
}

export interface Scorer {
  readonly dir: string;
  readonly bundle: ModelBundle;
  readonly backend: string;
  /** P(label = 1) of rows already transformed (Parquet split rows, applyTransform output). */
  scoreTransformed(rows: readonly TransformedRow[]): Float32Array;
  /**
   * Raw rows through the bundled transform, then the model. Keys that are not features of this model are
   * ignored (another model's features, the label); a bad value throws naming `rows[i].<feature>`.
   */
  scoreRaw(rows: readonly Record<string, unknown>[]): Float32Array;
  /** The scorer as the prediction server and batch prediction use it. */
  predictor(description?: Record<string, string | number>): Predictor;
  dispose(): void;
}

export async function openScorer(dir: string, log: Logger): Promise<Scorer> {
  const [{ loadModelBundle, predictRows }, { tf, backend }] = await Promise.all([modelRuntime(), processTf(log)]);
  const bundle = await loadModelBundle(tf, dir);
  const score = (rows: readonly TransformedRow[]) => predictRows(tf, bundle.model, bundle.spec, rows);
  return {
    dir,
    bundle,
    backend,
    scoreTransformed: score,
    scoreRaw(rows) {
      const transformed = rows.map((raw, i) => instanceToRow(bundle.transform, raw, `rows[${i}]`, new Set(Object.keys(raw))));
      return score(transformed);
    },
    predictor: (description = {}) => ({
      transform: bundle.transform,
      description: { backend, ...description },
      predict: async (rows) => score(rows),
    }),
    dispose: () => bundle.model.dispose(),
  };
}
