// Benchmark of the statistics engine (not a timed test): TFDV-compatible statistics of one table computed in the
// warehouse (@formalize/tfdv-stats generateStatistics, DuckDB) next to pandas computing the same statistics
// (counts, missing, mean, std, min, max, zeros, 1,000 quantiles and median, 10-bucket histograms; value counts, top
// values, uniques and average length for strings), in the same run. Each side runs in its own process, which
// reports its peak RSS. Figures are medians of BENCH_ROUNDS rounds after one warm-up round.
//
//   node bench/stats.ts                  # 1M and 10M rows
//   BENCH_ROWS=1000000 BENCH_ROUNDS=5 node bench/stats.ts
//
// The table: 3 FLOAT64 (fare-like, trip_miles-like with NULLs, a latitude with ~4M distinct values so the
// approximate-quantile path runs too), 5 INT64 (hour, day, month, seconds with NULLs, 15-minute timestamps) and
// 3 STRING columns (10, 200 with 30% NULL, 1000 distinct values), from range() and hash(): deterministic.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckdbWarehouse, parseTableRef } from '@formalize/common/warehouse';
import { generateStatistics } from '../packages/tfdv-stats/src/stats/generate.ts';

const TABLE = parseTableRef('bench.data.trips');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const SIZES = (process.env['BENCH_ROWS'] ?? '1000000,10000000').split(',').map(Number);
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-pandas

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

function tableSql(rows: number): string {
  const u = (k: number) => `((hash(i, ${k}) % 1000000) / 1e6)`;
  return `SELECT
    round(2.5 + 47.5 * pow(${u(1)}, 3), 2)::DOUBLE AS fare,
    CASE WHEN hash(i, 2) % 20 = 0 THEN NULL ELSE round(30 * pow(${u(3)}, 2), 1) END::DOUBLE AS trip_miles,
    (41.64 + (hash(i, 4) % 4000000) / 1e7)::DOUBLE AS pickup_latitude,
    (hash(i, 5) % 24)::BIGINT AS trip_start_hour,
    (1 + hash(i, 6) % 7)::BIGINT AS trip_start_day,
    (1 + hash(i, 7) % 12)::BIGINT AS trip_start_month,
    CASE WHEN hash(i, 8) % 33 = 0 THEN NULL ELSE (hash(i, 9) % 7200)::BIGINT END AS trip_seconds,
    (1356998400 + 900 * (hash(i, 10) % 140000))::BIGINT AS trip_start_timestamp,
    'payment_' || CAST(floor(10 * pow(${u(11)}, 2)) AS BIGINT) AS payment_type,
    CASE WHEN hash(i, 12) % 10 < 3 THEN NULL ELSE 'Company ' || (hash(i, 13) % 200) END AS company,
    'area_' || (hash(i, 14) % 1000) AS community_area
  FROM range(${rows}) t(i)`;
}

interface WorkerResult { times: number[]; maxRssKb: number; load?: number; queries?: number; approximate?: string[] }

// --- workers: each measures itself and prints one JSON line --------------------------------------------------------

async function oursWorker(dir: string, rounds: number): Promise<void> {
  const wh = await DuckdbWarehouse.open({ dir });
  const times: number[] = [];
  let queries = 0;
  let approximate: string[] = [];
  try {
    for (let r = 0; r <= rounds; r++) {
      const t0 = performance.now();
      const res = await generateStatistics(wh, TABLE);
      if (r > 0) times.push((performance.now() - t0) / 1000);
      queries = res.queries;
      approximate = Object.entries(res.quantiles).filter(([, m]) => m === 'sampled').map(([f]) => f);
    }
  } finally {
    await wh.close();
  }
  const result: WorkerResult = { times, maxRssKb: process.resourceUsage().maxRSS, queries, approximate };
  console.log(JSON.stringify(result));
}

const PANDAS = String.raw`
import json, resource, sys, time
import numpy as np, pandas as pd
path, rounds = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter(); df = pd.read_csv(path); load = time.perf_counter() - t0
numeric = [c for c in df.columns if df[c].dtype.kind in 'if']
strings = [c for c in df.columns if df[c].dtype == object]
Q = [i / 1000 for i in range(1001)]
def statistics():
    n = len(df); out = {}
    for c in numeric:
        v = df[c].dropna()
        q = v.quantile(Q).tolist()
        counts, _ = np.histogram(v.to_numpy(), bins=10)
        out[c] = dict(count=int(v.size), missing=n - int(v.size), mean=float(v.mean()), std=float(v.std(ddof=0)), min=float(v.min()),
                      max=float(v.max()), zeros=int((v == 0).sum()), median=q[500], quantiles=q, histogram=counts.tolist())
    for c in strings:
        v = df[c].dropna()
        vc = v.value_counts()
        top = vc.rename_axis('value').reset_index(name='count').sort_values(['count', 'value'], ascending=False).head(1000)
        out[c] = dict(count=int(v.size), missing=n - int(v.size), unique=int(vc.size), top=top.head(20).values.tolist(), avg_length=float(v.str.len().mean()))
    return out
times = []
for r in range(rounds + 1):
    t = time.perf_counter(); statistics(); d = time.perf_counter() - t
    if r > 0: times.append(d)
print(json.dumps(dict(times=times, load=load, maxRssKb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
`;

// --- driver -------------------------------------------------------------------------------------------------------

function run(cmd: string, args: string[]): WorkerResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkerResult;
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  for (const n of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-stats-'));
    try {
      const csv = join(dir, 'trips.csv');
      const wh = await DuckdbWarehouse.open({ dir, writeProjects: ['bench'] });
      try {
        await wh.createTableAs(TABLE, tableSql(n));
        await wh.execute(`COPY ${wh.dialect.table(TABLE)} TO ${wh.dialect.literal(csv)} (HEADER, DELIMITER ',')`);
      } finally {
        await wh.close();
      }
      const ours = run(process.execPath, [import.meta.filename, '--worker', dir, String(ROUNDS)]);
      const pandas = run(PYTHON, ['-c', PANDAS, csv, String(ROUNDS)]);
      const [o, p] = [median(ours.times), median(pandas.times)];
      rows.push([
        n.toLocaleString('en-US'), `${o.toFixed(2)} s`, `${p.toFixed(2)} s`, `${(p / o).toFixed(1)}x`,
        `${(ours.maxRssKb / 1024).toFixed(0)} MB`, `${(pandas.maxRssKb / 1024).toFixed(0)} MB`, `${pandas.load!.toFixed(1)} s`,
        `${ours.queries} (${ours.approximate!.join(', ') || 'none'} sampled)`,
      ]);
      console.error(`${n} rows: ours ${ours.times.map((t) => t.toFixed(2)).join(' ')} s, pandas ${pandas.times.map((t) => t.toFixed(2)).join(' ')} s`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const header = ['rows', 'ours (DuckDB SQL)', 'pandas', 'speed-up', 'ours peak RSS', 'pandas peak RSS', 'pandas read_csv (not timed)', 'queries'];
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`);
  console.log(`\nmedian of ${ROUNDS} rounds after a warm-up; 11 columns (3 FLOAT64, 5 INT64, 3 STRING); ${process.versions.node} / pandas (Debian) on ${(await import('node:os')).cpus().length} cores`);
}

if (process.argv[2] === '--worker') await oursWorker(process.argv[3]!, Number(process.argv[4]));
else await main();
