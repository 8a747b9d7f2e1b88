// The local engine: one streaming scan of the table (split computed by the hash SQL), each row transformed by
// `applyTransform` — the same function training and serving call — and written back through a second, small
// DuckDB instance (appender -> buffer table -> COPY TO Parquet per shard). Memory is bounded by the warehouse's
// streaming chunk, one buffered shard per split and the writer's DuckDB memory limit.
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lazy } from '@formalize/common';
import type { SplitName } from '@formalize/common/transform';
import { SPLIT_NAMES, applyTransform, splitOfBucket, transformedColumns } from '@formalize/common/transform';
import type { Row, Warehouse } from '@formalize/common/warehouse';
import { BUCKET_COLUMN, bucketedTable } from './analyze.ts';
import type { EngineContext, TransformEngine, TransformJob, TransformJobResult } from './engine.ts';
import { JsonlShardWriter, ParquetShardWriter } from './shard-writer.ts';

const duckdb = lazy(() => import('@duckdb/node-api'));

/** DuckDB memory of the writer (buffer tables spill to its temp folder beyond it). */
export const WRITER_MEMORY_LIMIT = '256MB';

/** A serving request's JSON value of a raw value: INT64 beyond 2^53 (a bigint) as its decimal string. */
function jsonValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return `"${v}"`;
  return JSON.stringify(v);
}

/** Asks for the next chunk before the current one is processed, so DuckDB computes while JavaScript transforms. */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      // A failure of the read-ahead surfaces at the next await, not as an unhandled rejection.
      next.catch(() => {});
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

export function localEngine(wh: Warehouse): TransformEngine {
  return { name: 'local', run: (job, ctx) => runLocal(wh, job, ctx) };
}

async function runLocal(wh: Warehouse, job: TransformJob, ctx: EngineContext): Promise<TransformJobResult> {
  const { artifact } = job;
  const d = wh.dialect;
  const features = artifact.features.map((f) => f.name);
  const raw = [...features, artifact.label.name];
  // The bucket (an integer) rather than the split name: one string less per row to bring into JavaScript.
  const sql = `SELECT ${raw.map((c) => d.ident(c)).join(', ')}, ${d.ident(BUCKET_COLUMN)} FROM ${bucketedTable(wh, job.table, artifact.split)}`;
  const total = SPLIT_NAMES.reduce((n, s) => n + job.expectedRows[s], 0);
  const requestKeys = features.map((f) => `${JSON.stringify(f)}:`);

  const { DuckDBInstance } = await duckdb();
  const scratch = join(tmpdir(), `formalize-preprocess-${process.pid}-${randomBytes(4).toString('hex')}`);
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false', autoload_known_extensions: 'false',
    memory_limit: WRITER_MEMORY_LIMIT, threads: '1', temp_directory: scratch,
  });
  const requests = new JsonlShardWriter(job.outputs.requests);
  try {
    const conn = await instance.connect();
    const columns = transformedColumns(artifact);
    const writers = {} as Record<SplitName, ParquetShardWriter>;
    for (const s of SPLIT_NAMES) writers[s] = await ParquetShardWriter.open(conn, `buffer_${s}`, job.outputs[s], columns, job.rowsPerShard);
    let done = 0;
    ctx.log.progress('rows', 0, total);
    for await (const chunk of readAhead(wh.stream(sql))) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      let lines = '';
      let pending = 0;
      for (const row of chunk as Row[]) {
        const s = splitOfBucket(artifact.split, row[BUCKET_COLUMN] as number);
        const writer = writers[s];
        writer.append(applyTransform(artifact, row));
        if (s === 'test') {
          let line = '{';
          for (let i = 0; i < features.length; i++) line += (i ? ',' : '') + requestKeys[i] + jsonValue(row[features[i]!]);
          lines += `${line}}\n`;
          pending++;
        }
        if (!writer.full) continue;
        await writer.roll();
        if (s === 'test') {
          // Request shards end where test shards do: shard i of one holds the rows of shard i of the other.
          await requests.write(lines, pending);
          await requests.roll();
          lines = '';
          pending = 0;
        }
      }
      if (pending) await requests.write(lines, pending);
      done += chunk.length;
      ctx.log.progress('rows', done, total);
    }
    const splits = {} as Record<SplitName, Awaited<ReturnType<ParquetShardWriter['finish']>>>;
    for (const s of SPLIT_NAMES) splits[s] = await writers[s].finish();
    conn.closeSync();
    return { splits, requests: await requests.finish() };
  } finally {
    requests.destroy();
    instance.closeSync();
    await rm(scratch, { recursive: true, force: true });
  }
}
