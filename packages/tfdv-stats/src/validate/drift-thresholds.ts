// Drift thresholds: zod and nothing else, so a component contract can declare them without loading protobuf.
import { z } from 'zod';

// TFDV and TFX have no default thresholds (a comparator only runs once one is set), so these are the
// project's defaults.
export const DEFAULT_CATEGORICAL_L_INFINITY = 0.1;
export const DEFAULT_NUMERIC_JENSEN_SHANNON = 0.1;

export const driftThresholdsSchema = z
  .object({
    /** Threshold on the L-infinity distance for categorical (string or categorical int) features. */
    categoricalLInfinity: z.number().nonnegative().default(DEFAULT_CATEGORICAL_L_INFINITY),
    /** Threshold on the Jensen-Shannon divergence (in [0, 1]) for numeric features. */
    numericJensenShannon: z.number().min(0).max(1).default(DEFAULT_NUMERIC_JENSEN_SHANNON),
    /** Per-feature thresholds by serialized feature path (e.g. "company", "parent.child"), for that feature's metric. */
    features: z.record(z.string(), z.number().nonnegative()).default({}),
  })
  .strict();

export type DriftThresholds = z.input<typeof driftThresholdsSchema>;
