// The dataset metadata contract of the seed (`metadata.jsonl`, a single JSON object): what the model-build and
// training stages read from a dataset. Locations are artifact URIs, null when the pipeline did not produce them.
import { z } from 'zod';

export const datasetMetadataSchema = z.object({
  label_column: z.string(),
  statistics: z.string().nullable(),
  schema: z.string().nullable(),
  numeric_features: z.array(z.string()),
  categorical_features: z.array(z.string()),
  embedding_features: z.array(z.string()),
  transformed_data_prefix: z.string().nullable(),
  transform_artifacts_dir: z.string().nullable(),
  exported_jsonl_prefix: z.string().nullable(),
}).strict();

export type DatasetMetadata = z.infer<typeof datasetMetadataSchema>;

/** The file next to the dataset artifact holding the contract (the seed's metadata.jsonl). */
export const DATASET_METADATA_FILE = 'metadata.json';
