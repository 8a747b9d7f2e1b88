// The test split of a dataset (google.VertexDataset with the seed's metadata keys): the transformed rows and
// labels from `<transformed_data_prefix>/test` (Parquet shards), and the raw rows from `exported_jsonl_prefix`
// (JSON Lines shards, row for row the same rows, without the label).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractError, describeValue, uriToLocalPath, type InputArtifact } from '@formalize/common';
import { listShards, readTransformedRows, type TransformedRow } from '@formalize/common/transform';

export interface TestSplit {
  labelColumn: string;
  /** 0/1 per row. */
  labels: Uint8Array;
  /** Transformed rows (features and the label), in shard order. */
  rows: TransformedRow[];
  /** Raw rows, row-aligned with `rows`; undefined when the dataset exported none. */
  raw?: Record<string, unknown>[];
  /** Local folders read. */
  testDir: string;
  rawDir?: string;
}

const field = (input: string, key: string) => `inputs.artifacts.${input}.metadata.${key}`;

function metadataString(dataset: InputArtifact, input: string, key: string, required: boolean): string | undefined {
  const v = dataset.metadata[key];
  if (typeof v === 'string' && v !== '') return v;
  if (v === undefined || v === null) {
    if (required) throw new ContractError([`${field(input, key)}: expected the URI the data pipeline recorded, received ${describeValue(v)}`]);
    return undefined;
  }
  throw new ContractError([`${field(input, key)}: expected a URI (string), received ${describeValue(v)}`]);
}

export function toLabel(v: unknown, where: string): 0 | 1 {
  if (v === 1 || v === 1n || v === true) return 1;
  if (v === 0 || v === 0n || v === false) return 0;
  throw new ContractError([`${where}: expected a binary label (0, 1, false or true), received ${describeValue(v)}`]);
}

/** Raw JSON Lines rows of the shards in `dir` (`data-NNNNN-of-NNNNN.jsonl`), in order. */
export async function readJsonlShards(dir: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const file of await listShards(dir, 'jsonl')) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (err) {
        throw new ContractError([`${file}:${i + 1}: not JSON (${(err as Error).message})`]);
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ContractError([`${file}:${i + 1}: expected a JSON object, received ${describeValue(v)}`]);
      rows.push(v as Record<string, unknown>);
    });
  }
  return rows;
}

/** `opts.input`: the input the dataset came in as, for messages (default `dataset`). */
export async function readTestSplit(dataset: InputArtifact<'google.VertexDataset'>, opts: { raw: 'required' | 'optional'; input?: string }): Promise<TestSplit> {
  const input = opts.input ?? 'dataset';
  const labelColumn = metadataString(dataset, input, 'label_column', true)!;
  const prefix = metadataString(dataset, input, 'transformed_data_prefix', true)!;
  const testDir = join(uriToLocalPath(prefix), 'test');
  const rows: TransformedRow[] = [];
  for await (const row of readTransformedRows(testDir)) rows.push(row as TransformedRow);
  if (rows.length === 0) throw new ContractError([`${testDir}: the test split has no rows`]);
  const labels = Uint8Array.from(rows, (r, i) => {
    if (!(labelColumn in r)) throw new ContractError([`${testDir}: row ${i} has no label column ${describeValue(labelColumn)}`]);
    return toLabel(r[labelColumn], `${testDir}: row ${i}, ${labelColumn}`);
  });
  const rawUri = metadataString(dataset, input, 'exported_jsonl_prefix', opts.raw === 'required');
  if (rawUri === undefined) return { labelColumn, labels, rows, testDir };
  const rawDir = uriToLocalPath(rawUri);
  const raw = await readJsonlShards(rawDir);
  if (raw.length !== rows.length) throw new ContractError([`${rawDir}: ${raw.length} exported test rows for ${rows.length} rows in ${testDir} (they must be the same rows)`]);
  return { labelColumn, labels, rows, raw, testDir, rawDir };
}
