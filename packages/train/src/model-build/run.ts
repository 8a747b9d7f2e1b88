// model-build's work: dataset -> transform artifact -> architecture -> seeded initial weights -> model folder
// (with transform.json) -> registry version labelled base_model. The model folder is complete before the
// registry hears of it, and registering is the last step, so a failure leaves no registry entry behind.
import { uriToLocalPath, type JsonObject } from '@formalize/common';
import {
  architectureHash, buildBaseModel, initializationHash, kerasTopology, kerasTopologyProblems, loadTf, MODEL_FRAMEWORK,
  modelArtifactMetadataSchema, modelSpecFromTransform, saveModel,
} from '@formalize/common/model';
import { readTransformArtifact } from '@formalize/common/transform';
import type { ModelBuildContext, ModelBuildResult } from '../components/model-build.ts';
import { checkDatasetAgreesWithTransform, datasetInfo } from './dataset.ts';
import { BASE_MODEL_LABELS, registerBaseModel } from './register.ts';

export async function runModelBuild({ inputs, outputs, log }: ModelBuildContext): Promise<ModelBuildResult> {
  const dataset = await datasetInfo(inputs.dataset);
  const transform = await readTransformArtifact(uriToLocalPath(dataset.transformUri));
  checkDatasetAgreesWithTransform(dataset, transform);
  const spec = modelSpecFromTransform(transform);
  const { tf, backend } = await loadTf({ log: (m, f) => log.info(m, f) });

  const model = buildBaseModel(tf, spec, { seed: inputs.seed });
  try {
    const topology = kerasTopology(model);
    const problems = kerasTopologyProblems(topology);
    if (problems.length) throw new Error(`the built topology is not one Keras reads:\n${problems.join('\n')}`);
    const architecture = architectureHash(topology);
    const initialization = initializationHash(architecture, inputs.seed);
    const displayName = inputs.display_name ?? inputs.model_family;
    const metadata: JsonObject = {
      framework: MODEL_FRAMEWORK,
      model_family: inputs.model_family,
      labels: { ...BASE_MODEL_LABELS },
      architecture,
      initialization,
      transform: dataset.transformUri,
      dataset: dataset.resourceName,
      displayName,
      seed: inputs.seed,
      inputs: spec.inputs.map((i) => ({ ...i })),
      hidden_units: spec.hiddenUnits,
      parameters: model.countParams(),
      ...(inputs.serving_image && { containerSpec: { imageUri: inputs.serving_image } }),
    };
    // The model artifact convention every model-producing component follows.
    modelArtifactMetadataSchema.parse(metadata);
    await saveModel(model, outputs.model.path, { metadata, transform });
    log.info('built the base model', { backend, inputs: spec.inputs.length, parameters: metadata['parameters'], architecture, initialization });

    const version = await registerBaseModel({
      family: inputs.model_family, uri: outputs.model.uri, metadata, description: displayName, ...(dataset.project && { project: dataset.project }),
    });
    outputs.model.metadata = { ...metadata, resourceName: version.resourceName, version: version.version };
    log.info('registered the base model', { resourceName: version.resourceName, labels: version.labels });
    return { architecture, initialization, model_resource_name: version.resourceName, model_version: version.version };
  } finally {
    model.dispose();
  }
}
