// Reading transformed Parquet shards back: shard order, a seeded shuffle buffer, and errors that name the file.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShardReadError, listShards, readTransformedRows } from '../src/transform/index.ts';
import type { ShardRow } from '../src/transform/index.ts';
import { DuckdbWarehouse } from '../src/warehouse/index.ts';

const ROWS = 5000;
let dir: string;

async function collect(it: AsyncIterable<ShardRow>): Promise<ShardRow[]> {
  const rows: ShardRow[] = [];
  for await (const r of it) rows.push(r);
  return rows;
}

// Three shards of rows i = 0..4999 (z = i / 8, label = i % 2, big = 2^60 + i), as the component names them.
async function writeShards(to: string): Promise<void> {
  const wh = await DuckdbWarehouse.open({ dir: await mkdtemp(join(tmpdir(), 'reader-wh-')) });
  try {
    const bounds = [0, 2000, 4000, ROWS];
    for (let s = 0; s < 3; s++) {
      await wh.execute(`COPY (SELECT range AS i, range / 8 AS z, range % 2 AS label, CAST(1152921504606846976 + range AS BIGINT) AS big
        FROM range(${bounds[s]}, ${bounds[s + 1]})) TO '${join(to, `data-0000${s}-of-00003.parquet`)}' (FORMAT parquet)`);
    }
  } finally {
    await wh.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reader-'));
  await writeShards(dir);
});

describe('readTransformedRows', () => {
  it('reads every row of every shard in order, integers as numbers while exact', async () => {
    expect((await listShards(dir)).map((f) => f.slice(dir.length + 1))).toEqual(['data-00000-of-00003.parquet', 'data-00001-of-00003.parquet', 'data-00002-of-00003.parquet']);
    const rows = await collect(readTransformedRows(dir));
    expect(rows).toHaveLength(ROWS);
    expect(rows.map((r) => r['i'])).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    expect(rows[4001]).toEqual({ i: 4001, z: 4001 / 8, label: 1, big: 1152921504606846976n + 4001n });
  });

  it('shuffles through a seeded buffer: a permutation, replayable by seed', async () => {
    const a = await collect(readTransformedRows(dir, { shuffleBuffer: 500, seed: 7 }));
    const b = await collect(readTransformedRows(dir, { shuffleBuffer: 500, seed: 7 }));
    const c = await collect(readTransformedRows(dir, { shuffleBuffer: 500, seed: 8 }));
    const ids = (rows: ShardRow[]) => rows.map((r) => r['i'] as number);
    expect(ids(a)).toEqual(ids(b));
    expect(ids(a)).not.toEqual(ids(c));
    expect([...ids(a)].sort((x, y) => x - y)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
    // Rows move far from their place in the files (shards are reordered too), and few stay put.
    const displacement = ids(a).reduce((sum, i, k) => sum + Math.abs(i - k), 0) / ROWS;
    expect(displacement).toBeGreaterThan(100);
    expect(ids(a).filter((i, k) => i === k).length).toBeLessThan(ROWS / 100);
    await expect(collect(readTransformedRows(dir, { shuffleBuffer: -1 }))).rejects.toThrow(RangeError);
  });

  it('names the corrupt shard', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'reader-bad-'));
    await writeShards(bad);
    const second = join(bad, 'data-00001-of-00003.parquet');
    await writeFile(second, 'this is not parquet');
    const err = await collect(readTransformedRows(bad)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShardReadError);
    expect((err as Error).message).toMatch(new RegExp(`^${second.replaceAll('/', '\\/')}: cannot read Parquet shard \\(`));
    // A truncated file (a crash mid-copy): same.
    const third = join(bad, 'data-00002-of-00003.parquet');
    const bytes = await readFile(third);
    await writeFile(second, bytes.subarray(0, bytes.length - 100));
    await expect(collect(readTransformedRows(bad))).rejects.toThrow(`${second}: cannot read Parquet shard`);
  });

  it('names a missing shard, an empty folder and a missing folder', async () => {
    const gap = await mkdtemp(join(tmpdir(), 'reader-gap-'));
    await writeShards(gap);
    await rm(join(gap, 'data-00001-of-00003.parquet'));
    await expect(listShards(gap)).rejects.toThrow(`${join(gap, 'data-00002-of-00003.parquet')}: expected shard data-00001-of-00003.parquet`);
    await rm(join(gap, 'data-00002-of-00003.parquet'));
    await expect(listShards(gap)).rejects.toThrow(`${gap}: 1 of 3 shards present (missing data-00001-of-00003.parquet)`);
    const empty = await mkdtemp(join(tmpdir(), 'reader-empty-'));
    await expect(collect(readTransformedRows(empty))).rejects.toThrow(`${empty}: no shards *-NNNNN-of-NNNNN.parquet`);
    await expect(listShards(join(empty, 'nope'))).rejects.toThrow(`${join(empty, 'nope')}: cannot list shards (ENOENT)`);
  });
});
