// dataset-get's work (GCPC's `GetVertexDatasetOp` role, the seed's find_dataset): the newest registered dataset
// with this display name (prefix) and these labels, from ML Metadata, as this task's output artifact. A pipeline
// that consumes the data pipeline's result (build-model, training) starts here instead of a hard-coded id.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject, RunContext } from '@formalize/common';
import { fieldError } from '@formalize/common';
import { findArtifacts, openTaskStore } from '@formalize/common/metadata';
import type { datasetGetInputs, datasetGetOutputs } from '../components.ts';
import { DATASET_METADATA_FILE } from './metadata-contract.ts';

type Ctx = RunContext<typeof datasetGetInputs, typeof datasetGetOutputs>;

export async function runDatasetGet({ inputs, outputs, log }: Ctx): Promise<{ resource_name: string }> {
  const store = await openTaskStore(process.env, 'the ML Metadata store the datasets are registered in');
  let candidates;
  try {
    candidates = await findArtifacts(store, { type: 'google.VertexDataset', state: 'LIVE', metadata: {} });
  } finally {
    await store.close();
  }
  const labels = inputs.labels;
  const matches = candidates.filter((a) => {
    const m = a.metadata;
    const name = typeof m['displayName'] === 'string' ? m['displayName'] : '';
    const have = (m['labels'] ?? {}) as Record<string, unknown>;
    return (inputs.exact ? name === inputs.display_name : name.startsWith(inputs.display_name))
      && Object.entries(labels).every(([k, v]) => have[k] === v)
      && (inputs.project === undefined || String(m['resourceName'] ?? '').startsWith(`projects/${inputs.project}/`));
  });
  const found = matches[0];
  if (!found) {
    const names = [...new Set(candidates.map((a) => String(a.metadata['displayName'])))].slice(0, 10);
    throw fieldError('inputs.parameterValues.display_name', `the display name${inputs.exact ? '' : ' (prefix)'} of a registered dataset${Object.keys(labels).length ? ` with labels ${JSON.stringify(labels)}` : ''} (registered: ${names.length ? names.join(', ') : 'none'})`, inputs.display_name);
  }
  // The dataset's files must still be there: its metadata points at them.
  if (!existsSync(join(found.uri, DATASET_METADATA_FILE))) {
    throw fieldError('inputs.parameterValues.display_name', `a dataset whose files still exist (${found.uri} has no ${DATASET_METADATA_FILE})`, inputs.display_name);
  }
  outputs.dataset.uri = found.uri;
  outputs.dataset.metadata = structuredClone(found.metadata) as JsonObject;
  const resourceName = String(found.metadata['resourceName'] ?? '');
  log.info('dataset found', { resourceName, uri: found.uri, matches: matches.length });
  return { resource_name: resourceName };
}
