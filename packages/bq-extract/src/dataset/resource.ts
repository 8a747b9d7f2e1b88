// The dataset as a Vertex resource: which BigQuery table it is over (from the google.BQTable artifact, as GCPC
// describes one), and a resource name in Vertex's shape whose id is derived from the inputs, so re-running with the
// same inputs names the same dataset.
import { createHash } from 'node:crypto';
import type { InputArtifact, ReadonlyJsonValue } from '@formalize/common';
import { fieldError } from '@formalize/common';
import type { TableRef } from '@formalize/common/warehouse';
import { parseTableRef } from '@formalize/common/warehouse';

/** The location of datasets registered in the embedded store. */
export const LOCAL_LOCATION = 'local';
/** Vertex's metadata schema of tabular datasets. */
export const TABULAR_METADATA_SCHEMA_URI = 'gs://google-cloud-aiplatform/schema/dataset/metadata/tabular_1.0.0.yaml';

const REST = /^https:\/\/www\.googleapis\.com\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/;

/** The table of a google.BQTable artifact: metadata projectId/datasetId/tableId, else its URI (REST or bq://). */
export function tableOfArtifact(a: InputArtifact<'google.BQTable'>, field: string): TableRef {
  const { projectId, datasetId, tableId } = a.metadata;
  let name: string | undefined;
  if (typeof projectId === 'string' && typeof datasetId === 'string' && typeof tableId === 'string') name = `${projectId}.${datasetId}.${tableId}`;
  else {
    const rest = REST.exec(a.uri);
    if (rest) name = rest.slice(1).map(decodeURIComponent).join('.');
    else if (a.uri.startsWith('bq://')) name = a.uri;
  }
  if (name === undefined) throw fieldError(field, 'a google.BQTable artifact with metadata projectId, datasetId, tableId (or a BigQuery table URI)', { uri: a.uri, metadata: a.metadata });
  try {
    return parseTableRef(name, field);
  } catch (err) {
    throw fieldError(field, (err as Error).message.replace(`${field}: `, ''), name);
  }
}

function canonical(v: ReadonlyJsonValue | undefined): string {
  if (v === null || v === undefined || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, ReadonlyJsonValue>)[k])}`).join(',')}}`;
}

/** A Vertex-shaped numeric dataset id: 63 bits of the SHA-256 of the inputs, in decimal. */
export function datasetId(inputs: ReadonlyJsonValue): string {
  const digest = createHash('sha256').update(canonical(inputs)).digest();
  return (digest.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn).toString();
}

export function datasetResourceName(project: string, id: string): string {
  return `projects/${project}/locations/${LOCAL_LOCATION}/datasets/${id}`;
}
