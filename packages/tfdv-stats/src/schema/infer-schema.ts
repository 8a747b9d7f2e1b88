// tfdv.infer_schema and tfdv.update_schema: a schema from statistics, and an existing schema grown to fit more
// statistics (TFX SchemaGen infers from the train split, then updates with the others).
import { clone, create, isMessage } from '@bufbuild/protobuf';
import { fieldError, parseField } from '@formalize/common';
import { z } from 'zod';
import { type DatasetFeatureStatistics, DatasetFeatureStatisticsSchema, type Schema, SchemaSchema } from '../protos.ts';
import { type StatisticsInput, defaultDataset } from '../validate/default-dataset.ts';
import { SchemaModel } from '../validate/schema-model.ts';
import { DatasetStatsView } from '../validate/stats-view.ts';
import { Updater } from '../validate/updater.ts';

const maxStringDomainSize = z.number().int().nonnegative().default(100);

export const inferSchemaOptionsSchema = z
  .object({
    /** Infer `shape` for features that always have the same number of values (else value_count). */
    inferFeatureShape: z.boolean().default(true),
    /** A string feature with at most this many distinct values gets a string domain. */
    maxStringDomainSize,
  })
  .strict();

export const updateSchemaOptionsSchema = z.object({ maxStringDomainSize }).strict();

export type InferSchemaOptions = z.input<typeof inferSchemaOptionsSchema>;
export type UpdateSchemaOptions = z.input<typeof updateSchemaOptionsSchema>;

function updated(schema: Schema, dataset: DatasetFeatureStatistics, label: string, enumThreshold: number, inferFeatureShape: boolean): Schema {
  const byWeight = new DatasetStatsView(dataset, { byWeight: false, environment: undefined }, label).weightedStatisticsExist();
  const model = new SchemaModel(schema);
  model.update(new DatasetStatsView(dataset, { byWeight, environment: undefined }, label), new Updater({ enumThreshold, inferFeatureShape, severityOverrides: [] }));
  return model.toSchema();
}

/**
 * Infers a schema as tfdv.infer_schema does: types, presence, shape or value counts, and bool / int / string
 * domains (string domains are top-level, named after the feature, values in byte order).
 */
export function inferSchema(statistics: StatisticsInput, options: InferSchemaOptions = {}): Schema {
  const opts = parseField(inferSchemaOptionsSchema, options, 'options');
  const { dataset, label } = defaultDataset(statistics, 'statistics');
  // Sparse and weighted features only have custom stats: nothing useful can be inferred from them.
  const withStats = clone(DatasetFeatureStatisticsSchema, dataset);
  withStats.features = withStats.features.filter((f) => f.stats.case !== undefined);
  return updated(create(SchemaSchema), withStats, label, opts.maxStringDomainSize, opts.inferFeatureShape);
}

/**
 * Updates a schema to fit statistics as tfdv.update_schema does: new features are added (never with a shape),
 * constraints the data violates are loosened, string domains gain the new values (appended in byte order), and
 * required features the statistics lack are deprecated.
 */
export function updateSchema(schema: Schema, statistics: StatisticsInput, options: UpdateSchemaOptions = {}): Schema {
  const opts = parseField(updateSchemaOptionsSchema, options, 'options');
  if (!isMessage(schema, SchemaSchema)) throw fieldError('schema', 'a Schema message', (schema as { $typeName?: unknown } | undefined)?.$typeName ?? schema);
  const { dataset, label } = defaultDataset(statistics, 'statistics');
  return updated(schema, dataset, label, opts.maxStringDomainSize, false);
}
