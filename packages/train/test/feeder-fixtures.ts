// Feeder test data: small Parquet shards written by DuckDB, with a row id so tests can check that every row
// is served exactly once, a 5-valued vocabulary column to slice by, and a label that is 1 on every third row.
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Batch, Feeder, FeederSpec, ShardSource, ShardStream } from '../src/feeder/index.ts';

export const SPEC: FeederSpec = { features: [{ name: 'id', dtype: 'float32' }, { name: 'c', dtype: 'int32' }], label: 'tip_bin' };

/** `shards` shards of `rows` rows each in a new folder: id = global row number, c = id % 5, tip_bin = (id % 3 == 0). */
export async function writeShards(shards: number, rows: number): Promise<{ dir: string; files: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'feeder-'));
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const files: string[] = [];
  try {
    for (let s = 0; s < shards; s++) {
      const file = join(dir, `data-${String(s).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.parquet`);
      await conn.run(`COPY (SELECT i::DOUBLE AS id, (i % 5)::BIGINT AS c, CASE WHEN i % 3 = 0 THEN 1 ELSE 0 END::BIGINT AS tip_bin
        FROM range(${s * rows}, ${(s + 1) * rows}) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 1000)`);
      files.push(file);
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return { dir, files };
}

/** A copy of the shards in another folder (a mirror). */
export async function mirror(files: string[], name: string): Promise<string[]> {
  const dir = join(await mkdtemp(join(tmpdir(), `feeder-${name}-`)), name);
  await mkdir(dir);
  return Promise.all(files.map(async (f) => {
    const to = join(dir, f.split('/').at(-1)!);
    await copyFile(f, to);
    return to;
  }));
}

export async function collect(feeder: Feeder, opts: { steps?: number } = {}, onBatch?: (b: Batch, i: number) => void): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of feeder.epoch(opts)) {
    onBatch?.(b, out.length);
    out.push(b);
  }
  return out;
}

export const ids = (batches: Batch[]): number[] => batches.flatMap((b) => [...b.features['id']!]);

/** Wraps a source: `hook` runs before each chunk of a stream on a file matching `match`; it may delay or throw. */
export function instrumented(inner: ShardSource, match: (file: string) => boolean, hook: (file: string, chunk: number) => Promise<void> | void): ShardSource {
  return {
    async open(file, offset) {
      const stream = await inner.open(file, offset);
      if (!match(file)) return stream;
      let n = 0;
      const wrapped: ShardStream = {
        async next() {
          await hook(file, n++);
          return stream.next();
        },
        close: () => stream.close(),
      };
      return wrapped;
    },
    count: (file) => inner.count(file),
    close: () => inner.close(),
  };
}
