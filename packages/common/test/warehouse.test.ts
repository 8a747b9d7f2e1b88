// The embedded DuckDB warehouse: BigQuery names one to one, the shipped public sample, safe names, locks
// between processes, Parquet export.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DuckdbWarehouse, InvalidTableRefError, TAXI_TABLE, TableNotFoundError, WarehouseError, bigqueryDialect, checkColumnName,
  duckdbDialect, formatTableRef, openWarehouse, parseTableRef,
} from '../src/warehouse/index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warehouse-'));
});

describe('table names', () => {
  it('parses the forms BigQuery users write', () => {
    const want = { projectId: 'bigquery-public-data', datasetId: 'chicago_taxi_trips', tableId: 'taxi_trips' };
    expect(parseTableRef('bigquery-public-data.chicago_taxi_trips.taxi_trips')).toEqual(want);
    expect(parseTableRef('bq://bigquery-public-data.chicago_taxi_trips.taxi_trips')).toEqual(want);
    expect(parseTableRef('`bigquery-public-data.chicago_taxi_trips.taxi_trips`')).toEqual(want);
    expect(parseTableRef('example.com:proj.ds.t')).toEqual({ projectId: 'example.com:proj', datasetId: 'ds', tableId: 't' });
    expect(parseTableRef('ds.t', 'table', 'my-project')).toEqual({ projectId: 'my-project', datasetId: 'ds', tableId: 't' });
    expect(formatTableRef(want)).toBe('bigquery-public-data.chicago_taxi_trips.taxi_trips');
  });

  it('refuses names that could carry SQL, naming the field and the value', () => {
    expect(() => parseTableRef('p.d.t; DROP TABLE x', 'bq_table')).toThrow(/bq_table: invalid table id "t; DROP TABLE x"/);
    expect(() => parseTableRef('p.d"x.t', 'bq_table')).toThrow(InvalidTableRefError);
    expect(() => parseTableRef('Upper.d.t', 'bq_table')).toThrow(/bq_table: invalid project id "Upper"/);
    expect(() => parseTableRef('only.two', 'bq_table')).toThrow(/bq_table: expected "project.dataset.table" \(got "only.two"\)/);
    expect(() => parseTableRef('', 'bq_table')).toThrow(/bq_table: expected a table name/);
    expect(() => checkColumnName('a b', 'columns[1]')).toThrow(/columns\[1\]: invalid column name "a b"/);
    expect(checkColumnName('trip_miles')).toBe('trip_miles');
  });

  it('quotes identifiers and literals per dialect', () => {
    const ref = { projectId: 'p-1', datasetId: 'd', tableId: 't x' };
    expect(duckdbDialect.table(ref)).toBe('"p-1"."d"."t x"');
    expect(bigqueryDialect.table(ref)).toBe('`p-1.d.t x`');
    expect(duckdbDialect.literal("it's")).toBe("'it''s'");
    expect(bigqueryDialect.literal("it's")).toBe("'it\\'s'");
    expect(duckdbDialect.ident('a"b')).toBe('"a""b"');
    expect(() => duckdbDialect.literal(Number.NaN)).toThrow(/non-finite/);
    expect(duckdbDialect.rewriteTableRefs('SELECT * FROM `p-1.d.t` JOIN `q.e.u` USING (k)', (n) => parseTableRef(n)))
      .toBe('SELECT * FROM "p-1"."d"."t" JOIN "q"."e"."u" USING (k)');
  });
});

describe('DuckDB warehouse', () => {
  it('serves the shipped Chicago taxi sample under its public BigQuery name', async () => {
    const wh = await DuckdbWarehouse.open({ dir });
    try {
      const info = await wh.getTable(TAXI_TABLE);
      expect(info?.numRows).toBe(15002);
      expect(info?.columns.map((c) => `${c.name}:${c.type}`)).toContain('trip_start_timestamp:TIMESTAMP');
      expect(info?.columns.map((c) => `${c.name}:${c.type}`)).toContain('fare:FLOAT64');
      const [row] = await wh.query(`SELECT ${wh.dialect.extract('YEAR', 'trip_start_timestamp')} AS y, ${wh.dialect.extract('DAYOFWEEK', 'trip_start_timestamp')} AS dow, count(*) AS n
        FROM ${wh.dialect.table(TAXI_TABLE)} WHERE trip_start_timestamp = TIMESTAMP '2014-05-16 19:45:00' GROUP BY ALL`);
      // 2014-05-16 is a Friday: BigQuery's DAYOFWEEK numbers it 6.
      expect(row).toMatchObject({ y: 2014, dow: 6 });
    } finally {
      await wh.close();
    }
    expect((await readdir(dir)).filter((f) => !f.startsWith('.'))).toEqual(['bigquery-public-data.duckdb']);
  });

  it('creates project tables from SQL, reads them back in chunks and exports Parquet shards', async () => {
    const wh = await DuckdbWarehouse.open({ dir, writeProjects: ['my-project'] });
    const ref = parseTableRef('my-project.ds.numbers');
    try {
      expect(await wh.createTableAs(ref, 'SELECT range AS x, range % 3 AS k FROM range(5000)')).toBe(5000);
      expect((await wh.getTable(ref))?.columns.map((c) => c.type)).toEqual(['INT64', 'INT64']);
      let seen = 0;
      for await (const chunk of wh.stream(`SELECT x FROM ${wh.dialect.table(ref)} WHERE k = $k`, { k: 1 })) seen += chunk.length;
      expect(seen).toBe(1667);
      const out = await mkdtemp(join(tmpdir(), 'parquet-'));
      const exp = await wh.exportParquet(`SELECT * FROM ${wh.dialect.table(ref)} ORDER BY x`, out, { prefix: 'train', rowsPerShard: 2048 });
      expect(exp.rows).toBe(5000);
      expect(exp.files.map((f) => f.slice(out.length + 1))).toEqual(['train-00000-of-00003.parquet', 'train-00001-of-00003.parquet', 'train-00002-of-00003.parquet']);
      expect(await readdir(out)).toHaveLength(3);
      const [{ n, mx }] = (await wh.query(`SELECT count(*) AS n, max(x) AS mx FROM read_parquet(${wh.dialect.literal(exp.files[2]!)})`)) as [{ n: number; mx: number }];
      expect({ n, mx }).toEqual({ n: 5000 - 4096, mx: 4999 });
      const empty = await wh.exportParquet(`SELECT * FROM ${wh.dialect.table(ref)} WHERE false`, out, { prefix: 'none' });
      expect(empty.rows).toBe(0);
    } finally {
      await wh.close();
    }
    // Read-only elsewhere: the project is still there for the next process.
    const again = await DuckdbWarehouse.open({ dir });
    try {
      expect((await again.getTable(ref))?.numRows).toBe(5000);
      await expect(again.createTableAs(parseTableRef('my-project.ds.other'), 'SELECT 1')).rejects.toThrow(WarehouseError);
    } finally {
      await again.close();
    }
  });

  it('names a missing table', async () => {
    const wh = await DuckdbWarehouse.open({ dir });
    try {
      expect(await wh.getTable(parseTableRef('nope.ds.t'))).toBeUndefined();
      await expect(wh.query('SELECT * FROM "nope"."ds"."t"')).rejects.toThrow(TableNotFoundError);
      await expect(wh.query('SELECT * FROM "nope"."ds"."t"')).rejects.toThrow(/nope/);
    } finally {
      await wh.close();
    }
  });

  it('waits for another process that writes the same project, then sees its table', async () => {
    const first = await DuckdbWarehouse.open({ dir, writeProjects: ['shared'] });
    await first.createTableAs(parseTableRef('shared.ds.t'), 'SELECT 42 AS answer');
    const child = spawn(process.execPath, ['-e', `
      import('${join(import.meta.dirname, '../src/warehouse/index.ts')}').then(async (m) => {
        const wh = await m.DuckdbWarehouse.open({ dir: ${JSON.stringify(dir)}, onWait: (s) => console.log('WAIT ' + s) });
        console.log('ROWS ' + JSON.stringify(await wh.query('SELECT answer FROM "shared"."ds"."t"')));
        await wh.close();
      });`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const exited = new Promise((r) => child.on('exit', r));
    const waiting = new Promise<void>((resolve) => child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('WAIT')) resolve();
    }));
    // Hold the lock until the child says it waits for it (its start-up time varies with the machine's load), or
    // until it exits without waiting, which the assertions below then report.
    await Promise.race([waiting, exited]);
    expect(out).not.toContain('ROWS');
    await first.close();
    const code = await exited;
    expect(code).toBe(0);
    expect(out).toMatch(/WAIT warehouse: waiting for another process to release project "shared"/);
    expect(out).toContain('ROWS [{"answer":42}]');
  });

  it('openWarehouse needs FORMALIZE_WAREHOUSE and says how to set it', async () => {
    await expect(openWarehouse({ env: {} })).rejects.toThrow(/set FORMALIZE_WAREHOUSE/);
    const wh = await openWarehouse({ env: { FORMALIZE_WAREHOUSE: dir } });
    expect(wh.kind).toBe('duckdb');
    await wh.close();
  });
});
