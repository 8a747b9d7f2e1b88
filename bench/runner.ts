// Issue 3 benchmarks: runner overhead on no-op pipelines in process mode.
// - 50 tasks (fan-out 10 x depth 5), uncached and fully cached, parallelism 2;
// - a 10-task sequential chain (the kfp.local SubprocessRunner reference: 0.63 s, 63 ms/task, measured
//   on this machine kind by the author; kfp cannot be installed here, so it is not re-run);
// - the runner's own time per task, with a launcher that does not start a process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from '@formalize/dsl';
import { createProcessLauncher, runPipeline, type Launcher, type RunOptions } from '@formalize/runner';
import { noopChain, noopOp } from './noop-chain.ts';

const root = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

const grid = pipeline({ name: 'bench-grid' }, () => {
  for (let col = 0; col < 10; col++) {
    let prev: ReturnType<typeof noopOp> | undefined;
    for (let depth = 0; depth < 5; depth++) {
      const t = noopOp({ note: `c${col}-d${depth}` });
      if (prev) t.after(prev);
      prev = t;
    }
  }
}).compile();
const chain = noopChain('bench-chain');

if (spawnSync('npx', ['nx', 'run', '@formalize/hello:build', '--outputStyle=static'], { cwd: root, stdio: 'ignore' }).status !== 0) throw new Error('build failed');
const process_ = createProcessLauncher({ workspaceRoot: root });
const perTask = createProcessLauncher({ workspaceRoot: root, reuseWorkers: false });
// Counts the runner alone: the task "runs" without a child process.
const inert: Launcher = { name: 'process', canRun: async () => true, launch: async () => ({ exitCode: 0, signal: null }) };

async function timeRun(spec: unknown, opts: Partial<RunOptions> & { pipelineRoot: string }): Promise<number> {
  const t0 = performance.now();
  const r = await runPipeline(spec, { launchers: [process_], parallelism: 2, ...opts });
  if (r.state !== 'SUCCEEDED') throw new Error(`benchmark run ${r.state}: ${r.error}`);
  return performance.now() - t0;
}

const rows: string[][] = [];
const work = mkdtempSync(join(tmpdir(), 'formalize-bench-runner-'));
const results: Record<string, number[]> = { gridUncached: [], gridCached: [], chain: [], gridInert: [], gridPerTask: [], chainPerTask: [] };
for (let i = 0; i < ROUNDS; i++) {
  const r = join(work, `grid-${i}`);
  results.gridUncached!.push(await timeRun(grid, { pipelineRoot: r }));
  results.gridCached!.push(await timeRun(grid, { pipelineRoot: r }));
  results.chain!.push(await timeRun(chain, { pipelineRoot: join(work, `chain-${i}`), cache: false }));
  results.gridPerTask!.push(await timeRun(grid, { pipelineRoot: join(work, `pertask-${i}`), launchers: [perTask], cache: false }));
  results.chainPerTask!.push(await timeRun(chain, { pipelineRoot: join(work, `chainpt-${i}`), launchers: [perTask], cache: false }));
  results.gridInert!.push(await timeRun(grid, { pipelineRoot: join(work, `inert-${i}`), launchers: [inert], cache: false }));
}
rmSync(work, { recursive: true, force: true });
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
rows.push(['50 no-op tasks (10 x 5), uncached, process mode', s(median(results.gridUncached!)), `${(median(results.gridUncached!) / 50).toFixed(1)} ms`, '< 8 s']);
rows.push(['50 no-op tasks, fully cached re-run', s(median(results.gridCached!)), `${(median(results.gridCached!) / 50).toFixed(1)} ms`, '< 1 s']);
rows.push(['10-task sequential chain, uncached', s(median(results.chain!)), `${(median(results.chain!) / 10).toFixed(1)} ms`, '< 50 ms/task (kfp.local: 0.63 s, 63 ms/task)']);
rows.push(['50 no-op tasks, one new process per task (reuseWorkers: false)', s(median(results.gridPerTask!)), `${(median(results.gridPerTask!) / 50).toFixed(1)} ms`, '< 8 s']);
rows.push(['10-task chain, one new process per task', s(median(results.chainPerTask!)), `${(median(results.chainPerTask!) / 10).toFixed(1)} ms`, '(kfp.local: 63 ms/task)']);
rows.push(["runner's own time (50 tasks, no child processes)", s(median(results.gridInert!)), `${(median(results.gridInert!) / 50).toFixed(1)} ms`, '< 10 ms/task']);
console.log(`Node ${process.version}, parallelism 2, ${ROUNDS} rounds, medians\n`);
console.log('| measurement | total | per task | goal |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
