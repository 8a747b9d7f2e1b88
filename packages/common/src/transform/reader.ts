// Reads transformed rows back from the Parquet shards of one split (`data-00000-of-00004.parquet`, ...) for
// training and evaluation: a lazy async iterator over DuckDB's `read_parquet`, shard by shard, optionally
// through a seeded shuffle buffer. DuckDB is imported on first use, so serving code that only transforms
// never loads it.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32 } from '../random.ts';
import { lazy } from '../runtime/lazy.ts';
import { duckdbDialect } from '../warehouse/dialect.ts';

const duckdb = lazy(() => import('@duckdb/node-api'));

export class ShardReadError extends Error {
  override name = 'ShardReadError';
}

const SHARD = /^(.+)-(\d{5})-of-(\d{5})\.([a-z]+)$/;

/** The shard files of a folder in order; refuses a folder with a missing or inconsistent shard. */
export async function listShards(dir: string, extension = 'parquet'): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new ShardReadError(`${dir}: cannot list shards (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const shards = names.map((n) => ({ n, m: SHARD.exec(n) })).filter((s) => s.m?.[4] === extension)
    .map(({ n, m }) => ({ name: n, prefix: m![1]!, index: Number(m![2]), of: Number(m![3]) }))
    .sort((a, b) => a.index - b.index);
  if (shards.length === 0) throw new ShardReadError(`${dir}: no shards *-NNNNN-of-NNNNN.${extension}`);
  const { prefix, of } = shards[0]!;
  shards.forEach((s, i) => {
    if (s.prefix !== prefix || s.of !== of || s.index !== i) throw new ShardReadError(`${join(dir, s.name)}: expected shard ${prefix}-${String(i).padStart(5, '0')}-of-${String(of).padStart(5, '0')}.${extension}`);
  });
  if (shards.length !== of) throw new ShardReadError(`${dir}: ${shards.length} of ${of} shards present (missing ${prefix}-${String(shards.length).padStart(5, '0')}-of-${String(of).padStart(5, '0')}.${extension})`);
  return shards.map((s) => join(dir, s.name));
}

export interface ReadRowsOptions {
  /** Rows held for shuffling; 0 (default) reads in shard order. */
  shuffleBuffer?: number;
  /** Seed of the shuffle (shard order and draws from the buffer). */
  seed?: number;
}

export type ShardRow = Record<string, unknown>;

// BIGINT columns (vocabulary indices, integer labels) arrive as bigint: numbers while exact.
function plain(row: Record<string, unknown>): ShardRow {
  for (const k in row) {
    const v = row[k];
    if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) row[k] = Number(v);
  }
  return row;
}

async function* shardRows(files: readonly string[]): AsyncGenerator<ShardRow> {
  const { DuckDBInstance } = await duckdb();
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', threads: '1', memory_limit: '256MB',
  });
  try {
    const conn = await instance.connect();
    try {
      for (const file of files) {
        let rows: AsyncIterable<Record<string, unknown>[]>;
        try {
          rows = (await conn.stream(`SELECT * FROM read_parquet(${duckdbDialect.literal(file)})`)).yieldRowObjectJs();
        } catch (err) {
          throw new ShardReadError(`${file}: cannot read Parquet shard (${String((err as Error).message).split('\n')[0]})`);
        }
        const it = rows[Symbol.asyncIterator]();
        for (;;) {
          let next: IteratorResult<Record<string, unknown>[]>;
          try {
            next = await it.next();
          } catch (err) {
            throw new ShardReadError(`${file}: cannot read Parquet shard (${String((err as Error).message).split('\n')[0]})`);
          }
          if (next.done) break;
          for (const r of next.value) yield plain(r);
        }
      }
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** Rows of the shards in `dir` (a split folder written by dataflow-preprocess), lazily. */
export async function* readTransformedRows(dir: string, opts: ReadRowsOptions = {}): AsyncGenerator<ShardRow> {
  const size = opts.shuffleBuffer ?? 0;
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`shuffleBuffer: expected a non-negative integer, received ${size}`);
  const files = await listShards(dir);
  if (size <= 1) {
    yield* shardRows(files);
    return;
  }
  const rand = mulberry32(opts.seed ?? 0);
  for (let i = files.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [files[i], files[j]] = [files[j]!, files[i]!];
  }
  // tf.data's shuffle: keep `size` rows; each new row replaces a uniformly drawn one, which is emitted.
  const buffer: ShardRow[] = [];
  for await (const row of shardRows(files)) {
    if (buffer.length < size) {
      buffer.push(row);
      continue;
    }
    const j = Math.floor(rand() * size);
    yield buffer[j]!;
    buffer[j] = row;
  }
  for (let i = buffer.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [buffer[i], buffer[j]] = [buffer[j]!, buffer[i]!];
  }
  yield* buffer;
}
