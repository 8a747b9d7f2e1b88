// Benchmark (not a timed test): preprocessing throughput and peak RSS on a synthetic feature table of
// BENCH_ROWS rows (default 1M) generated with SQL over range(), run through the executor protocol in a child
// process as the launcher would. Peer in the same run: the same split + z-score + vocabulary lookup written
// as one DuckDB SQL COPY (the separate SQL re-implementation the component deliberately does not use).
//   node bench/preprocess.ts            BENCH_ROWS=10000000 node bench/preprocess.ts
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseTransformArtifact, splitDialectFor } from '@formalize/common/transform';
import type { TransformArtifact } from '@formalize/common/transform';
import { DuckdbWarehouse, duckdbDialect as d, parseTableRef } from '@formalize/common/warehouse';
import { CATEGORICAL, LABEL, NUMERIC, executorInput, outputPath } from '../packages/dataflow-preprocess/test/helpers.ts';

const ROWS = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
const TABLE = 'bench-project.taxi.features';
const PKG = join(import.meta.dirname, '../packages/dataflow-preprocess');
const work = mkdtempSync(join(tmpdir(), 'bench-preprocess-'));
const warehouse = join(work, 'warehouse');

// Taxi-like columns: small integer categoricals, 6 payment types, a 10x10 grid (100 cells, 10,000 crossings).
const h = (k: number) => `hash(i, ${k})`;
const FEATURES = `
  SELECT CAST(1 + ${h(1)} % 12 AS BIGINT) AS trip_month, CAST(1 + ${h(2)} % 31 AS BIGINT) AS trip_day,
    CAST(1 + ${h(3)} % 7 AS BIGINT) AS trip_day_of_week, CAST(${h(4)} % 24 AS BIGINT) AS trip_hour,
    CAST(60 + ${h(5)} % 3600 AS DOUBLE) AS trip_seconds, CAST(${h(6)} % 20000 AS DOUBLE) / 1000 AS trip_miles,
    ['Cash', 'Credit Card', 'Mobile', 'Prcard', 'Unknown', 'No Charge'][CAST(1 + ${h(7)} % 6 AS BIGINT)] AS payment_type,
    'POINT(-87.' || ${h(8)} % 10 || ' 41.' || ${h(9)} % 10 || ')' AS pickup_grid,
    'POINT(-87.' || ${h(10)} % 10 || ' 41.' || ${h(11)} % 10 || ')' AS dropoff_grid,
    CAST(${h(12)} % 3000000 AS DOUBLE) / 100 AS euclidean,
    CAST(${h(13)} % 2 AS BIGINT) AS tip_bin
  FROM range(${ROWS}) t(i)`;

const t0 = performance.now();
const wh = await DuckdbWarehouse.open({ dir: warehouse, writeProjects: ['bench-project'] });
await wh.createTableAs(parseTableRef(TABLE), `SELECT *, pickup_grid || dropoff_grid AS loc_cross FROM (${FEATURES})`);
await wh.close();
const generate = (performance.now() - t0) / 1000;

interface Measured { seconds: number; maxRssMB: number; stderr: string }

/** Runs `args` in a child node whose peak RSS is recorded by a preload at exit. */
function measure(args: string[], env: Record<string, string>): Measured {
  const usage = join(work, `usage-${Math.random().toString(36).slice(2)}.json`);
  const preload = join(work, 'usage-preload.mjs');
  writeFileSync(preload, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(usage)}, JSON.stringify(process.resourceUsage())));\n`);
  const start = performance.now();
  const r = spawnSync(process.execPath, ['--import', preload, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - start) / 1000;
  if (r.status !== 0) throw new Error(`child failed (${r.status}):\n${r.stderr.slice(-4000)}`);
  return { seconds, maxRssMB: JSON.parse(readFileSync(usage, 'utf8')).maxRSS / 1024, stderr: r.stderr };
}

// 1. The component, end to end through the executor protocol.
const dir = join(work, 'run');
const ei = executorInput(dir, { bq_table: TABLE, numeric_features: NUMERIC, categorical_features: CATEGORICAL, label_column: LABEL });
const component = measure([join(PKG, 'src/main.ts'), '--component', 'dataflow-preprocess', '--executor_input', JSON.stringify(ei)],
  { FORMALIZE_GCS_MOUNT: join(dir, 'gcs'), FORMALIZE_WAREHOUSE: warehouse });
const logs = component.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
const transformed = logs.find((l) => l['message'] === 'transformed')!;
const analyzing = logs.find((l) => l['message'] === 'analyzing the train split')!;
const analyzed = logs.find((l) => l['message'] === 'analyzed')!;
const analysisSeconds = (Date.parse(String(analyzed['time'])) - Date.parse(String(analyzing['time']))) / 1000;
const artifact = parseTransformArtifact(JSON.parse(readFileSync(outputPath(dir, 'transform'), 'utf8')));

// 2. Peer: the same outputs' transform as SQL (split, z-score, vocabulary position), one COPY per split.
function sqlTransform(a: TransformArtifact): string {
  const cols = a.features.map((f) => {
    const x = d.ident(f.name);
    if (f.op === 'z_score') return `CASE WHEN ${x} IS NULL THEN 0 ELSE (${x} - ${f.mean}) / ${f.std > 0 ? f.std : 1} END AS ${x}`;
    const list = `[${f.vocabulary.map((t) => d.literal(t)).join(', ')}]`;
    return `COALESCE(list_position(${list}, CAST(${x} AS VARCHAR)) - 1, ${f.vocabulary.length}) AS ${x}`;
  });
  const bucket = splitDialectFor('duckdb').bucket(a.split);
  return `SELECT ${cols.join(', ')}, ${d.ident(a.label.name)}, ${bucket} AS b FROM ${d.table(parseTableRef(TABLE))}`;
}
const peerScript = join(work, 'peer.ts');
writeFileSync(peerScript, `
import { DuckdbWarehouse } from ${JSON.stringify(join(PKG, '../common/src/warehouse/index.ts'))};
const wh = await DuckdbWarehouse.open({ dir: ${JSON.stringify(warehouse)} });
const sql = ${JSON.stringify(sqlTransform(artifact))};
for (const [name, lo, hi] of [['train', 0, 80], ['val', 80, 90], ['test', 90, 100]]) {
  await wh.exportParquet(\`SELECT * EXCLUDE (b) FROM (\${sql}) WHERE b >= \${lo} AND b < \${hi}\`, ${JSON.stringify(join(work, 'peer'))}, { prefix: name, rowsPerShard: 500000 });
}
await wh.close();
`);
const peer = measure([peerScript], {});

const rate = (rows: number, s: number) => `${Math.round(rows / s).toLocaleString('en-US')} rows/s`;
console.log(`\nPreprocessing ${ROWS.toLocaleString('en-US')} rows (synthetic taxi features, 3 numeric + 8 categorical + label; table generated in ${generate.toFixed(1)} s)\n`);
console.log('| measure | dataflow-preprocess (stream + applyTransform + appender) | peer: same transform as one SQL COPY |');
console.log('| --- | --- | --- |');
console.log(`| wall time, whole process | ${component.seconds.toFixed(1)} s | ${peer.seconds.toFixed(1)} s |`);
console.log(`| throughput, whole process | ${rate(ROWS, component.seconds)} | ${rate(ROWS, peer.seconds)} |`);
console.log(`| analysis (2 SQL scans: moments, vocabularies) | ${analysisSeconds.toFixed(1)} s | (reuses the artifact) |`);
console.log(`| transform phase (stream, transform, write) | ${Number(transformed['seconds']).toFixed(1)} s, ${rate(ROWS, Number(transformed['seconds']))} | |`);
console.log(`| peak RSS | ${component.maxRssMB.toFixed(0)} MB | ${peer.maxRssMB.toFixed(0)} MB |`);
rmSync(work, { recursive: true, force: true });
