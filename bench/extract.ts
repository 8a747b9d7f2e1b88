// Benchmark: the synthetic generator's rate at 1M and 10M rows, and the feature extraction over the 10M-row table,
// each next to a peer in the same run: for generation DuckDB writing as many random rows of the same columns (the
// floor of writing that table), for extraction a plain filtered copy of the same year.
//   node packages/bq-extract/bench/extract.ts [--rows 1000000,10000000]
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckdbWarehouse, generateTaxiTrips, parseTableRef, TAXI_COLUMNS } from '@formalize/common/warehouse';
import { duckdbExtractDialect as d } from '../packages/bq-extract/src/extract/dialect.ts';
import { featureQuery } from '../packages/bq-extract/src/extract/feature-query.ts';
import { materialize } from '../packages/bq-extract/src/extract/materialize.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000,10000000' } } });
const sizes = values.rows.split(',').map(Number);
const dir = await mkdtemp(join(tmpdir(), 'bq-extract-bench-'));
const wh = await DuckdbWarehouse.open({ dir, writeProjects: ['bench'] });
const results: string[][] = [];
const rate = (rows: number, ms: number) => `${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s`;
const time = async (f: () => Promise<unknown>) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};

try {
  for (const rows of sizes) {
    const started = performance.now();
    let generating = started;
    const gen = await time(() => generateTaxiTrips(wh, { table: `bench.taxi.trips_${rows}`, rows, seed: 1, onProgress: (done) => { if (done === 0) generating = performance.now(); } }));
    results.push([`generate ${rows.toLocaleString('en-US')} rows`, `${(gen / 1000).toFixed(1)} s`, rate(rows, gen), `of which learning the model ${((generating - started) / 1000).toFixed(1)} s`]);
    // The same parallel source of row numbers as the generator (range() is a single-threaded source in DuckDB).
    await wh.execute(`CREATE OR REPLACE TEMP TABLE ids AS SELECT range AS i FROM range(${rows})`);
    const peer = await time(() => wh.execute(`CREATE OR REPLACE TABLE "bench"."taxi"."random_${rows}" AS SELECT ${TAXI_COLUMNS.map(([name, type]) =>
      `CAST(${type === 'VARCHAR' ? "'Credit Card'" : type === 'TIMESTAMP' ? 'make_timestamp((1.4e15 + random() * 1e14)::BIGINT)' : 'random() * 100'} AS ${type}) AS "${name}"`).join(', ')}
      FROM ids`));
    results.push([`  peer: random values, same columns`, `${(peer / 1000).toFixed(1)} s`, rate(rows, peer), '']);
  }
  const largest = Math.max(...sizes);
  const source = parseTableRef(`bench.taxi.trips_${largest}`);
  const info = (await wh.getTable(source))!;
  const types = new Map(info.columns.map((c) => [c.name, c.type]));
  for (const limit of [undefined, 300000]) {
    let n = 0;
    const q = featureQuery(d, { source, sourceTypes: types, year: 2014, limit });
    const ms = await time(async () => { n = await materialize(wh, d, parseTableRef(`bench.features.y2014_${limit ?? 'all'}`), q, async () => new Error('empty')); });
    results.push([`extract features 2014${limit ? `, limit ${limit.toLocaleString('en-US')}` : ''} from ${largest.toLocaleString('en-US')}`, `${(ms / 1000).toFixed(1)} s`, rate(largest, ms), `${n.toLocaleString('en-US')} rows written`]);
  }
  const copy = await time(() => wh.createTableAs(parseTableRef('bench.features.copy_2014'), `SELECT * FROM ${d.table(source)} WHERE year(trip_start_timestamp) = 2014`));
  results.push(['  peer: plain copy of 2014', `${(copy / 1000).toFixed(1)} s`, rate(largest, copy), '']);
} finally {
  await wh.close();
  await rm(dir, { recursive: true, force: true });
}

const widths = [0, 1, 2, 3].map((i) => Math.max(...results.map((r) => r[i]!.length)));
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on this machine during the run`);
for (const r of results) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
