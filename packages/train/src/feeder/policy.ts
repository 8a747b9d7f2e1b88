// The built-in feedback policy (`adaptive`): what the training loop tells the feeder after each epoch.
// * Grow the batch on a plateau: when val_loss has not improved on its best by `minRelativeImprovement` for
//   `plateauEpochs` epochs, the batch size is multiplied by `growth` (up to `maxBatchSize`). A larger batch
//   lowers the gradient noise, as decaying the learning rate does (Smith et al. 2018, "Don't decay the learning
//   rate, increase the batch size"), and makes epochs cheaper: fewer, larger steps.
// * Up-weight subpopulations with higher loss: with a slice column (a model input such as payment_type), each
//   slice value is drawn with weight share x (loss of the slice / mean loss)^temperature, clipped to
//   [minFactor, maxFactor] x share, from the validation losses per slice. Slices are model inputs, so the
//   model still learns P(label | features) as it is; only where its capacity goes changes. Weights over the
//   label itself would shift the class prior the model learns (and its log loss): the policy never sets them.
import type { FeederFeedback, StratumWeights } from './options.ts';

export interface EpochObservation {
  epoch: number;
  valLoss: number;
  batchSize: number;
  /** Validation cross-entropy and rows per slice value; absent without a slice column. */
  lossBySlice?: ReadonlyMap<number, { loss: number; rows: number }>;
  /** Training rows per slice value in one pass (the natural mix). */
  sliceRows?: Readonly<Record<string, number>>;
}

export interface FeedbackPolicy {
  readonly name: string;
  /** The feedback for the next epoch, or undefined for none. */
  observe(o: EpochObservation): FeederFeedback | undefined;
}

export interface AdaptivePolicyOptions {
  maxBatchSize?: number;
  growth?: number;
  plateauEpochs?: number;
  minRelativeImprovement?: number;
  temperature?: number;
  minFactor?: number;
  maxFactor?: number;
}

export const FEEDER_POLICIES = ['none', 'adaptive'] as const;
export type FeederPolicyName = (typeof FEEDER_POLICIES)[number];

export function adaptivePolicy(opts: AdaptivePolicyOptions = {}): FeedbackPolicy {
  const maxBatchSize = opts.maxBatchSize ?? 1024;
  const growth = opts.growth ?? 2;
  const plateauEpochs = opts.plateauEpochs ?? 2;
  const minImprovement = opts.minRelativeImprovement ?? 1e-3;
  const temperature = opts.temperature ?? 0.5;
  const [lo, hi] = [opts.minFactor ?? 0.5, opts.maxFactor ?? 2];
  let best = Number.POSITIVE_INFINITY;
  let stale = 0;
  return {
    name: 'adaptive',
    observe(o) {
      const feedback: FeederFeedback = {};
      if (o.valLoss < best * (1 - minImprovement)) {
        best = o.valLoss;
        stale = 0;
      } else if (++stale >= plateauEpochs && o.batchSize < maxBatchSize) {
        feedback.batchSize = Math.min(maxBatchSize, Math.round(o.batchSize * growth));
        stale = 0;
      }
      if (o.lossBySlice && o.sliceRows) {
        const weights = sliceWeights(o.lossBySlice, o.sliceRows, temperature, lo, hi);
        if (weights) feedback.weights = weights;
      }
      return Object.keys(feedback).length ? feedback : undefined;
    },
  };
}

/** share x clip((loss / mean loss)^temperature, lo, hi) per slice value present in training. */
export function sliceWeights(lossBySlice: ReadonlyMap<number, { loss: number; rows: number }>, sliceRows: Readonly<Record<string, number>>,
  temperature: number, lo: number, hi: number): StratumWeights | undefined {
  let lossSum = 0;
  let rows = 0;
  for (const { loss, rows: n } of lossBySlice.values()) {
    if (!Number.isFinite(loss)) return undefined;
    lossSum += loss * n;
    rows += n;
  }
  const total = Object.values(sliceRows).reduce((a, b) => a + b, 0);
  if (rows === 0 || total === 0 || lossSum === 0) return undefined;
  const mean = lossSum / rows;
  const weights: StratumWeights = {};
  for (const [value, n] of Object.entries(sliceRows)) {
    if (n === 0) continue;
    const slice = lossBySlice.get(Number(value));
    // A slice without validation rows keeps its natural share.
    const factor = slice ? Math.min(hi, Math.max(lo, (slice.loss / mean) ** temperature)) : 1;
    weights[value] = (n / total) * factor;
  }
  return weights;
}
