// Contract of the model-build component (the seed's `build-model` pipeline: `build_model` + importer +
// ModelUploadOp). Kept light (zod + @formalize/common): TF.js and the registry load inside run().
import { z } from 'zod';
import type { RunContext, RunResult } from '@formalize/common';
import { artifact, defineComponent } from '@formalize/common';
import { FamilySchema } from '@formalize/common/registry';
import pkg from '../../package.json' with { type: 'json' };

const entrypoint = '/app/packages/train/dist/main.js';
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const inputs = {
  dataset: artifact('google.VertexDataset', { description: 'The dataset of the data pipeline (tabular-dataset-create): its metadata `transform_artifacts_dir` is the transform artifact the architecture is derived from (feature groups, vocabulary sizes), `resourceName` names it.' }),
  model_family: FamilySchema.default('chicago-taxi-tip').describe('Model family (the registry\'s model ID): names the registered base model and the hyperparameter sets tuned for it.'),
  seed: z.int().min(0).max(2 ** 32 - 1).default(0).describe('Initialisation seed: the same seed and dataset give the same initial weights bit for bit (and the same `initialization` hash).'),
  display_name: z.string().min(1).max(128).optional().describe('Display name of the registered model (Vertex: at most 128 characters); default: the model family.'),
  serving_image: z.string().min(1).optional().describe('Serving container image recorded with the model (`containerSpec.imageUri`, as the seed\'s importer metadata meant to: seed bug 6 used a notebook global instead of its `deploy_image` parameter).'),
};

const outputs = {
  model: artifact('system.Model', { description: 'The untrained base model: a TF.js Layers folder (`model.json` with a Keras-compatible topology, `weights.bin`) with `transform.json`, the transform artifact it was built for. Metadata: framework, model_family, labels `{base_model: "1"}`, architecture, initialization, transform, dataset, resourceName and version of the registry entry.' }),
  architecture: sha256.describe('sha256 of the model\'s topology (initializer seeds excluded): changes only with the architecture.'),
  initialization: sha256.describe('sha256 of the architecture and the seed: changes when the initial weights do (the training pipeline then fine-tunes).'),
  model_resource_name: z.string().describe('The registered base model version, `projects/<project>/locations/local/models/<family>@<version>`.'),
  model_version: z.int().describe('Version number of the registered base model in its family.'),
};

export type ModelBuildInputs = typeof inputs;
export type ModelBuildOutputs = typeof outputs;
export type ModelBuildContext = RunContext<ModelBuildInputs, ModelBuildOutputs>;
export type ModelBuildResult = RunResult<ModelBuildOutputs>;

export const modelBuild = defineComponent({
  name: 'model-build',
  version: pkg.version,
  description:
    'Builds the base model architecture of a dataset from its transform artifact (numeric inputs, one-hot for '
    + 'small vocabularies with an out-of-vocabulary slot, embeddings for large ones; Dense 128 ReLU, Dense 64 ReLU, '
    + 'sigmoid), initialised from a seed, saves it untrained as a TF.js Layers model with a Keras-compatible '
    + 'topology and the transform artifact, and registers it in the model registry labelled `base_model`.',
  entrypoint,
  inputs,
  outputs,
  async run(ctx) {
    const { runModelBuild } = await import('../model-build/run.ts');
    return runModelBuild(ctx);
  },
});
