// The feeder's options and the feedback it accepts, as zod schemas: the one definition of what is valid.
import { z } from 'zod';

/** Weights over stratum values (label values, or a slice column's vocabulary indices), as decimal strings. */
const STRATUM = /^-?(0|[1-9][0-9]*)$/;
export const stratumWeightsSchema = z.record(z.string(), z.number().min(0).max(1e9)).superRefine((w, ctx) => {
  for (const k of Object.keys(w)) {
    if (!STRATUM.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'expected an integer value as the key (a label value or a vocabulary index)', input: k });
  }
  if (!Object.values(w).some((v) => v > 0)) ctx.addIssue({ code: 'custom', message: 'expected at least one positive weight', input: w });
});
export type StratumWeights = z.output<typeof stratumWeightsSchema>;

const batchSize = z.int().min(1).max(1 << 20);
const prefetch = z.int().min(0).max(4096);

export const feederSourceSchema = z.strictObject({
  /** The shard files of this copy, in shard order. */
  shards: z.array(z.string().min(1)).min(1),
  /** A name for the copy in stats and logs (default `source-<i>`). */
  mirror: z.string().min(1).optional(),
});

export const feederSettingsSchema = z.strictObject({
  /** Copies of the same shards (mirrors); every copy lists the same number of shards. */
  sources: z.array(feederSourceSchema).min(1).superRefine((sources, ctx) => {
    const n = sources[0]!.shards.length;
    sources.forEach((s, i) => {
      if (s.shards.length !== n) ctx.addIssue({ code: 'custom', path: [i, 'shards'], message: `expected ${n} shards (as sources[0]): mirrors hold the same shards`, input: s.shards });
    });
    const names = sources.map((s, i) => s.mirror ?? `source-${i}`);
    names.forEach((m, i) => {
      if (names.indexOf(m) !== i) ctx.addIssue({ code: 'custom', path: [i, 'mirror'], message: 'duplicate mirror name', input: m });
    });
  }),
  batchSize,
  /** Batches of decoded rows read ahead of the training loop. */
  prefetch: prefetch.default(4),
  /** Rows the uniform shuffle draws from (at least one batch is always pooled). */
  shuffleBuffer: z.int().min(0).max(1 << 24).default(8192),
  /** Draw batches by these stratum weights; absent: every row once per epoch. */
  weights: stratumWeightsSchema.optional(),
  /** The column whose values the weights are over (a vocabulary feature); default: the label. */
  sliceColumn: z.string().min(1).optional(),
  seed: z.int().min(0).max(0xffffffff).default(0),
  /** Shards read at once (interleaved). */
  parallelReads: z.int().min(1).max(64).default(2),
  /** Drop the short batch at the end of an unweighted pass (tf.data's drop_remainder; the seed's drop_final_batch). */
  dropRemainder: z.boolean().default(false),
  /** How long a failed copy gets no new reads. */
  cooldownMs: z.int().min(0).default(30_000),
  /** Rows taken from one open shard before the next one's turn. */
  interleaveRows: z.int().min(1).default(2048),
});
export type FeederSettings = z.input<typeof feederSettingsSchema>;
export type ResolvedFeederSettings = z.output<typeof feederSettingsSchema>;

export const feedbackSchema = z.strictObject({
  batchSize: batchSize.optional(),
  /** New weights; `null` returns to unweighted epochs (every row once). */
  weights: stratumWeightsSchema.nullable().optional(),
  prefetch: prefetch.optional(),
});
export type FeederFeedback = z.input<typeof feedbackSchema>;
