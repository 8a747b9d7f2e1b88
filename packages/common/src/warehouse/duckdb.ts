// The embedded warehouse: one DuckDB file per BigQuery project in a folder (`<project>.duckdb`), attached as a
// catalog of that name, so `project.dataset.table` is `"project"."dataset"."table"` one to one. Projects a
// component writes are attached read-write, the rest read-only: DuckDB lets many processes read a file but only
// one write it, so readers and the one writer of a project wait for each other's file lock (with a timeout).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { lazy } from '../runtime/lazy.ts';
import type { ColumnType } from './dialect.ts';
import { duckdbDialect } from './dialect.ts';
import { loadPublicData, PUBLIC_PROJECT } from './public-data.ts';
import type { TableRef } from './table-ref.ts';
import type { ColumnInfo, ParquetExport, QueryParams, Row, TableInfo, Warehouse } from './warehouse.ts';
import { TableNotFoundError, WarehouseError } from './warehouse.ts';

const duckdb = lazy(() => import('@duckdb/node-api'));

export interface DuckdbWarehouseOptions {
  /** Folder holding `<project>.duckdb` files; created when missing. */
  dir: string;
  /** Projects this process creates or replaces tables in (attached read-write; created when missing). */
  writeProjects?: readonly string[];
  /** DuckDB `memory_limit` (default `FORMALIZE_WAREHOUSE_MEMORY_LIMIT` or 1GB); larger work spills to disk. */
  memoryLimit?: string;
  threads?: number;
  /** Connections, i.e. queries that can run at once (default 2). */
  connections?: number;
  /** How long to wait for another process's file lock (default 10 min). */
  lockTimeoutMs?: number;
  /** Called once when waiting for a lock, so long waits are visible in task logs. */
  onWait?: (message: string) => void;
}

const LOCKED = /Could not set lock on file/;

function typeOf(native: string): ColumnType {
  const t = native.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return 'INT64';
  if (/^(FLOAT|DOUBLE|REAL)$/.test(t)) return 'FLOAT64';
  if (t.startsWith('DECIMAL')) return 'NUMERIC';
  if (t === 'BOOLEAN') return 'BOOL';
  if (t === 'VARCHAR') return 'STRING';
  if (t === 'BLOB') return 'BYTES';
  // The warehouse keeps UTC instants without a zone: BigQuery's TIMESTAMP.
  if (t.startsWith('TIMESTAMP')) return 'TIMESTAMP';
  if (t === 'DATE') return 'DATE';
  if (t === 'TIME') return 'TIME';
  if (t === 'JSON') return 'JSON';
  if (t.endsWith('[]')) return 'ARRAY';
  if (t.startsWith('STRUCT')) return 'STRUCT';
  return 'OTHER';
}

/** JS values of DuckDB -> plain values: integers as numbers while exact, bigint beyond 2^53. */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

function plainRow(r: Record<string, unknown>): Row {
  const out: Row = {};
  for (const k in r) out[k] = plain(r[k]);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DuckdbWarehouse implements Warehouse {
  readonly kind = 'duckdb' as const;
  readonly dialect = duckdbDialect;
  readonly #instance: DuckDBInstance;
  /** Connections of the one instance: independent queries (e.g. per-column summaries) run side by side. */
  readonly #conns: DuckDBConnection[];
  readonly #idle: DuckDBConnection[];
  readonly #waiting: ((c: DuckDBConnection) => void)[] = [];
  readonly #tmp: string;

  private constructor(instance: DuckDBInstance, conns: DuckDBConnection[], tmp: string) {
    this.#instance = instance;
    this.#conns = conns;
    this.#idle = [...conns];
    this.#tmp = tmp;
  }

  /** How many queries can run at once (one per connection). */
  get concurrency(): number {
    return this.#conns.length;
  }

  async #acquire(): Promise<DuckDBConnection> {
    return this.#idle.pop() ?? new Promise<DuckDBConnection>((resolve) => this.#waiting.push(resolve));
  }

  #release(c: DuckDBConnection): void {
    const next = this.#waiting.shift();
    if (next) next(c);
    else this.#idle.push(c);
  }

  async #withConnection<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const c = await this.#acquire();
    try {
      return await fn(c);
    } finally {
      this.#release(c);
    }
  }

  static async open(opts: DuckdbWarehouseOptions): Promise<DuckdbWarehouse> {
    const { DuckDBInstance } = await duckdb();
    await mkdir(opts.dir, { recursive: true });
    if (!existsSync(join(opts.dir, `${PUBLIC_PROJECT}.duckdb`))) await loadPublicData(opts.dir);
    const tmp = join(tmpdir(), `formalize-duckdb-${process.pid}-${randomBytes(4).toString('hex')}`);
    const instance = await DuckDBInstance.create(':memory:', {
      // No extension downloads, ever: the machine may be offline and must never reach the internet.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      memory_limit: opts.memoryLimit ?? (process.env['FORMALIZE_WAREHOUSE_MEMORY_LIMIT'] || '1GB'),
      temp_directory: tmp,
      ...(opts.threads !== undefined && { threads: String(opts.threads) }),
    });
    // Attached catalogs belong to the instance, so every connection sees them.
    const conns = await Promise.all(Array.from({ length: Math.max(1, opts.connections ?? 2) }, () => instance.connect()));
    const wh = new DuckdbWarehouse(instance, conns, tmp);
    try {
      const write = new Set(opts.writeProjects ?? []);
      const files = (await readdir(opts.dir)).filter((f) => f.endsWith('.duckdb')).map((f) => f.slice(0, -'.duckdb'.length));
      for (const project of new Set([...files, ...write])) {
        await wh.#attach(join(opts.dir, `${project}.duckdb`), project, !write.has(project), opts);
      }
    } catch (err) {
      await wh.close();
      throw err;
    }
    return wh;
  }

  async #attach(file: string, project: string, readOnly: boolean, opts: DuckdbWarehouseOptions): Promise<void> {
    const sql = `ATTACH ${duckdbDialect.literal(file)} AS ${duckdbDialect.ident(project)}${readOnly ? ' (READ_ONLY)' : ''}`;
    const deadline = Date.now() + (opts.lockTimeoutMs ?? 600_000);
    let wait = 50;
    let told = false;
    for (;;) {
      try {
        await this.#conns[0]!.run(sql);
        return;
      } catch (err) {
        if (!LOCKED.test(String((err as Error).message)) || Date.now() > deadline) {
          throw new WarehouseError(`warehouse: cannot open project "${project}" (${file}): ${(err as Error).message}`);
        }
        if (!told) opts.onWait?.(`warehouse: waiting for another process to release project "${project}" (${file})`);
        told = true;
        await sleep(wait);
        wait = Math.min(wait * 2, 2000);
      }
    }
  }

  async query(sql: string, params?: QueryParams): Promise<Row[]> {
    return this.#withConnection(async (c) => {
      const reader = await this.#run(() => c.runAndReadAll(sql, params));
      return (await reader.getRowObjectsJS()).map(plainRow);
    });
  }

  async *stream(sql: string, params?: QueryParams): AsyncIterable<Row[]> {
    // The connection stays taken while the consumer iterates, and comes back when it stops (break included).
    const c = await this.#acquire();
    try {
      const result = await this.#run(() => c.stream(sql, params));
      for await (const rows of result.yieldRowObjectJs()) yield rows.map(plainRow);
    } finally {
      this.#release(c);
    }
  }

  async execute(sql: string, params?: QueryParams): Promise<void> {
    await this.#withConnection((c) => this.#run(() => c.run(sql, params)));
  }

  async getTable(ref: TableRef): Promise<TableInfo | undefined> {
    const cols = await this.query(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_catalog = $p AND table_schema = $d AND table_name = $t ORDER BY ordinal_position`,
      { p: ref.projectId, d: ref.datasetId, t: ref.tableId },
    );
    if (cols.length === 0) return undefined;
    const [{ n }] = (await this.query(`SELECT count(*) AS n FROM ${this.dialect.table(ref)}`)) as [{ n: number }];
    const columns: ColumnInfo[] = cols.map((c) => ({ name: String(c['column_name']), nativeType: String(c['data_type']), type: typeOf(String(c['data_type'])) }));
    return { ref, columns, numRows: Number(n) };
  }

  async createTableAs(ref: TableRef, sql: string, params?: QueryParams): Promise<number> {
    const d = this.dialect;
    await this.execute(`CREATE SCHEMA IF NOT EXISTS ${d.ident(ref.projectId)}.${d.ident(ref.datasetId)}`);
    await this.execute(`CREATE OR REPLACE TABLE ${d.table(ref)} AS ${sql}`, params);
    const [{ n }] = (await this.query(`SELECT count(*) AS n FROM ${d.table(ref)}`)) as [{ n: number }];
    return Number(n);
  }

  async dropTable(ref: TableRef): Promise<void> {
    await this.execute(`DROP TABLE IF EXISTS ${this.dialect.table(ref)}`);
  }

  async exportParquet(sql: string, dir: string, opts: { prefix?: string; rowsPerShard?: number; params?: QueryParams } = {}): Promise<ParquetExport> {
    const prefix = opts.prefix ?? 'data';
    const d = this.dialect;
    // Written into a scratch folder, then renamed: readers never see a half-written shard. One row group per
    // file makes a shard about `rowsPerShard` rows (DuckDB rounds row groups up to whole 2,048-row vectors).
    const scratch = join(dir, `.${prefix}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(scratch, { recursive: true });
    try {
      await this.execute(
        `COPY (${sql}) TO ${d.literal(scratch)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${opts.rowsPerShard ?? 1_000_000}, ROW_GROUPS_PER_FILE 1, FILENAME_PATTERN 'part_{i}')`,
        opts.params,
      );
      const parts = (await readdir(scratch)).filter((f) => f.endsWith('.parquet')).sort((a, b) => partIndex(a) - partIndex(b));
      const n = parts.length === 0 ? 0
        : Number((await this.query(`SELECT count(*) AS n FROM read_parquet(${d.literal(join(scratch, '*.parquet'))})`))[0]!['n']);
      const name = (i: number) => `${prefix}-${String(i).padStart(5, '0')}-of-${String(parts.length).padStart(5, '0')}.parquet`;
      const files = parts.map((_, i) => join(dir, name(i)));
      for (const [i, part] of parts.entries()) await rename(join(scratch, part), files[i]!);
      return { files, rows: n };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    try {
      for (const c of this.#conns) c.closeSync();
      this.#instance.closeSync();
    } finally {
      await rm(this.#tmp, { recursive: true, force: true });
    }
  }

  async #run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const message = String((err as Error).message);
      const missing = /Table with name (\S+) does not exist|Catalog "([^"]+)" does not exist|Catalog Error: Table "([^"]+)" does not exist/.exec(message);
      if (missing) throw new TableNotFoundError(`warehouse: ${message.split('\n')[0]}`);
      throw new WarehouseError(`warehouse: ${message.split('\n')[0]}`);
    }
  }
}

function partIndex(file: string): number {
  return Number(/part_(\d+)/.exec(file)?.[1] ?? 0);
}

