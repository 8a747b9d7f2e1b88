// The formalization data pipeline (`data-preprocessing`, the seed's "Prepare the dataset"): extract one year of
// Chicago taxi trips into a project table with the feature SQL, compute TFDV statistics and the schema, check them,
// split and transform into Parquet with a transform artifact for training and serving, and register the result
// as a tabular dataset whose metadata the model-build and training pipelines read.
//
// Differences from the seed, on purpose: the dataset points at the processed table (the seed registered the public
// one); the data locations (transformed data, transform artifacts, exported JSONL, statistics, schema) are the KFP
// artifacts of this run under the pipeline root instead of bucket-path parameters, so a re-run never overwrites
// the data an earlier model was trained on; and the year defaults to one the shipped sample has (2013-2016).
// Continuous training passes `vocabulary_source` (the first run's transform) so new batches keep the vocabularies,
// and with them the input shapes, of the base model built for the first.
import { z } from 'zod';
import { artifact } from '@formalize/common';
import { fromContract, pipeline } from '@formalize/dsl';
import { extract, tabularDatasetCreate } from '@formalize/bq-extract';
import { preprocess } from '@formalize/dataflow-preprocess';
import { stats, validate } from '@formalize/tfdv-stats';

const extractOp = fromContract(extract);
const statsOp = fromContract(stats);
const validateOp = fromContract(validate);
const preprocessOp = fromContract(preprocess);
const datasetOp = fromContract(tabularDatasetCreate);

export default pipeline({
  name: 'data-preprocessing',
  description: 'Prepare the dataset',
  inputs: {
    bq_table: z.string().default('bq://bigquery-public-data.chicago_taxi_trips.taxi_trips').describe('Source table of the trips.'),
    display_name: z.string().default('Chicago Taxi').describe('Display name of the registered dataset.'),
    label_column: z.string().default('tip_bin').describe('The label the feature SQL computes.'),
    dataset_labels: z.record(z.string(), z.string()).default({ user_metadata: 'formalize' }).describe('Labels of the dataset (the seed: {"user_metadata": <bucket>}).'),
    year: z.int().default(2015).describe('Year of the trips to extract.'),
    limit: z.int().default(300000).describe('At most this many trips (a fixed pseudo-random subset).'),
    project: z.string().default('formalize-local').describe('Project the feature table and the dataset belong to.'),
    vocabulary_source: artifact('system.Artifact', { optional: true, description: 'Keep the vocabularies of this transform artifact (an earlier run\'s `transform` output, or a model folder bundling transform.json) instead of computing them, so an existing base model still fits the new data; tokens it lacks map to the OOV index.' }),
  },
}, (p) => {
  const bq = extractOp({ mode: 'features', bq_table: p.bq_table, year: p.year, limit: p.limit, project: p.project })
    .setDisplayName('make-chicago-bq-dataset');
  const analysis = statsOp({ table: bq.outputs.destination_table, label_column: p.label_column })
    .setDisplayName('data-analysis');
  // Anomalies of the data against the schema inferred from it: the report a reviewer reads; drift against earlier
  // statistics is the training pipeline's decision (it retunes on drift).
  validateOp({ statistics: analysis.outputs.statistics, schema: analysis.outputs.schema })
    .setDisplayName('data-validation');
  const transform = preprocessOp({
    table: bq.outputs.destination_table,
    numeric_features: analysis.outputs.numeric_features,
    categorical_features: analysis.outputs.categorical_features,
    label_column: p.label_column,
    vocabulary_source: p.vocabulary_source,
  }).setDisplayName('dataflow-preprocess');
  const dataset = datasetOp({
    bq_table: bq.outputs.destination_table,
    display_name: p.display_name,
    labels: p.dataset_labels,
    project: p.project,
    label_column: p.label_column,
    statistics: analysis.outputs.statistics,
    schema: analysis.outputs.schema,
    transform: transform.outputs.transform,
    exported_jsonl: transform.outputs.test_requests,
    numeric_features: transform.outputs.numeric_features,
    categorical_features: transform.outputs.categorical_features,
    embedding_features: transform.outputs.embedding_features,
  }).setDisplayName('tabular-dataset-create');
  return {
    dataset: dataset.outputs.dataset,
    statistics: analysis.outputs.statistics,
    transform: transform.outputs.transform,
    row_count: bq.outputs.row_count,
  };
});
