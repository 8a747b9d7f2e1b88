// Statistics options: TFDV's `StatsOptions` defaults (stats_options.py), plus how a warehouse table maps to
// features. The schema is the single source of the defaults; `generateStatistics` parses its input with it.
import { z } from 'zod';

export const statsOptionsSchema = z.object({
  /** Length of `top_values`. */
  numTopValues: z.int().min(0).default(20),
  /** Top-k and rank-histogram entries need at least this many occurrences. */
  frequencyThreshold: z.number().min(0).default(1),
  /** The same for the weighted top-k / rank histogram. */
  weightedFrequencyThreshold: z.number().min(0).default(1),
  /** Length of `rank_histogram`. */
  numRankHistogramBuckets: z.int().min(0).default(1000),
  /** Buckets of the QUANTILES `num_values_histogram`. */
  numValuesHistogramBuckets: z.int().min(2).default(10),
  /** Buckets of the STANDARD (equal-width) numeric histogram. */
  numHistogramBuckets: z.int().min(1).default(10),
  /** Buckets of the QUANTILES numeric histogram. */
  numQuantilesHistogramBuckets: z.int().min(1).default(10),
  /** A numeric column whose value weighs each example: adds TFDV's weighted statistics. */
  weightFeature: z.string().min(1).optional(),
  /** Only these columns become features (TFDV `feature_allowlist`); default all. */
  featureAllowlist: z.array(z.string().min(1)).optional(),
  /** INT columns reported as categorical (`string_stats`), as a schema's `int_domain.is_categorical` declares. */
  categoricalFeatures: z.array(z.string().min(1)).default([]),
  /**
   * SQL NULL is an empty value list (present, 0 values) instead of missing: the data came from tf.Examples, as
   * TFX CSV ExampleGen >= 0.23 writes empty cells. Default false: `generate_statistics_from_dataframe` semantics.
   */
  nullAsEmptyList: z.boolean().default(false),
  /**
   * Up to this many distinct values (estimated on a block sample), a numeric feature's quantiles come from the
   * exact GROUP BY summary (identical to TFDV's sketch wherever that sketch is exact, <= 6,001 distinct values);
   * above it from the exact summary of a uniform sample of 100,000 values (rank error <= 1% but with probability
   * 4e-9). Counts, extremes and moments stay exact. Weighted and list features always use the exact summary.
   */
  exactQuantilesMaxDistinct: z.int().min(0).default(100_000),
});

export type StatsOptionsInput = z.input<typeof statsOptionsSchema>;
export type StatsOptions = z.output<typeof statsOptionsSchema>;

/** TFDV asks its sketch for 100 x num_quantiles_histogram_buckets quantiles and derives both histograms from them. */
export const QUANTILES_FACTOR = 100;
