// The kernels registered for the WASM backend compute what the CPU backend computes: UnsortedSegmentSum on
// random inputs, the gradient of an embedding lookup, and one whole Adam step of the base architecture.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBaseModel, encodeBatch, loadTf, modelSpecFromTransform, type Tf } from '../src/model/index.ts';
import { mulberry32 } from '../src/random.ts';
import { modelTransform, randomRows } from './fixtures/model-transform.ts';

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await loadTf({ prefer: ['wasm'] }));
});

/** Runs `f` on a backend and returns its result as plain numbers (and the shape). */
async function on(backend: 'wasm' | 'cpu', f: () => import('@tensorflow/tfjs').Tensor): Promise<{ shape: number[]; values: number[] }> {
  await tf.setBackend(backend);
  const t = tf.tidy(f);
  const out = { shape: t.shape, values: Array.from(await t.data()) };
  t.dispose();
  return out;
}

function expectClose(a: { shape: number[]; values: number[] }, b: { shape: number[]; values: number[] }, tol = 1e-5) {
  expect(a.shape).toEqual(b.shape);
  expect(a.values.length).toBe(b.values.length);
  a.values.forEach((v, i) => expect(Math.abs(v - b.values[i]!), `element ${i}: ${v} vs ${b.values[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b.values[i]!))));
}

describe('UnsortedSegmentSum on WASM', () => {
  const cases = [
    { rows: 1, row: [], segments: 1 },
    { rows: 64, row: [], segments: 10 },
    { rows: 256, row: [8], segments: 37 },
    { rows: 100, row: [3, 5], segments: 4 },
    { rows: 17, row: [1], segments: 300 },
    { rows: 0, row: [4], segments: 6 },
  ];
  it.each(cases)('equals the CPU backend for $rows rows of shape $row into $segments segments', async ({ rows, row, segments }) => {
    const r = mulberry32(rows * 1000 + segments);
    const values = Array.from({ length: rows * row.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
    // Ids cover every segment, repeats, and out-of-range ids on both sides (dropped by both backends).
    const ids = Array.from({ length: rows }, () => Math.floor(r() * (segments + 4)) - 2);
    const f = () => tf.unsortedSegmentSum(tf.tensor(values, [rows, ...row], 'float32'), tf.tensor1d(ids, 'int32'), segments);
    expectClose(await on('wasm', f), await on('cpu', f));
  });

  it('sums int32 exactly, and takes segment ids shaped like a prefix of x (as TensorFlow does)', async () => {
    const r = mulberry32(5);
    const x = Array.from({ length: 6 * 4 * 3 }, () => Math.floor(r() * 100) - 50);
    const ids = Array.from({ length: 24 }, () => Math.floor(r() * 5));
    const int = () => tf.unsortedSegmentSum(tf.tensor(x, [24, 3], 'int32'), tf.tensor1d(ids, 'int32'), 5);
    expect(await on('wasm', int)).toEqual(await on('cpu', int));
    // [6, 4] ids over a [6, 4, 3] x: the same sums as the flattened [24] ids over a [24, 3] x.
    // TF.js types the ids as 1-D; the kernel takes any prefix shape, as TensorFlow's does.
    const prefix = () => tf.unsortedSegmentSum(tf.tensor(x, [6, 4, 3], 'int32'), tf.tensor2d(ids, [6, 4], 'int32') as unknown as import('@tensorflow/tfjs').Tensor1D, 5);
    expect(await on('wasm', prefix)).toEqual(await on('cpu', int));
    await tf.setBackend('wasm');
    expect(() => tf.unsortedSegmentSum(tf.zeros([4, 3]), tf.zeros([3], 'int32'), 2)).toThrow(/segmentIds shape \[3\] is not a prefix of x shape \[4,3\]/);
  });

  it('makes the gradient of an embedding lookup (GatherV2) what the CPU backend makes', async () => {
    const r = mulberry32(11);
    const table = Array.from({ length: 31 * 5 }, () => r() - 0.5);
    const idx = Array.from({ length: 128 }, () => Math.floor(r() * 31));
    const upstream = Array.from({ length: 128 * 5 }, () => r() - 0.5);
    const grad = () => tf.grad((t: import('@tensorflow/tfjs').Tensor) => tf.mul(tf.gather(t, tf.tensor1d(idx, 'int32')), tf.tensor(upstream, [128, 5])).sum())(tf.tensor(table, [31, 5]));
    expectClose(await on('wasm', grad), await on('cpu', grad));
  });
});

describe('a training step of the base architecture', () => {
  it('gives the same weights on WASM as on CPU (same initial weights, one Adam step)', async () => {
    const spec = modelSpecFromTransform(modelTransform());
    const rows = randomRows(spec, 128, 3);
    const step = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      const model = buildBaseModel(tf, spec, { seed: 9 });
      const initial = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
      const batch = encodeBatch(tf, spec, rows);
      const loss = await model.trainOnBatch(batch.xs, batch.ys!) as number;
      const after = model.getWeights().map((w) => ({ shape: w.shape, values: Array.from(w.dataSync()) }));
      batch.dispose();
      model.dispose();
      return { initial, loss, after };
    };
    const wasm = await step('wasm');
    const cpu = await step('cpu');
    expect(wasm.initial).toEqual(cpu.initial);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThan(1e-5);
    expect(wasm.after).toHaveLength(cpu.after.length);
    wasm.after.forEach((w, i) => expectClose(w, cpu.after[i]!));
    // The step moved every weight tensor (the embeddings too: their gradient is the kernel above).
    wasm.after.forEach((w, i) => expect(w.values, `weight ${i}`).not.toEqual(wasm.initial[i]));
  });
});
