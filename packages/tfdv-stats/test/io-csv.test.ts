// The CSV loader types columns as tfx-bsl's CSV decoder does (Python int()/float() on each cell's bytes, INT <
// FLOAT < STRING per column, an integer beyond int64 making the column STRING), stores FLOAT as float32 rounded
// from the double Python parses, and leaves empty cells NULL.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckdbWarehouse } from '@formalize/common/warehouse';
import { loadCsv } from '../src/io/csv-loader.ts';
import { openScratchWarehouse, testTable } from './stats-helpers.ts';

let wh: DuckdbWarehouse;
beforeAll(async () => {
  wh = await openScratchWarehouse();
});
afterAll(async () => {
  await wh.close();
});

async function load(name: string, csv: string, opts = {}) {
  const path = join(tmpdir(), `${name}-${process.pid}.csv`);
  await writeFile(path, csv);
  const loaded = await loadCsv(wh, testTable(name), path, opts);
  const rows = await wh.query(`SELECT * FROM ${wh.dialect.table(testTable(name))}`);
  const types = (await wh.getTable(testTable(name)))!.columns.map((c) => c.nativeType);
  return { ...loaded, rows, types };
}

describe('CSV loading with tfx-bsl typing', () => {
  it('types each column as the widest of its cells, with Python literal rules', async () => {
    const csv = [
      'int_ws,int_us,float_e,float_special,mixed,long_int,bad_us,text,empty',
      ' 7 ,1_000,1e5,nan,1,9223372036854775808,1__0,abc,',
      '+5,2,.5,inf,2.5,1,2,"q,r",',
      '-3,3,1.,-Infinity,x,2,3,"",',
      ',,,,,,,,',
    ].join('\n');
    const r = await load('typing', csv);
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['int_ws', 'INT'], ['int_us', 'INT'], ['float_e', 'FLOAT'], ['float_special', 'FLOAT'], ['mixed', 'STRING'],
      ['long_int', 'STRING'], ['bad_us', 'STRING'], ['text', 'STRING'], ['empty', 'STRING'],
    ]);
    expect(r.types).toEqual(['BIGINT', 'BIGINT', 'FLOAT', 'FLOAT', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR']);
    expect(r.rows.map((x) => x['int_ws'])).toEqual([7, 5, -3, null]);
    expect(r.rows.map((x) => x['int_us'])).toEqual([1000, 2, 3, null]);
    expect(r.rows.map((x) => x['float_e'])).toEqual([100000, 0.5, 1, null]);
    expect(r.rows.map((x) => String(x['float_special']))).toEqual(['NaN', 'Infinity', '-Infinity', 'null']);
    // STRING keeps the cell's text as it is; an empty cell (quoted or not) is NULL.
    expect(r.rows.map((x) => x['mixed'])).toEqual(['1', '2.5', 'x', null]);
    expect(r.rows.map((x) => x['text'])).toEqual(['abc', 'q,r', null, null]);
    expect(r.rows.map((x) => x['empty'])).toEqual([null, null, null, null]);
    expect(r.rows).toHaveLength(4);
  });

  it('rounds FLOAT to float32 from the double, overflowing to infinity as numpy does', async () => {
    const r = await load('float32', 'x\n0.1\n70.007\n3.4028235677973362e38\n3.4028235677973366e38\n-1e39\n');
    expect(r.rows.map((x) => x['x'])).toEqual([Math.fround(0.1), Math.fround(70.007), Math.fround(3.4028235677973362e38), Infinity, -Infinity]);
  });

  it('an all-empty column is STRING (TFDV, Arrow null type) or INT (TFX CSV ExampleGen >= 0.23), and blank lines are skipped', async () => {
    const csv = 'a,b\n1,\n\n2,\n';
    expect((await load('empty_tfdv', csv)).columns).toEqual([{ name: 'a', type: 'INT' }, { name: 'b', type: 'STRING' }]);
    const eg = await load('empty_eg', csv, { emptyColumnType: 'example-gen' });
    expect(eg.columns).toEqual([{ name: 'a', type: 'INT' }, { name: 'b', type: 'INT' }]);
    expect(eg.rows).toHaveLength(2);
  });

  it('reads other delimiters', async () => {
    const r = await load('tabs', 'a\tb\n1\tx\n2\ty\n', { delimiter: '\t' });
    expect(r.columns.map((c) => c.type)).toEqual(['INT', 'STRING']);
    expect(r.rows.map((x) => x['b'])).toEqual(['x', 'y']);
  });
});
