// The seam between the study and the code that trains one trial. A trial module exports `trainTrial`, which trains
// the base model with the trial's hyperparameters (with early stopping) and resolves to the validation metrics of
// its best epoch. It runs in a worker thread or child process (see trial-runner.ts), so everything it receives is
// plain JSON and it reports either by resolving or, Vertex-style, through the hypertune metrics file.
import { z } from 'zod';

/** An input artifact as a trial sees it: plain data, so it crosses a thread or process boundary. */
export interface ArtifactRef {
  uri: string;
  /** Local path of `uri`. */
  path: string;
  metadata: Record<string, unknown>;
}

export interface TrialRequest {
  /** Trial id within the study: "1", "2", ... (Vertex trial ids are strings too). */
  trialId: string;
  /** The full hyperparameter set to train with: the trial's suggestion over the study's fixed settings. */
  hyperparameters: Record<string, unknown>;
  dataset: ArtifactRef;
  baseModel: ArtifactRef;
  /** Folder the trial may write to (logs, checkpoints); removed with the study's scratch space. */
  workDir: string;
  seed: number;
}

export interface TrialContext extends TrialRequest {
  /** Aborted when the study is cancelled: stop training and reject. */
  signal: AbortSignal;
}

// NaN and infinities are values here, not errors: a diverged trial reports them and is recorded as INFEASIBLE.
const metricValue = z.custom<number>((v) => typeof v === 'number', 'expected a number');

/** What a trial reports: validation metrics of the restored (best) epoch. Extra metrics are kept. */
export const trialMetricsSchema = z.looseObject({
  val_loss: metricValue,
  val_auc: metricValue.optional(),
  epochs: z.int().nonnegative().optional(),
});
export type TrialMetrics = z.infer<typeof trialMetricsSchema>;

/** Resolves to the metrics, or to nothing when the trial reported them through the hypertune metrics file. */
export type TrainTrial = (ctx: TrialContext) => Promise<TrialMetrics | void>;

/**
 * Thrown (or any error with `infeasible: true`) by a trial whose hyperparameters cannot work, e.g. training that
 * diverges or never improves on its first epoch. The study records it as INFEASIBLE and tells the sampler the point
 * is as bad as the worst trial so far, instead of ignoring it as it ignores a crash.
 */
export class InfeasibleTrialError extends Error {
  override name = 'InfeasibleTrialError';
  readonly infeasible = true;
}

export const isInfeasible = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && ((err as { infeasible?: unknown }).infeasible === true || (err as Error).name === 'InfeasibleTrialError');
