// Benchmark of the tune component (not a timed test), on the sample data (the data pipeline's output for the
// bundled Chicago taxi sample, in a temp pipeline root) with the real trainer:
//   isolation: two 10-epoch trials at once in worker threads vs in child processes, and the same two one after the
//      other (what parallelism 2 buys on this machine's 2 cores with TF.js WASM, single-threaded in Node);
//   studies: 16 trials, parallelism 2, through the component (executor protocol in-process, trials in worker
//      threads, ML Metadata records): wall time, trials running at once, and the best val_loss of gp, tpe and random
//      over BENCH_SEEDS seeds (median, and per seed), the peer being random search in the same run.
//   node bench/tune.ts               BENCH_SEEDS=3 BENCH_ROUNDS=3 BENCH_TRIALS=16 BENCH_PARTS=isolation,studies
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runExecutor } from '@formalize/common';
import { DEFAULT_HYPERPARAMETERS } from '@formalize/common/hyperparameters';
import { buildBaseModelArtifact, runDataPipeline } from '../packages/train/test/tune-e2e-fixture.ts';
import { tune } from '../packages/train/src/components/tune.ts';
import { createTrialRunner, type Isolation } from '../packages/train/src/tuning/trial-runner.ts';
import type { ArtifactRef, TrialRequest } from '../packages/train/src/tuning/trial.ts';

const root = join(import.meta.dirname, '..');
const SEEDS = Number(process.env['BENCH_SEEDS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const TRIALS = Number(process.env['BENCH_TRIALS'] ?? 16);
const PARTS = new Set((process.env['BENCH_PARTS'] ?? 'isolation,studies').split(','));
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
type Row = [string, string];

async function isolation(work: string, dataset: ArtifactRef, baseModel: ArtifactRef): Promise<Row[]> {
  const request = (id: string): TrialRequest => ({
    trialId: id, hyperparameters: { ...DEFAULT_HYPERPARAMETERS, learning_rate: 0.001, batch_size: 32, epochs: 10, early_stop: { monitor: 'val_loss', patience: 100 } },
    dataset, baseModel, workDir: join(work, `trial-${id}`), seed: 1,
  });
  const signal = new AbortController().signal;
  const times: Record<Isolation | 'sequential', number[]> = { thread: [], process: [], sequential: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const isolation of ['thread', 'process'] as const) {
      const run = createTrialRunner({ module: join(root, 'packages/train/src/tuning/train-trial.ts'), objective: { metric: 'val_loss', goal: 'minimize' }, isolation });
      const t0 = performance.now();
      await Promise.all([run(request('a'), signal), run(request('b'), signal)]);
      times[isolation].push(performance.now() - t0);
      if (isolation === 'thread') {
        const t1 = performance.now();
        await run(request('c'), signal);
        await run(request('d'), signal);
        times.sequential.push(performance.now() - t1);
      }
    }
  }
  return [
    [`two 10-epoch trials at once, worker threads (median of ${ROUNDS})`, s(median(times.thread))],
    [`two 10-epoch trials at once, child processes (median of ${ROUNDS})`, s(median(times.process))],
    [`the same two trials one after the other, one thread at a time (median of ${ROUNDS})`, s(median(times.sequential))],
  ];
}

async function studies(work: string, dataset: ArtifactRef, baseModel: ArtifactRef): Promise<Row[]> {
  const bestByAlgorithm: Record<string, number[]> = { gp: [], tpe: [], random: [] };
  const wall: number[] = [];
  const busy: number[] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    for (const algorithm of ['gp', 'tpe', 'random'] as const) {
      const dir = mkdtempSync(join(work, `study-${algorithm}-${seed}-`));
      const out = (name: string, type: string) => ({ artifacts: [{ name, type: { schemaTitle: type }, uri: join(dir, name), metadata: {} }] });
      const ei = {
        inputs: {
          parameterValues: { max_trial_count: TRIALS, parallel_trial_count: 2, algorithm, seed },
          artifacts: {
            dataset: { artifacts: [{ name: 'dataset', type: { schemaTitle: 'google.VertexDataset' }, uri: dataset.uri, metadata: dataset.metadata }] },
            base_model: { artifacts: [{ name: 'base_model', type: { schemaTitle: 'system.Model' }, uri: baseModel.uri, metadata: baseModel.metadata }] },
          },
        },
        outputs: { artifacts: { trials: out('trials', 'system.Metrics'), report: out('report', 'system.HTML') }, parameters: {}, outputFile: join(dir, 'executor_output.json') },
      };
      process.env['FORMALIZE_METADATA_STORE'] = join(dir, 'metadata.sqlite');
      let log = '';
      const t0 = performance.now();
      const code = await runExecutor([tune], ['--component', 'tune', '--executor_input', JSON.stringify(ei)], { stderr: { write: (t: string) => { log += t; } } });
      const ms = performance.now() - t0;
      if (code !== 0) throw new Error(`${algorithm} seed ${seed} failed:\n${log}`);
      const best = JSON.parse(readFileSync(join(dir, 'executor_output.json'), 'utf8')).parameterValues.best_val_loss as number;
      bestByAlgorithm[algorithm]!.push(best);
      // Trial-seconds per wall-second: how many trials actually ran at once on average.
      const study = JSON.parse(readFileSync(join(dir, 'trials'), 'utf8')) as { trials: { startTime: string; endTime: string }[] };
      busy.push(study.trials.reduce((acc, t) => acc + Date.parse(t.endTime) - Date.parse(t.startTime), 0) / ms);
      if (algorithm === 'gp') wall.push(ms);
      console.log(`${algorithm} seed ${seed}: best val_loss ${best.toFixed(4)} in ${s(ms)}`);
    }
  }
  return [
    [`study of ${TRIALS} trials, parallelism 2, gp (median of ${SEEDS})`, s(median(wall))],
    [`trials running at once on average (trial time / wall time; median of ${busy.length} studies)`, median(busy).toFixed(2)],
    ...Object.entries(bestByAlgorithm).map(([algorithm, bests]): Row => [
      `best val_loss after ${TRIALS} trials, ${algorithm} (median of ${SEEDS} seeds; per seed ${bests.map((b) => b.toFixed(4)).join(', ')})`, median(bests).toFixed(4),
    ]),
  ];
}

const work = mkdtempSync(join(tmpdir(), 'bench-tune-'));
try {
  const dataset = runDataPipeline(join(work, 'root'));
  const baseModel = await buildBaseModelArtifact(dataset, join(work, 'base_model'));
  const rows: Row[] = [
    ...(PARTS.has('isolation') ? await isolation(work, dataset, baseModel) : []),
    ...(PARTS.has('studies') ? await studies(work, dataset, baseModel) : []),
  ];
  console.log('\n| measurement | value |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
