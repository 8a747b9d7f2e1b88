// Benchmark (not a timed test): the TF.js model runtime on this machine, WASM backend against the CPU backend in
// the same run (tfjs-node cannot be installed here). The data pipeline runs first on the shipped taxi sample
// (2014) into a temp pipeline root; the base architecture of its dataset (@formalize/common/model) then
//   - predicts the train split: rows/s of predictRows (encoding included), 4096-row chunks;
//   - takes Adam training steps (binary cross-entropy, model.trainOnBatch: the plain Keras-style step) on batches
//     of 64 and 256 train rows: ms/step after warm-up steps.
//   node bench/model-runtime.ts            BENCH_ROUNDS=5 BENCH_STEPS=50
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBaseModel, encodeBatch, loadTf, modelSpecFromTransform, predictRows } from '@formalize/common/model';
import { readTransformArtifact, readTransformedRows } from '@formalize/common/transform';

const root = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const STEPS = Number(process.env['BENCH_STEPS'] ?? 50);
const WARMUP = 5;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

const work = mkdtempSync(join(tmpdir(), 'bench-model-runtime-'));
try {
  const r = spawnSync(process.execPath, [join(root, 'packages/cli/src/main.ts'), 'run', join(root, 'pipelines/compiled/data-preprocessing.yaml'), '--pipeline-root', work, '-p', 'year=2014', '--json'], { encoding: 'utf8', cwd: root });
  if (r.status !== 0) throw new Error(`the data pipeline failed: ${r.stderr}`);
  const dataset = JSON.parse(r.stdout.trim().split('\n').at(-1)!).run.outputs.artifacts.dataset[0].metadata as Record<string, string>;
  const transform = await readTransformArtifact(dataset['transform_artifacts_dir']!);
  const spec = modelSpecFromTransform(transform);
  const rows: Record<string, unknown>[] = [];
  for await (const row of readTransformedRows(join(dataset['transformed_data_prefix']!, 'train'))) rows.push(row);
  const { tf } = await loadTf({ prefer: ['wasm'] });
  console.log(`model-runtime: ${rows.length} train rows of the sample, ${spec.inputs.length} inputs; ${cpus().length} CPUs (${cpus()[0]?.model}), Node ${process.version}, TF.js ${tf.version.tfjs}`);

  const results: { backend: string; predict: number; step64: number; step256: number }[] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await tf.setBackend(backend);
    const model = buildBaseModel(tf, spec, { seed: 0 });
    predictRows(tf, model, spec, rows);
    const predictMs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now();
      predictRows(tf, model, spec, rows);
      predictMs.push(performance.now() - t);
    }
    model.compile({ optimizer: tf.train.adam(0.001), loss: 'binaryCrossentropy' });
    const step: Record<number, number> = {};
    for (const size of [64, 256]) {
      const batch = encodeBatch(tf, spec, rows.slice(0, size));
      const times: number[] = [];
      for (let i = 0; i < WARMUP + STEPS; i++) {
        const t = performance.now();
        await model.trainOnBatch(batch.xs, batch.ys!);
        if (i >= WARMUP) times.push(performance.now() - t);
      }
      batch.dispose();
      step[size] = median(times);
    }
    model.dispose();
    results.push({ backend, predict: rows.length / (median(predictMs) / 1000), step64: step[64]!, step256: step[256]! });
  }
  console.log('\n| backend | predict (rows/s) | train step, batch 64 (ms) | train step, batch 256 (ms) | rows/s trained at 256 |');
  console.log('|---|---:|---:|---:|---:|');
  for (const x of results) console.log(`| ${x.backend} | ${Math.round(x.predict).toLocaleString('en-US')} | ${x.step64.toFixed(1)} | ${x.step256.toFixed(1)} | ${Math.round(256 / (x.step256 / 1000)).toLocaleString('en-US')} |`);
  const [w, c] = results;
  console.log(`\nWASM / CPU: predict ${(w!.predict / c!.predict).toFixed(1)}x the rows/s; train step ${(c!.step64 / w!.step64).toFixed(1)}x faster at 64, ${(c!.step256 / w!.step256).toFixed(1)}x at 256`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
