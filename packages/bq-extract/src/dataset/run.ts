// tabular-dataset-create's work: resolve the table and the seed's metadata, name the dataset, write metadata.json
// into the artifact and describe the dataset in the artifact's metadata (which the runner records in ML Metadata).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonObject, RunContext } from '@formalize/common';
import { fieldError, writeFileAtomic } from '@formalize/common';
import { formatTableRef, openWarehouse, parseTableRef, PUBLIC_PROJECT } from '@formalize/common/warehouse';
import type { datasetCreateInputs, datasetCreateOutputs } from '../components.ts';
import { datasetMetadata } from './metadata.ts';
import { DATASET_METADATA_FILE, datasetMetadataSchema } from './metadata-contract.ts';
import { datasetId, datasetResourceName, TABULAR_METADATA_SCHEMA_URI, tableOfArtifact } from './resource.ts';

type Ctx = RunContext<typeof datasetCreateInputs, typeof datasetCreateOutputs>;

export async function runDatasetCreate({ inputs, outputs, log }: Ctx): Promise<void> {
  if (inputs.project.includes('{{$')) {
    throw fieldError('inputs.parameterValues.project', 'a Google Cloud project id (the pipeline project placeholder was not resolved: pass project, or run with GOOGLE_CLOUD_PROJECT set)', inputs.project);
  }
  let project: string;
  try {
    project = parseTableRef('dataset.table', 'project', inputs.project).projectId;
  } catch {
    throw fieldError('inputs.parameterValues.project', 'a project id (lowercase letters, digits and hyphens)', inputs.project);
  }
  const ref = tableOfArtifact(inputs.bq_table, 'inputs.artifacts.bq_table');
  if (ref.projectId === PUBLIC_PROJECT) {
    throw fieldError('inputs.artifacts.bq_table', 'the processed table of your project, not the public source (the seed passed the public table: a bug)', formatTableRef(ref));
  }
  const wh = await openWarehouse({ onWait: (m) => log.info(m) });
  const table = await wh.getTable(ref).finally(() => wh.close());
  if (!table) throw fieldError('inputs.artifacts.bq_table', 'a table that exists in the warehouse', formatTableRef(ref));

  const metadata = datasetMetadataSchema.parse(datasetMetadata(inputs, table));
  const bqSource = `bq://${formatTableRef(ref)}`;
  const id = datasetId({ project, displayName: inputs.display_name, bqSource, labels: inputs.labels, metadata });
  const resourceName = datasetResourceName(project, id);

  const dir = outputs.dataset.path;
  await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, DATASET_METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`);
  outputs.dataset.metadata = {
    resourceName,
    displayName: inputs.display_name,
    labels: inputs.labels,
    metadataSchemaUri: TABULAR_METADATA_SCHEMA_URI,
    inputConfig: { bigquerySource: { uri: bqSource } },
    ...metadata,
  } satisfies JsonObject;
  log.info('dataset registered', { resourceName, table: formatTableRef(ref), rows: table.numRows });
}
