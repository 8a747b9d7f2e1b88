// Benchmark (not a timed test): the whole data pipeline on the seed's limit, 300,000 trips, on this machine.
// Synthetic trips of one year (2020, the seed's year) are generated into the warehouse first (not timed as part of
// the pipeline), then the compiled `data-preprocessing` IR runs with the local runner and the process launcher
// exactly as `formalize run` does: extract (feature SQL) -> statistics + schema -> validation -> split/transform to
// Parquet -> dataset registration. Reports wall time per task and in all, and the runner's peak RSS plus each
// task's. Peer: the seed ran this on BigQuery + Dataflow; there is no same-machine peer for the whole pipeline, so the
// stage figures sit next to the stage benchmarks (bench/stats.ts vs pandas, bench/preprocess.ts vs one SQL COPY).
//   node bench/data-pipeline.ts             BENCH_TRIPS=1000000 BENCH_LIMIT=300000 BENCH_ROUNDS=3
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseIrYaml, type PipelineSpec } from '@formalize/common';
import { DuckdbWarehouse, generateTaxiTrips, parseTableRef } from '@formalize/common/warehouse';
import { createProcessLauncher, runPipeline } from '@formalize/runner';

const root = join(import.meta.dirname, '..');
const TRIPS = Number(process.env['BENCH_TRIPS'] ?? 1_000_000);
const LIMIT = Number(process.env['BENCH_LIMIT'] ?? 300_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const TABLE = 'bench-project.chicago_taxi_trips.taxi_trips';
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

const spec = parseIrYaml(readFileSync(join(root, 'pipelines/compiled/data-preprocessing.yaml'), 'utf8')).documents[0] as PipelineSpec;
const work = mkdtempSync(join(tmpdir(), 'bench-data-pipeline-'));
const warehouse = join(work, 'warehouse');
try {
  const t0 = performance.now();
  const wh = await DuckdbWarehouse.open({ dir: warehouse, writeProjects: ['bench-project'] });
  await generateTaxiTrips(wh, { table: parseTableRef(TABLE), rows: TRIPS, seed: 7, drift: { year: 2020 } });
  await wh.close();
  console.log(`generated ${TRIPS.toLocaleString('en-US')} synthetic trips of 2020 in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const totals: number[] = [];
  const perTask = new Map<string, number[]>();
  let rows = 0;
  for (let r = 0; r < ROUNDS; r++) {
    // A fresh pipeline root per round (nothing cached), sharing the generated warehouse.
    const pipelineRoot = join(work, `root-${r}`);
    const launcher = createProcessLauncher({ workspaceRoot: root });
    const started = performance.now();
    const run = await runPipeline(spec, {
      pipelineRoot,
      parameters: { bq_table: TABLE, year: 2020, limit: LIMIT },
      launchers: [launcher],
      parallelism: cpus().length,
      env: { FORMALIZE_WAREHOUSE: warehouse },
    });
    totals.push((performance.now() - started) / 1000);
    if (run.state !== 'SUCCEEDED') throw new Error(`round ${r}: run ${run.state}: ${JSON.stringify(run.tasks.filter((t) => t.state === 'FAILED').map((t) => t.error))}`);
    rows = run.outputs.parameters['row_count'] as number;
    for (const t of run.tasks) {
      const d = (Date.parse(t.endTime!) - Date.parse(t.startTime!)) / 1000;
      perTask.set(t.id, [...(perTask.get(t.id) ?? []), d]);
    }
  }
  console.log(`\n| measurement (${rows.toLocaleString('en-US')} trips, median of ${ROUNDS}) | seconds |`);
  console.log('|---|---|');
  console.log(`| whole pipeline, uncached (goal < 60 s) | ${median(totals).toFixed(1)} |`);
  for (const [task, ds] of perTask) console.log(`| task ${task} | ${median(ds).toFixed(1)} |`);
  console.log(`\nbenchmark process peak RSS (runner + synthetic generation; tasks are child processes) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
