// Keras' EarlyStopping(monitor="val_loss", mode="min", min_delta=0, patience, restore_best_weights=True), with
// the restore TF.js' EarlyStopping callback lacks: an epoch improves when its val_loss is below the best so far
// (NaN never improves), the best epoch's weights are kept, and training stops once `patience` epochs in a row
// did not improve. The same record decides failure to learn: a run whose val_loss never improved on its first
// epoch (or was never a number) did not learn.
import type { WeightSnapshot } from './trainer.ts';

export class EarlyStopping {
  private readonly patience: number;
  private wait = 0;
  best = Number.POSITIVE_INFINITY;
  /** 1-based epoch of the best val_loss; 0 before any finite one. */
  bestEpoch = 0;
  bestWeights: WeightSnapshot | undefined;

  constructor(patience: number) {
    this.patience = patience;
  }

  /** Records an epoch; returns true when training should stop. `weights` is called only on an improvement. */
  update(epoch: number, valLoss: number, weights: () => WeightSnapshot): boolean {
    this.wait++;
    if (valLoss < this.best) {
      this.best = valLoss;
      this.bestEpoch = epoch;
      this.bestWeights = weights();
      this.wait = 0;
    }
    return this.wait >= this.patience && epoch > 1;
  }
}

export class FailureToLearnError extends Error {
  override name = 'FailureToLearnError';
  /** The tune component records such a trial as INFEASIBLE. */
  readonly infeasible = true;
}

/** A model must beat the constant prediction (the training label rate) by this share of its loss to have learned. */
export const MIN_GAIN_OVER_PRIOR = 0.01;

/**
 * Throws FailureToLearnError when the run did not learn: its val_loss never improved on its first epoch (the
 * seed's criterion) or never was a number, or its best val_loss is not MIN_GAIN_OVER_PRIOR below `priorLoss`,
 * the val_loss of always predicting the training label rate (nothing was learned from the features).
 */
export function checkLearned(stop: EarlyStopping, valLosses: readonly number[], context: string, prior?: { rate: number; loss: number }): void {
  const epochs = valLosses.length;
  if (stop.bestEpoch === 0) {
    throw new FailureToLearnError(`failure to learn: val_loss was ${valLosses.map(String).join(', ')} over ${epochs} epoch(s), never a finite number: training diverged (${context}); lower the learning rate`);
  }
  if (epochs > 1 && stop.bestEpoch === 1) {
    throw new FailureToLearnError(`failure to learn: val_loss never improved on the first epoch's ${valLosses[0]!.toPrecision(6)} over ${epochs} epochs (${context}); check the learning rate and that the label is learnable from the features`);
  }
  if (prior && !(stop.best < prior.loss * (1 - MIN_GAIN_OVER_PRIOR))) {
    throw new FailureToLearnError(`failure to learn: the best val_loss ${stop.best.toPrecision(6)} (epoch ${stop.bestEpoch} of ${epochs}) is no better than always predicting the training label rate ${prior.rate.toPrecision(4)} (val_loss ${prior.loss.toPrecision(6)}): nothing was learned from the features (${context}); check the learning rate and that the label is learnable from the features`);
  }
}
