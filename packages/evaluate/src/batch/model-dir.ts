// Which model folder a batch-predict `model` input names: a system.Model is the folder itself; a
// google.VertexModel (register-model's output) is a registry version, looked up by its resource name
// (`projects/<p>/locations/<l>/models/<family>@<version or alias>`).
import { ContractError, describeValue, uriToLocalPath, type InputArtifact } from '@formalize/common';
import { openRegistry } from '@formalize/common/registry';
import { openMetadataStore } from '../register/store.ts';

const RESOURCE = /^projects\/([^/]+)\/locations\/[^/]+\/models\/([^/@]+)@([^/@]+)$/;

export async function modelDir(model: InputArtifact): Promise<string> {
  const type = model.type.schemaTitle;
  if (type === 'system.Model') return model.path;
  if (type !== 'google.VertexModel') throw new ContractError([`inputs.artifacts.model: expected a system.Model or a google.VertexModel, received a ${type}`]);
  const name = model.metadata['resourceName'];
  const m = typeof name === 'string' ? RESOURCE.exec(name) : null;
  if (!m) throw new ContractError([`inputs.artifacts.model.metadata.resourceName: expected projects/<p>/locations/<l>/models/<family>@<version or alias>, received ${describeValue(name)}`]);
  const [, project, family, ref] = m as unknown as [string, string, string, string];
  const store = await openMetadataStore();
  try {
    const registry = openRegistry(store, { project });
    const version = /^\d+$/.test(ref) ? await registry.getVersion(family, Number(ref)) : await registry.getByAlias(family, ref);
    if (!version) throw new ContractError([`inputs.artifacts.model.metadata.resourceName: no such model version in the registry, received ${describeValue(name)}`]);
    return uriToLocalPath(version.uri);
  } finally {
    await store.close();
  }
}
