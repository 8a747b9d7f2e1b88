// Benchmark of the tune component (not a timed test), on the sample data (the data pipeline's output for the
// bundled Chicago taxi sample, in a temp pipeline root) with the real trainer:
//   1. isolation: two 10-epoch trials at once in worker threads vs in child processes, and the same two one after the
//      other (what parallelism 2 buys on this machine's 2 cores with TF.js WASM, single-threaded in Node);
//   2. study wall time: 16 trials, parallelism 2, through the component (executor protocol in-process, trials
//      in worker threads, ML Metadata records);
//   3. algorithms: best val_loss after 16 trials (parallelism 2) for gp, tpe and random over BENCH_SEEDS seeds
//      (median, and per seed), the peer being random search in the same run.
//   node bench/tune.ts               BENCH_SEEDS=3 BENCH_ROUNDS=3 BENCH_TRIALS=16
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runExecutor } from '@formalize/common';
import { DEFAULT_HYPERPARAMETERS } from '@formalize/common/hyperparameters';
import { buildBaseModelArtifact, runDataPipeline } from '../packages/train/test/tune-e2e-fixture.ts';
import { tune } from '../packages/train/src/components/tune.ts';
import { createTrialRunner, type Isolation } from '../packages/train/src/tuning/trial-runner.ts';
import type { TrialRequest } from '../packages/train/src/tuning/trial.ts';

const root = join(import.meta.dirname, '..');
const SEEDS = Number(process.env['BENCH_SEEDS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const TRIALS = Number(process.env['BENCH_TRIALS'] ?? 16);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const work = mkdtempSync(join(tmpdir(), 'bench-tune-'));
try {
  const dataset = runDataPipeline(join(work, 'root'));
  const baseModel = await buildBaseModelArtifact(dataset, join(work, 'base_model'));
  const rows: string[][] = [];

  // 1. Isolation.
  const request = (id: string, workDir: string): TrialRequest => ({
    trialId: id, hyperparameters: { ...DEFAULT_HYPERPARAMETERS, learning_rate: 0.001, batch_size: 32, epochs: 10, early_stop: { monitor: 'val_loss', patience: 100 } },
    dataset, baseModel, workDir, seed: 1,
  });
  const signal = new AbortController().signal;
  const times: Record<string, number[]> = { thread: [], process: [], sequential: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const isolation of ['thread', 'process'] as Isolation[]) {
      const run = createTrialRunner({ module: join(root, 'packages/train/src/tuning/train-trial.ts'), objective: { metric: 'val_loss', goal: 'minimize' }, isolation });
      const t0 = performance.now();
      await Promise.all([run(request('a', join(work, 'a')), signal), run(request('b', join(work, 'b')), signal)]);
      times[isolation]!.push(performance.now() - t0);
      if (isolation === 'thread') {
        const t1 = performance.now();
        await run(request('c', join(work, 'c')), signal);
        await run(request('d', join(work, 'd')), signal);
        times['sequential']!.push(performance.now() - t1);
      }
    }
  }
  rows.push(['two 10-epoch trials at once, worker threads', s(median(times['thread']!))]);
  rows.push(['two 10-epoch trials at once, child processes', s(median(times['process']!))]);
  rows.push(['the same two trials one after the other (one thread)', s(median(times['sequential']!))]);

  // 2 and 3. Studies through the component.
  const bestByAlgorithm: Record<string, number[]> = { gp: [], tpe: [], random: [] };
  const wall: number[] = [];
  const busy: number[] = [];
  for (let seed = 0; seed < SEEDS; seed++) {
    for (const algorithm of ['gp', 'tpe', 'random'] as const) {
      const dir = mkdtempSync(join(work, `study-${algorithm}-${seed}-`));
      const ei = {
        inputs: {
          parameterValues: { max_trial_count: TRIALS, parallel_trial_count: 2, algorithm, seed },
          artifacts: {
            dataset: { artifacts: [{ name: 'dataset', type: { schemaTitle: 'google.VertexDataset' }, uri: dataset.uri, metadata: dataset.metadata }] },
            base_model: { artifacts: [{ name: 'base_model', type: { schemaTitle: 'system.Model' }, uri: baseModel.uri, metadata: baseModel.metadata }] },
          },
        },
        outputs: {
          artifacts: {
            trials: { artifacts: [{ name: 'trials', type: { schemaTitle: 'system.Metrics' }, uri: join(dir, 'trials'), metadata: {} }] },
            report: { artifacts: [{ name: 'report', type: { schemaTitle: 'system.HTML' }, uri: join(dir, 'report'), metadata: {} }] },
          },
          parameters: {},
          outputFile: join(dir, 'executor_output.json'),
        },
      };
      process.env['FORMALIZE_METADATA_STORE'] = join(dir, 'metadata.sqlite');
      let log = '';
      const t0 = performance.now();
      const code = await runExecutor([tune], ['--component', 'tune', '--executor_input', JSON.stringify(ei)], { stderr: { write: (t: string) => { log += t; } } });
      const ms = performance.now() - t0;
      if (code !== 0) throw new Error(`${algorithm} seed ${seed} failed:\n${log}`);
      const out = JSON.parse(readFileSync(join(dir, 'executor_output.json'), 'utf8'));
      bestByAlgorithm[algorithm]!.push(out.parameterValues.best_val_loss as number);
      // Trial-seconds per wall-second: how many trials actually ran at once on average.
      const study = JSON.parse(readFileSync(join(dir, 'trials'), 'utf8')) as { trials: { startTime: string; endTime: string }[] };
      busy.push(study.trials.reduce((acc, t) => acc + Date.parse(t.endTime) - Date.parse(t.startTime), 0) / ms);
      if (algorithm === 'gp') wall.push(ms);
      console.log(`${algorithm} seed ${seed}: best val_loss ${(out.parameterValues.best_val_loss as number).toFixed(4)} in ${s(ms)}`);
    }
  }
  rows.push([`study of ${TRIALS} trials, parallelism 2, gp (median of ${SEEDS})`, s(median(wall))]);
  rows.push([`trials running at once on average (trial time / wall time, all ${busy.length} studies, median)`, median(busy).toFixed(2)]);
  for (const [algorithm, bests] of Object.entries(bestByAlgorithm)) {
    rows.push([`best val_loss after ${TRIALS} trials, ${algorithm} (median of ${SEEDS} seeds; per seed ${bests.map((b) => b.toFixed(4)).join(', ')})`, median(bests).toFixed(4)]);
  }
  console.log('\n| measurement | value |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
