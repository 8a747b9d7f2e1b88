// Sharded writers with bounded memory. Parquet: rows go through a DuckDB appender into a buffer table, and
// every `rowsPerShard` rows the table is copied to the next Parquet file and started afresh, so memory holds
// at most one shard per split. JSON Lines: one file per shard, written as chunks arrive. Shards are written as
// `part-NNNNN.*` and renamed `data-NNNNN-of-NNNNN.*` once their number is known.
import { once } from 'node:events';
import type { WriteStream } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { TransformedColumnType, TransformedRow } from '@formalize/common/transform';
import { duckdbDialect as d } from '@formalize/common/warehouse';
import type { ShardSet } from './engine.ts';

const SQL_TYPES: Record<TransformedColumnType, string> = { FLOAT64: 'DOUBLE', INT64: 'BIGINT', BOOL: 'BOOLEAN', STRING: 'VARCHAR' };

type Put = (a: DuckDBAppender, v: TransformedRow[string]) => void;

const PUT: Record<TransformedColumnType, Put> = {
  FLOAT64: (a, v) => a.appendDouble(v as number),
  INT64: (a, v) => a.appendBigInt(typeof v === 'bigint' ? v : BigInt(v as number)),
  BOOL: (a, v) => a.appendBoolean(v as boolean),
  STRING: (a, v) => a.appendVarchar(v as string),
};

export interface ShardColumn {
  readonly name: string;
  readonly type: TransformedColumnType;
}

function shardName(i: number, of: number, ext: string): string {
  return `data-${String(i).padStart(5, '0')}-of-${String(of).padStart(5, '0')}.${ext}`;
}

async function renameShards(dir: string, parts: readonly string[], ext: string): Promise<string[]> {
  const files = parts.map((_, i) => join(dir, shardName(i, parts.length, ext)));
  for (const [i, part] of parts.entries()) await rename(part, files[i]!);
  return files;
}

export class ParquetShardWriter {
  readonly #conn: DuckDBConnection;
  readonly #table: string;
  readonly #dir: string;
  readonly #columns: readonly ShardColumn[];
  readonly #put: Put[];
  readonly #rowsPerShard: number;
  readonly #parts: string[] = [];
  #appender!: DuckDBAppender;
  #buffered = 0;
  #rows = 0;

  private constructor(conn: DuckDBConnection, table: string, dir: string, columns: readonly ShardColumn[], rowsPerShard: number) {
    this.#conn = conn;
    this.#table = table;
    this.#dir = dir;
    this.#columns = columns;
    this.#put = columns.map((c) => PUT[c.type]);
    this.#rowsPerShard = rowsPerShard;
  }

  /** A writer of shards into `dir`, buffering in table `table` of `conn`. */
  static async open(conn: DuckDBConnection, table: string, dir: string, columns: readonly ShardColumn[], rowsPerShard: number): Promise<ParquetShardWriter> {
    const w = new ParquetShardWriter(conn, table, dir, columns, rowsPerShard);
    await w.#startBuffer();
    return w;
  }

  async #startBuffer(): Promise<void> {
    const cols = this.#columns.map((c) => `${d.ident(c.name)} ${SQL_TYPES[c.type]}`).join(', ');
    await this.#conn.run(`CREATE OR REPLACE TABLE ${d.ident(this.#table)} (${cols})`);
    this.#appender = await this.#conn.createAppender(this.#table);
  }

  /** Appends one row (values in column order by name; features are never NULL, the label never is). */
  append(row: TransformedRow): void {
    const a = this.#appender;
    for (let i = 0; i < this.#put.length; i++) {
      const v = row[this.#columns[i]!.name];
      if (v === null || v === undefined) a.appendNull();
      else this.#put[i]!(a, v);
    }
    a.endRow();
    this.#buffered++;
    this.#rows++;
  }

  /** The buffer holds a whole shard: call `roll()` before appending more. */
  get full(): boolean {
    return this.#buffered >= this.#rowsPerShard;
  }

  /** Writes the buffered rows as the next shard. */
  async roll(): Promise<void> {
    this.#appender.flushSync();
    this.#appender.closeSync();
    const part = join(this.#dir, `part-${String(this.#parts.length).padStart(5, '0')}.parquet`);
    await this.#conn.run(`COPY ${d.ident(this.#table)} TO ${d.literal(part)} (FORMAT parquet, COMPRESSION zstd)`);
    this.#parts.push(part);
    this.#buffered = 0;
    await this.#startBuffer();
  }

  /** Writes what is left (an empty split still gets one, empty, shard) and names the shards. */
  async finish(): Promise<ShardSet> {
    if (this.#buffered > 0 || this.#parts.length === 0) await this.roll();
    this.#appender.closeSync();
    await this.#conn.run(`DROP TABLE ${d.ident(this.#table)}`);
    return { rows: this.#rows, files: await renameShards(this.#dir, this.#parts, 'parquet') };
  }
}

export class JsonlShardWriter {
  readonly #dir: string;
  readonly #parts: string[] = [];
  #out: WriteStream | undefined;
  #error: Error | undefined;
  #rows = 0;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Appends lines (each ends with '\n') to the current shard. */
  async write(lines: string, count: number): Promise<void> {
    if (!this.#out) {
      const part = join(this.#dir, `part-${String(this.#parts.length).padStart(5, '0')}.jsonl`);
      this.#parts.push(part);
      this.#out = createWriteStream(part);
      // Kept, not thrown from the event: the next write or roll reports it.
      this.#out.on('error', (err) => { this.#error ??= err; });
    }
    if (this.#error) throw this.#error;
    this.#rows += count;
    if (!this.#out.write(lines)) await Promise.race([once(this.#out, 'drain'), once(this.#out, 'close')]);
    if (this.#error) throw this.#error;
  }

  /** Ends the current shard; the next write starts another. */
  async roll(): Promise<void> {
    const out = this.#out;
    if (!out) return;
    this.#out = undefined;
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.#error) throw this.#error;
  }

  async finish(): Promise<ShardSet> {
    if (this.#parts.length === 0) await this.write('', 0);
    await this.roll();
    return { rows: this.#rows, files: await renameShards(this.#dir, this.#parts, 'jsonl') };
  }

  /** Closes an open shard after a failure (its folder is discarded by the caller). */
  destroy(): void {
    this.#out?.destroy();
  }
}
