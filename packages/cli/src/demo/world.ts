// The synthetic world the continuous-training demo runs in: which trips each step's batch holds (size, seed, drift)
// and the fixed holdout, all as knobs of the warehouse's taxi-trip generator (`generateTaxiTrips`).
//
// Why a fare surcharge in every batch: the generator draws a tip as a share of the fare, so its label (tip >= 20%
// of the fare) depends on the payment type alone, which a model learns from a few hundred trips; no later model
// could beat the first. A flat fee riders do not tip on makes the label depend on the fare, hence on the trip's
// length and duration: a curve worth 0.04 of AUC over the payment type alone (0.851 -> 0.893 for a lookup table
// by payment type, miles and minutes over 225,000 trips; without the fee both are 0.935), which a model learns
// better from more trips.
// Why batches grow: that is what later candidates improve by (holdout AUC 0.88 at 10,000 trips, 0.90 at
// 160,000), while every batch stays a fresh draw of its regime, so between drifts the statistics stay put; an
// accumulating window would keep moving towards the new regime and cross the drift threshold again.
// Why the drift is a payment mix: a covariate shift (tipping given payment type and fare is unchanged), far beyond
// the L-infinity threshold (0.27 against 0.1), under which a model trained after it still serves the undrifted
// holdout well; card trips, where the tip depends on the fare, become more frequent.
import type { TaxiDrift } from '@formalize/common/warehouse';

/** Trips of every batch and of the holdout start in this year; the data pipeline extracts this year. */
export const WORLD_YEAR = 2015;
/** The flat fee (dollars) added to every fare and never tipped on (trips tipping 20% fall from 23% to 5.5%). */
export const FARE_SURCHARGE = 8;
/** The injected drift: this share of trips is paid by credit card (about a third before). */
export const DRIFTED_CREDIT_CARD_SHARE = 0.6;

/**
 * Drift thresholds of the training pipeline's check since tuning. Categorical: the pipeline's default. Numeric:
 * 0.3, because TFDV's Jensen-Shannon divergence over equi-width histograms (min to max) measures a batch's longest
 * trip more than its distribution: undrifted batches of this one world measured 0.06-0.15 on trip_miles (heavy
 * tailed), so the default 0.1 would retune on noise. The drift injected is categorical.
 */
export const DRIFT_THRESHOLDS = { categorical: 0.1, numeric: 0.3 } as const;

/** Where the demo's source tables live in the warehouse (not the data pipeline's own project). */
export const SOURCE_PROJECT = 'synthetic-trips';
export const SOURCE_DATASET = 'continuous_training';

export interface Batch {
  step: number;
  table: string;
  rows: number;
  seed: number;
  drifted: boolean;
  drift: TaxiDrift;
}

const undrifted = (): TaxiDrift => ({ year: WORLD_YEAR, shift: { fare: FARE_SURCHARGE } });

/** Step `step`'s batch: `rows * growth^(step - 1)` trips (rounded), its own seed, the drift from `driftStep` on. */
export function batchOf(step: number, o: { rows: number; growth: number; seed: number; driftStep: number }): Batch {
  const drifted = step >= o.driftStep;
  const drift = undrifted();
  if (drifted) drift.mix = { payment_type: { 'Credit Card': DRIFTED_CREDIT_CARD_SHARE } };
  return { step, table: `${SOURCE_PROJECT}.${SOURCE_DATASET}.batch_${step}`, rows: Math.round(o.rows * o.growth ** (step - 1)), seed: batchSeed(o.seed, step), drifted, drift };
}

/** The holdout: drawn once, from the undrifted world, with a seed no batch uses. */
export function holdoutOf(o: { rows: number; seed: number }): Omit<Batch, 'step' | 'drifted'> {
  return { table: `${SOURCE_PROJECT}.${SOURCE_DATASET}.holdout`, rows: o.rows, seed: batchSeed(o.seed, 0), drift: undrifted() };
}

// Seeds of one demo seed are `seed * 1000 + step` (holdout: + 0): distinct for steps below 1000.
export const MAX_STEPS = 999;
function batchSeed(seed: number, step: number): number {
  return seed * 1000 + step;
}
