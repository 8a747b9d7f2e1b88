// A whole split in memory, column by column (validation and test splits: read once, evaluated every epoch).
import type { Column, ColumnChunk } from './chunk.ts';
import { allocColumns } from './chunk.ts';
import type { ShardSource } from './shard-source.ts';
import type { FeederSpec } from './spec.ts';

export interface SplitColumns {
  readonly size: number;
  /** Feature columns by name. */
  readonly features: Readonly<Record<string, Column>>;
  readonly labels: Float32Array;
  /** Stratum value per row (the source's slice column, else the label). */
  readonly strata: Int32Array;
}

/** Every row of `files` (in order) through `source`. */
export async function readSplit(source: ShardSource, files: readonly string[], spec: FeederSpec): Promise<SplitColumns> {
  const chunks: ColumnChunk[] = [];
  for (const file of files) {
    const stream = await source.open(file, 0);
    try {
      for (let c = await stream.next(); c; c = await stream.next()) chunks.push(c);
    } finally {
      stream.close();
    }
  }
  const size = chunks.reduce((a, c) => a + c.rows, 0);
  const columns = allocColumns(spec, size);
  const labels = new Float32Array(size);
  const strata = new Int32Array(size);
  let at = 0;
  for (const c of chunks) {
    c.columns.forEach((col, k) => columns[k]!.set(col, at));
    labels.set(c.labels, at);
    strata.set(c.strata, at);
    at += c.rows;
  }
  return { size, features: Object.fromEntries(spec.features.map((f, k) => [f.name, columns[k]!])), labels, strata };
}
