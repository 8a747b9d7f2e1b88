// The continuous-training demo's contract: its options and what it returns (one record per step, the three
// properties checked on them). `formalize demo continuous-training --json` prints the result as this schema.
import { z } from 'zod';
import { MAX_STEPS } from './world.ts';

export const continuousTrainingOptionsSchema = z.object({
  /** K: successive runs. */
  steps: z.int().min(2).max(MAX_STEPS),
  /** The first drifted step; the drift stays on from there. */
  driftStep: z.int().min(2),
  /** Trips of the first batch; step k's batch has rows * growth^(k-1). */
  rows: z.int().min(1000).max(10_000_000),
  growth: z.number().min(1).max(4),
  /** Trips drawn for the holdout (about two thirds pass the feature filters; its test split, a tenth, is scored). */
  holdoutRows: z.int().min(1000).max(10_000_000),
  seed: z.int().min(0).max(1_000_000_000),
  /** Tuning trials (max_trial_count) when tuning runs. */
  trials: z.int().min(1).max(64),
  /** Fresh pipeline root: warehouse, metadata store (with the model registry) and runs. */
  root: z.string().min(1),
}).refine((o) => o.driftStep <= o.steps, { message: 'the drift step must be one of the steps (at most --steps)', path: ['driftStep'] });

export type ContinuousTrainingOptions = z.infer<typeof continuousTrainingOptionsSchema>;

const auc = z.number().min(0).max(1);
const distance = z.object({ feature: z.string(), value: z.number() }).nullable();

export const stepRecordSchema = z.object({
  step: z.int(),
  batch: z.object({ table: z.string(), rows: z.int(), seed: z.int(), drifted: z.boolean() }),
  /** Rows of the dataset the step trained on (after the feature filters), per split. */
  datasetRows: z.object({ train: z.int(), val: z.int(), test: z.int() }),
  tuning: z.object({
    action: z.enum(['search', 'fine_tune', 'reuse']),
    reason: z.string(),
    driftDetected: z.boolean(),
    /** Distances of the step's statistics from those the hyperparameters in use were tuned on. */
    distances: z.record(z.string(), z.number()),
    maxCategorical: distance,
    maxNumeric: distance,
    hyperparameters: z.object({ learning_rate: z.number(), batch_size: z.int() }).loose(),
  }),
  candidate: z.object({
    uri: z.string(),
    valAuc: auc,
    /** On the step's own test split (evaluate). */
    testAuc: auc,
    /** On the fixed holdout, scored here through the model's bundled transform. */
    holdoutAuc: auc,
  }),
  registry: z.object({
    isNewBest: z.boolean(),
    decision: z.string(),
    pValue: z.number(),
    aucDelta: z.number(),
    version: z.int(),
    /** The rows the champion/challenger comparison scored ('holdout' in the demo); null without a champion. */
    comparedOn: z.enum(['holdout', 'test']).nullable(),
    /** AUCs the registry computed there (null without a champion). */
    aucCandidate: auc.nullable(),
    aucChampion: auc.nullable(),
  }),
  best: z.object({
    version: z.int(),
    resourceName: z.string(),
    /** The registry's best model after the step, scored on the holdout here. */
    holdoutAuc: auc,
  }),
  runs: z.object({ data: z.string(), training: z.string(), model: z.string().optional() }),
  seconds: z.number(),
});

export type StepRecord = z.infer<typeof stepRecordSchema>;

export const PROPERTY_NAMES = ['retune-only-at-drift', 'best-holdout-auc-never-decreases', 'later-candidate-beats-first'] as const;

export const propertySchema = z.object({ name: z.enum(PROPERTY_NAMES), holds: z.boolean(), detail: z.string() });
export type Property = z.infer<typeof propertySchema>;

export const demoResultSchema = z.object({
  options: continuousTrainingOptionsSchema,
  holdout: z.object({ table: z.string(), rows: z.int(), seed: z.int(), dataset: z.string() }),
  steps: z.array(stepRecordSchema),
  properties: z.array(propertySchema),
  ok: z.boolean(),
  seconds: z.number(),
});

export type DemoResult = z.infer<typeof demoResultSchema>;
