// The formalization model pipeline (`build-model`, the seed's "Build the base model architecture"): from the newest
// registered dataset of the data pipeline, build the seed architecture (numeric inputs, one-hot for vocabularies up
// to 10, embeddings beyond, Dense 128 -> 64 -> 1), save it untrained and register it in the model registry as a new
// version of the family labelled `base_model` (the label the seed declared and never applied).
import { z } from 'zod';
import { fromContract, pipeline } from '@formalize/dsl';
import { datasetGet } from '@formalize/bq-extract';
import { modelBuild } from '@formalize/train';

const datasetGetOp = fromContract(datasetGet);
const modelBuildOp = fromContract(modelBuild);

export default pipeline({
  name: 'build-model',
  description: 'Build the base model architecture',
  inputs: {
    dataset_display_name: z.string().default('Chicago Taxi').describe('Display name (prefix) of the dataset the data pipeline registered.'),
    dataset_labels: z.record(z.string(), z.string()).default({ user_metadata: 'formalize' }).describe('Labels the dataset carries.'),
    model_family: z.string().default('chicago-taxi-tip').describe('Model family in the registry.'),
    display_name: z.string().default('chicago').describe('Display name of the registered base model.'),
    seed: z.int().default(0).describe('Initialisation seed: a new seed is a new initialisation (the training pipeline then fine-tunes).'),
  },
}, (p) => {
  // The registry's newest dataset is state, not a pure function of the inputs: never cached.
  const dataset = datasetGetOp({ display_name: p.dataset_display_name, labels: p.dataset_labels }).setCaching(false).setDisplayName('get-dataset');
  const base = modelBuildOp({ dataset: dataset.outputs.dataset, model_family: p.model_family, seed: p.seed, display_name: p.display_name })
    .setDisplayName('build-model');
  return { model: base.outputs.model, model_resource_name: base.outputs.model_resource_name, initialization: base.outputs.initialization };
});
