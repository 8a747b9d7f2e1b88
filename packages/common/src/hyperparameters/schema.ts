// The training hyperparameters as one zod schema (the contract between tuning, which finds them, training,
// which uses them, and ML Metadata, which keeps them), the documented defaults, and overrides.
import { z } from 'zod';
import { parseField } from '../executor/errors.ts';

export const earlyStopSchema = z.strictObject({
  /** Only val_loss: the seed's monitor, and the metric tuning minimises. */
  monitor: z.literal('val_loss'),
  /** Epochs without a val_loss improvement before training stops (Keras EarlyStopping `patience`). */
  patience: z.int().min(0).max(10_000),
});

export const hyperparametersSchema = z.strictObject({
  /** Adam's learning rate; in warmup, the rate the ramp heads for (the seed's `end_learning_rate`). */
  learning_rate: z.number().positive().max(1e6),
  /** Rows per training step. */
  batch_size: z.int().min(1).max(1 << 20),
  /** Maximum epochs (train) or the ramp's length (warmup). */
  epochs: z.int().min(1).max(100_000),
  early_stop: earlyStopSchema,
  /** Warmup: the rate of the first epoch. */
  start_learning_rate: z.number().positive().max(1e6).optional(),
  /** Warmup: steps per epoch (the data is cycled). */
  steps: z.int().min(1).max(100_000_000).optional(),
});

export type Hyperparameters = z.output<typeof hyperparametersSchema>;
export type EarlyStop = z.output<typeof earlyStopSchema>;

/**
 * The seed's defaults (task.py flags and trainparams): lr 0.001, batch 16, 20 epochs, early stop on val_loss
 * with patience 5, warmup from 0.0001 over 200 steps per epoch. Kept as the seed has them so an untuned run
 * reproduces the seed's training; tuning (lr log-uniform 0.001-0.1, batch 16-256) replaces them per model family.
 */
export const DEFAULT_HYPERPARAMETERS: Readonly<Hyperparameters> = Object.freeze({
  learning_rate: 0.001,
  batch_size: 16,
  epochs: 20,
  early_stop: Object.freeze({ monitor: 'val_loss', patience: 5 }),
  start_learning_rate: 0.0001,
  steps: 200,
}) as Readonly<Hyperparameters>;

/** Explicit values that win over the tuned or default set; `early_stop` may name only some of its fields. */
export const hyperparameterOverridesSchema = hyperparametersSchema.extend({ early_stop: earlyStopSchema.partial() }).partial();
export type HyperparameterOverrides = z.input<typeof hyperparameterOverridesSchema>;

/** Validates a hyperparameter set; a bad field fails with a ContractError naming it (`field` prefixes the path). */
export function parseHyperparameters(value: unknown, field = 'hyperparameters'): Hyperparameters {
  return parseField(hyperparametersSchema, value, field);
}

/**
 * `base` with `overrides` applied (deeply for early_stop), validated; also returns the names of the fields
 * overridden. `field` names the overrides in errors.
 */
export function applyOverrides(base: Hyperparameters, overrides: unknown = {}, field = 'hyperparameters'): { hyperparameters: Hyperparameters; overridden: string[] } {
  const o = parseField(hyperparameterOverridesSchema, overrides, field);
  const overridden = Object.entries(o).filter(([, v]) => v !== undefined).flatMap(([k, v]) =>
    k === 'early_stop' ? Object.keys(v as object).map((f) => `early_stop.${f}`) : [k]);
  const { early_stop: stop, ...rest } = o;
  const merged = { ...base, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)), early_stop: { ...base.early_stop, ...stop } };
  return { hyperparameters: parseHyperparameters(merged, field), overridden };
}
