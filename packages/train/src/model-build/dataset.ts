// What model-build reads from the dataset artifact: the transform artifact's URI and the dataset's identity,
// from the artifact's metadata (the seed keys tabular-dataset-create records), else from `metadata.json` in
// the artifact folder (the seed's `metadata.jsonl`). A dataset without a transform artifact is refused.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractError, describeValue, type InputArtifact, type ReadonlyJsonObject } from '@formalize/common';
import type { TransformArtifact } from '@formalize/common/transform';

export const TRANSFORM_KEY = 'transform_artifacts_dir';
const METADATA_FILE = 'metadata.json';

export interface DatasetInfo {
  /** URI of the transform artifact (a JSON file). */
  transformUri: string;
  /** The dataset's resourceName (its URI when it has none). */
  resourceName: string;
  /** Project of the resourceName, when it is a `projects/<p>/...` name. */
  project?: string;
  metadata: ReadonlyJsonObject;
}

async function folderMetadata(dataset: InputArtifact<'google.VertexDataset'>): Promise<ReadonlyJsonObject> {
  try {
    const json: unknown = JSON.parse(await readFile(join(dataset.path, METADATA_FILE), 'utf8'));
    return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as ReadonlyJsonObject) : {};
  } catch {
    return {};
  }
}

export async function datasetInfo(dataset: InputArtifact<'google.VertexDataset'>): Promise<DatasetInfo> {
  const metadata = TRANSFORM_KEY in dataset.metadata ? dataset.metadata : { ...(await folderMetadata(dataset)), ...dataset.metadata };
  const transformUri = metadata[TRANSFORM_KEY];
  if (typeof transformUri !== 'string' || transformUri === '') {
    throw new ContractError([
      `inputs.artifacts.dataset.metadata.${TRANSFORM_KEY}: expected the URI of the dataset's transform artifact (the data pipeline's dataflow-preprocess \`transform\` output), received ${describeValue(transformUri)}`,
    ]);
  }
  const name = metadata['resourceName'];
  const resourceName = typeof name === 'string' && name !== '' ? name : dataset.uri;
  const project = /^projects\/([^/]+)\//.exec(resourceName)?.[1];
  return { transformUri, resourceName, ...(project && { project }), metadata };
}

/** The dataset's own record of its label and feature groups must be the transform artifact's. */
export function checkDatasetAgreesWithTransform(info: DatasetInfo, transform: TransformArtifact): void {
  const problems: string[] = [];
  const m = info.metadata;
  if (m['label_column'] !== undefined && m['label_column'] !== transform.label.name) {
    problems.push(`inputs.artifacts.dataset.metadata.label_column: expected ${JSON.stringify(transform.label.name)} (the label of ${info.transformUri}), received ${describeValue(m['label_column'])}`);
  }
  for (const [key, group] of [['numeric_features', 'numeric'], ['categorical_features', 'categorical'], ['embedding_features', 'embedding']] as const) {
    const listed = m[key];
    if (listed === undefined) continue;
    if (JSON.stringify(listed) !== JSON.stringify(transform.groups[group])) {
      problems.push(`inputs.artifacts.dataset.metadata.${key}: expected ${JSON.stringify(transform.groups[group])} (the ${group} group of ${info.transformUri}), received ${describeValue(listed)}`);
    }
  }
  if (problems.length) throw new ContractError(problems);
}
