// The training loop shared by the train component, tuning trials and the benchmark. Train mode: up to `epochs`
// passes over the train split through the feeder, validation after each (exact metrics), early stopping on
// val_loss with the best weights restored, failure to learn detected. Warmup mode (the seed's warmup): a fixed
// number of steps per epoch at the seed's linear learning-rate ramp, no validation. Every epoch's scalars go
// to TensorBoard and (when tuning) to the hypertune metrics file; the feedback policy, if any, steers the feeder.
import type { Hyperparameters } from '@formalize/common/hyperparameters';
import type { EventWriter } from '@formalize/common/tfevents';
import type { Feeder, FeedbackPolicy, SplitColumns } from '../feeder/index.ts';
import { checkLearned, EarlyStopping } from './early-stopping.ts';
import type { HypertuneReporter } from './hypertune.ts';
import { binaryMetrics, crossEntropyFromLogits, lossByStratum } from './metrics.ts';
import { warmupSchedule } from './schedule.ts';
import type { Trainer } from './trainer.ts';

export type TrainMode = 'train' | 'warmup';

export interface EpochRecord {
  epoch: number;
  loss: number;
  accuracy: number;
  auc: number;
  val_loss?: number;
  val_accuracy?: number;
  val_auc?: number;
  learning_rate: number;
  /** The batch size the epoch was drawn with. */
  batch_size: number;
  steps: number;
  rows: number;
  seconds: number;
}

export interface LoopProgress {
  progress(label: string, done: number, total?: number): void;
  info(message: string, fields?: Record<string, unknown>): void;
}

export interface TrainLoopOptions {
  mode: TrainMode;
  trainer: Trainer;
  feeder: Feeder;
  hyperparameters: Hyperparameters;
  /** Required in train mode. Its strata are the slice values the policy weighs. */
  validation?: SplitColumns;
  events?: EventWriter;
  hypertune?: HypertuneReporter;
  policy?: FeedbackPolicy;
  /** Whether the feeder's strata are a slice column's values (the policy reweights only those). */
  sliced?: boolean;
  log?: LoopProgress;
  signal?: AbortSignal;
  /** Names the run in the failure-to-learn message. */
  context?: string;
  /** Called after each epoch is recorded (checkpoints). */
  onEpoch?: (record: EpochRecord) => Promise<void>;
}

export interface TrainLoopResult {
  history: EpochRecord[];
  /** The epoch whose weights the trainer holds now (train: the best; warmup: the last). */
  bestEpoch: number;
  /** The record of that epoch. */
  best: EpochRecord;
  stoppedEarly: boolean;
  seconds: number;
}

/** Grows a Float32Array buffer by doubling (train logits and labels of an epoch of unknown length). */
class Growing {
  data = new Float32Array(1024);
  length = 0;
  push(xs: ArrayLike<number>): void {
    if (this.length + xs.length > this.data.length) {
      const next = new Float32Array(Math.max(this.data.length * 2, this.length + xs.length));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(xs as Float32Array, this.length);
    this.length += xs.length;
  }
  view(): Float32Array {
    return this.data.subarray(0, this.length);
  }
}

export async function trainLoop(o: TrainLoopOptions): Promise<TrainLoopResult> {
  const hp = o.hyperparameters;
  if (o.mode === 'train' && !o.validation) throw new Error('trainLoop: train mode needs the validation split');
  const warmup = o.mode === 'warmup';
  const rates = warmup ? warmupSchedule(hp.start_learning_rate ?? hp.learning_rate, hp.learning_rate, hp.epochs) : undefined;
  const steps = warmup ? hp.steps : undefined;
  const stop = new EarlyStopping(hp.early_stop.patience);
  const history: EpochRecord[] = [];
  const rowsPerPass = await o.feeder.rowsPerPass();
  const started = performance.now();
  let stoppedEarly = false;
  // The training label rate (first epoch): the constant prediction a model must beat to have learned anything.
  let labelRate: number | undefined;
  for (let epoch = 1; epoch <= hp.epochs; epoch++) {
    o.signal?.throwIfAborted();
    const lr = rates ? rates[epoch - 1]! : hp.learning_rate;
    const logits = new Growing();
    const labels = new Growing();
    const t0 = performance.now();
    let step = 0;
    const batchSize = o.feeder.batchSize;
    const total = steps ?? Math.ceil(rowsPerPass / batchSize);
    for await (const batch of o.feeder.epoch(steps ? { steps } : {})) {
      logits.push(o.trainer.step(batch, lr));
      labels.push(batch.labels);
      o.log?.progress(`epoch ${epoch} steps`, ++step, total);
      if (o.signal?.aborted) break;
    }
    o.signal?.throwIfAborted();
    labelRate ??= labels.view().reduce((a, y) => a + y, 0) / labels.length;
    const train = binaryMetrics(logits.view(), labels.view());
    const record: EpochRecord = {
      epoch, loss: train.loss, accuracy: train.accuracy, auc: train.auc, learning_rate: lr, batch_size: batchSize,
      steps: step, rows: labels.length, seconds: 0,
    };
    let valLogits: Float32Array | undefined;
    if (o.validation) {
      valLogits = o.trainer.logits(o.validation);
      const val = binaryMetrics(valLogits, o.validation.labels);
      Object.assign(record, { val_loss: val.loss, val_accuracy: val.accuracy, val_auc: val.auc });
    }
    record.seconds = (performance.now() - t0) / 1000;
    history.push(record);
    writeScalars(o.events, record);
    await o.events?.flush();
    if (o.hypertune && record.val_loss !== undefined) {
      await o.hypertune.report('val_loss', record.val_loss, epoch);
      if (record.val_auc !== undefined) await o.hypertune.report('val_auc', record.val_auc, epoch);
    }
    o.log?.info('epoch', { ...record });
    o.log?.progress('epochs', epoch, hp.epochs);
    await o.onEpoch?.(record);
    if (!warmup) {
      if (stop.update(epoch, record.val_loss!, () => o.trainer.snapshot())) {
        stoppedEarly = epoch < hp.epochs;
        break;
      }
      // Diverged: nothing later can improve on NaN weights.
      if (!Number.isFinite(record.loss) && !Number.isFinite(record.val_loss!)) break;
    }
    if (o.policy && epoch < hp.epochs) {
      const feedback = o.policy.observe({
        epoch, valLoss: record.val_loss ?? record.loss, batchSize: o.feeder.batchSize,
        ...(o.sliced && o.validation && valLogits && {
          lossBySlice: lossByStratum(valLogits, o.validation.labels, o.validation.strata),
          sliceRows: o.feeder.strata(),
        }),
      });
      if (feedback) {
        o.feeder.feedback(feedback);
        o.log?.info('feeder feedback', { policy: o.policy.name, epoch, ...feedback });
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  if (warmup) {
    o.trainer.sync();
    return { history, bestEpoch: history.length, best: history.at(-1)!, stoppedEarly: false, seconds };
  }
  checkLearned(stop, history.map((h) => h.val_loss!), o.context ?? `lr ${hp.learning_rate}, batch ${hp.batch_size}`, priorOf(labelRate!, o.validation!.labels));
  o.trainer.restore(stop.bestWeights!);
  o.trainer.sync();
  return { history, bestEpoch: stop.bestEpoch, best: history[stop.bestEpoch - 1]!, stoppedEarly, seconds };
}

/** val_loss of always predicting `rate` (clipped off 0 and 1, where the loss is infinite). */
function priorOf(rate: number, labels: Float32Array): { rate: number; loss: number } {
  const q = Math.min(Math.max(rate, 1e-7), 1 - 1e-7);
  return { rate, loss: crossEntropyFromLogits(new Float64Array(labels.length).fill(Math.log(q / (1 - q))), labels) };
}

const SCALARS = ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'auc', 'val_auc', 'learning_rate', 'batch_size'] as const;

function writeScalars(events: EventWriter | undefined, r: EpochRecord): void {
  if (!events) return;
  for (const tag of SCALARS) {
    const v = r[tag];
    if (v !== undefined) events.scalar(tag, v, r.epoch);
  }
}
