// The `system.Model` artifact convention every model-producing component follows (model-build, train): the
// metadata the runner records in ML Metadata, and what the registry version of the model carries.
import { z } from 'zod';

export const MODEL_FRAMEWORK = 'tfjs-layers';
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest');

export const modelArtifactMetadataSchema = z.looseObject({
  framework: z.literal(MODEL_FRAMEWORK),
  model_family: z.string().min(1),
  labels: z.record(z.string(), z.string()),
  /** architectureHash of the saved topology: equal hashes, same architecture. */
  architecture: sha256,
  /** initializationHash(architecture, seed): equal hashes, same initial weights. */
  initialization: sha256,
  /** URI of the transform artifact the model was built for (also copied into the model folder). */
  transform: z.string().min(1),
  /** resourceName of the dataset. */
  dataset: z.string().min(1),
  hyperparameters: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
});

export type ModelArtifactMetadata = z.output<typeof modelArtifactMetadataSchema>;
