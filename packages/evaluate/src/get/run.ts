// run() of model-get (GCPC ModelGetOp's role): one version of a model family from the registry, chosen by alias,
// version number or label (the newest version carrying it), as this task's system.Model output: the model folder
// and the metadata it was registered with (model_family, architecture, initialization, ...). The training
// pipeline starts from the newest base model this way, and serving from `best`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fieldError, type JsonObject } from '@formalize/common';
import { openRegistry, type ModelVersion } from '@formalize/common/registry';
import type { ModelGetContext, ModelGetResult } from '../components.ts';
import { openMetadataStore } from '../register/store.ts';

export async function runModelGet({ inputs, outputs, log }: ModelGetContext): Promise<ModelGetResult> {
  const chosen = [inputs.alias !== undefined, inputs.version !== undefined, inputs.label !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw fieldError('inputs.parameterValues', 'exactly one of alias, version and label', { alias: inputs.alias, version: inputs.version, label: inputs.label });
  const store = await openMetadataStore();
  let found: ModelVersion | undefined;
  let how: string;
  try {
    const registry = openRegistry(store, { project: inputs.project });
    if (inputs.alias !== undefined) {
      how = `alias "${inputs.alias}"`;
      found = await registry.getByAlias(inputs.family, inputs.alias);
    } else if (inputs.version !== undefined) {
      how = `version ${inputs.version}`;
      found = await registry.getVersion(inputs.family, inputs.version);
    } else {
      how = `label "${inputs.label}"`;
      found = (await registry.listVersions(inputs.family, { label: inputs.label! })).at(-1);
    }
  } finally {
    await store.close();
  }
  const field = inputs.alias !== undefined ? 'alias' : inputs.version !== undefined ? 'version' : 'label';
  if (!found) throw fieldError(`inputs.parameterValues.${field}`, `a registered version of model family "${inputs.family}" (no version has ${how})`, inputs[field]);
  if (!existsSync(join(found.uri, 'model.json'))) {
    throw fieldError(`inputs.parameterValues.${field}`, `a version whose model files still exist (${found.resourceName}: no model.json in ${found.uri})`, inputs[field]);
  }
  outputs.model.uri = found.uri;
  outputs.model.metadata = { ...(structuredClone(found.metadata) as JsonObject), resourceName: found.resourceName, version: found.version, labels: found.labels, aliases: [...found.aliases] };
  log.info('model version found', { resourceName: found.resourceName, by: how, uri: found.uri });
  return { resource_name: found.resourceName, version: found.version };
}
