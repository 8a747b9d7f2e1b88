// The validation component's input artifacts read and checked up front, so that every problem with them is a
// contract error naming the input and its URI (not a stack trace from deep inside validation).
import type { InputArtifact } from '@formalize/common';
import { ContractError, describeValue, UnsupportedUriError } from '@formalize/common';
import { readSchema, readStatistics } from '../io/artifacts.ts';
import { ProtoFormatError } from '../io/formats.ts';
import type { DatasetFeatureStatistics, DatasetFeatureStatisticsList, Schema } from '../protos.ts';
import { defaultDataset } from './default-dataset.ts';
import { DatasetStatsView } from './stats-view.ts';

/** Statistics read from an artifact: the dataset TFDV validates and a view over it (paths checked). */
export interface StatisticsArtifact {
  /** `inputs.artifacts.<name>`, for messages. */
  field: string;
  uri: string;
  dataset: DatasetFeatureStatistics;
  view: DatasetStatsView;
}

function problem(field: string, artifact: InputArtifact, what: string): ContractError {
  return new ContractError([`${field}: ${what}, received ${describeValue(artifact.uri)}`]);
}

async function readArtifact<T>(field: string, artifact: InputArtifact, what: string, read: (path: string) => Promise<T>): Promise<T> {
  try {
    return await read(artifact.path);
  } catch (err) {
    if (err instanceof ProtoFormatError || err instanceof UnsupportedUriError) throw problem(field, artifact, `cannot read ${what}: ${err.message}`);
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code === 'string') throw problem(field, artifact, `cannot read ${what}: ${e.code} ${e.path ?? ''}`.trimEnd());
    throw err;
  }
}

export async function readStatisticsArtifact(name: string, artifact: InputArtifact): Promise<StatisticsArtifact> {
  const field = `inputs.artifacts.${name}`;
  const list: DatasetFeatureStatisticsList = await readArtifact(field, artifact, 'statistics', readStatistics);
  const { dataset, label } = defaultDataset(list, field);
  // The view indexes feature paths and rejects what TFDV rejects (duplicate names, a mix of name and path ids).
  const view = new DatasetStatsView(dataset, { byWeight: false, environment: undefined }, label);
  return { field, uri: artifact.uri, dataset, view };
}

export async function readSchemaArtifact(artifact: InputArtifact): Promise<Schema> {
  return readArtifact('inputs.artifacts.schema', artifact, 'a schema', readSchema);
}
