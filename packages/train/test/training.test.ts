// Training pieces on their own: exact metrics against brute force, the seed's warmup schedule, Keras'
// early-stopping rules and the failure-to-learn checks, Adam's update, the hypertune file format, the feedback
// policy, metrics.txt, and the fused step against TF.js' own optimizer over the Layers graph.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@formalize/common';
import { DEFAULT_HYPERPARAMETERS } from '@formalize/common/hyperparameters';
import { buildBaseModel, loadTf, type ModelSpec } from '@formalize/common/model';
import { adaptivePolicy, sliceWeights } from '../src/feeder/index.ts';
import { Adam } from '../src/training/adam.ts';
import { checkLearned, EarlyStopping, FailureToLearnError } from '../src/training/early-stopping.ts';
import { FusedMlpTrainer, FusedUnavailableError } from '../src/training/fused-mlp.ts';
import { HypertuneReporter, pythonFloat } from '../src/training/hypertune.ts';
import { LayersTrainer } from '../src/training/layers-trainer.ts';
import { accuracyFromLogits, binaryMetrics, crossEntropyFromLogits, lossByStratum, rocAuc } from '../src/training/metrics.ts';
import { metricsTxt } from '../src/training/metrics-file.ts';
import { warmupSchedule } from '../src/training/schedule.ts';
import type { Rows } from '../src/training/trainer.ts';

/** P(score+ > score-) + P(tie)/2 over all pairs. */
function bruteAuc(s: number[], y: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) {
    if (y[i] !== 1 || y[j] !== 0) continue;
    pairs++;
    wins += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
  }
  return wins / pairs;
}

describe('metrics', () => {
  it('ROC AUC is exact: ties averaged, equal to the pairwise count', () => {
    const r = mulberry32(1);
    for (let trial = 0; trial < 20; trial++) {
      // Coarse scores: many ties.
      const s = Array.from({ length: 200 }, () => Math.round(r() * 10) / 10);
      const y = s.map((x) => (r() < x ? 1 : 0));
      expect(rocAuc(s, y)).toBeCloseTo(bruteAuc(s, y), 12);
    }
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75); // scikit-learn's roc_auc_score example
    expect(rocAuc([0.5, 0.5, 0.5], [0, 1, 1])).toBe(0.5);
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNaN();
    expect(() => rocAuc([Number.NaN, 0.2], [0, 1])).toThrow(/score 0 is NaN/);
  });

  it('cross-entropy from logits and accuracy at 0.5', () => {
    const z = [-2, 0.5, 3, -0.1];
    const y = [0, 1, 0, 1];
    const want = z.reduce((a, zi, i) => a - (y[i]! * Math.log(1 / (1 + Math.exp(-zi))) + (1 - y[i]!) * Math.log(1 - 1 / (1 + Math.exp(-zi)))), 0) / 4;
    expect(crossEntropyFromLogits(z, y)).toBeCloseTo(want, 12);
    // Stable where probabilities would saturate.
    expect(crossEntropyFromLogits([1000], [0])).toBe(1000);
    expect(accuracyFromLogits(z, y)).toBe(0.5);
    expect(binaryMetrics([Number.NaN, 1], [0, 1]).auc).toBeNaN();
    expect(lossByStratum([0, 0, 10], [0, 1, 1], [5, 5, 9])).toEqual(new Map([[5, { loss: Math.log(2), rows: 2 }], [9, { loss: Math.log1p(Math.exp(-10)), rows: 1 }]]));
  });
});

describe('warmup schedule (the seed\'s LearningRateScheduler)', () => {
  it('starts at start_lr and adds (end - start) / epochs per epoch on the float32 rate', () => {
    const got = warmupSchedule(0.0001, 0.01, 4);
    const inc = (0.01 - 0.0001) / 4;
    expect(got).toEqual([Math.fround(0.0001), Math.fround(Math.fround(0.0001) + inc), Math.fround(got[1]! + inc), Math.fround(got[2]! + inc)]);
    expect(got.at(-1)).toBeCloseTo(0.0001 + 3 * inc, 9); // one increment short of lr, as in the seed
    expect(warmupSchedule(0.001, 0.001, 2)).toEqual([Math.fround(0.001), Math.fround(0.001)]);
    expect(() => warmupSchedule(0.1, 1, 0)).toThrow(/epochs: expected a positive integer, received 0/);
  });
});

describe('early stopping (Keras semantics, with restore)', () => {
  const snap = (e: number) => () => ({ arrays: [Float32Array.of(e)] });

  it('stops after `patience` epochs without improvement and keeps the best epoch\'s weights', () => {
    const s = new EarlyStopping(2);
    const losses = [0.5, 0.4, 0.45, 0.39, 0.41, 0.42, 0.3];
    let stopped = 0;
    for (let e = 1; e <= losses.length; e++) {
      if (s.update(e, losses[e - 1]!, snap(e))) {
        stopped = e;
        break;
      }
    }
    expect(stopped).toBe(6);
    expect(s.bestEpoch).toBe(4);
    expect(s.best).toBe(0.39);
    expect(s.bestWeights!.arrays[0]![0]).toBe(4);
  });

  it('never counts NaN as an improvement; patience 0 stops at the second epoch', () => {
    const s = new EarlyStopping(3);
    expect(s.update(1, Number.NaN, snap(1))).toBe(false);
    expect(s.bestEpoch).toBe(0);
    const z = new EarlyStopping(0);
    expect(z.update(1, 1, snap(1))).toBe(false);
    expect(z.update(2, 0.5, snap(2))).toBe(true);
  });

  it('detects failure to learn: no improvement on epoch 1, never finite, no better than the label rate', () => {
    const flat = new EarlyStopping(2);
    [0.6, 0.61, 0.62].forEach((l, i) => flat.update(i + 1, l, snap(i + 1)));
    expect(() => checkLearned(flat, [0.6, 0.61, 0.62], 'lr 0.5, batch 16')).toThrow(/^failure to learn: val_loss never improved on the first epoch's 0\.600000 over 3 epochs \(lr 0\.5, batch 16\)/);
    const nan = new EarlyStopping(2);
    [Number.NaN, Number.NaN].forEach((l, i) => nan.update(i + 1, l, snap(i + 1)));
    expect(() => checkLearned(nan, [Number.NaN, Number.NaN], 'lr 10')).toThrow(/val_loss was NaN, NaN over 2 epoch\(s\), never a finite number: training diverged \(lr 10\)/);
    const prior = new EarlyStopping(2);
    [0.62, 0.605].forEach((l, i) => prior.update(i + 1, l, snap(i + 1)));
    expect(() => checkLearned(prior, [0.62, 0.605], 'x', { rate: 0.3, loss: 0.61 })).toThrow(FailureToLearnError);
    expect(() => checkLearned(prior, [0.62, 0.605], 'x', { rate: 0.3, loss: 0.7 })).not.toThrow();
    // One epoch cannot show a lack of improvement.
    const one = new EarlyStopping(2);
    one.update(1, 0.3, snap(1));
    expect(() => checkLearned(one, [0.3], 'x', { rate: 0.3, loss: 0.6 })).not.toThrow();
    expect(new FailureToLearnError('x').infeasible).toBe(true);
  });
});

describe('Adam (Keras\' update, in JavaScript)', () => {
  it('takes Keras\' first step and minimises a quadratic', () => {
    const w = [Float32Array.of(1, -2)];
    const adam = new Adam([2]);
    adam.apply(w, [[0.5, -4]], 0.1);
    // Step 1: lr_t = lr sqrt(1 - b2) / (1 - b1); m = 0.1 g; v = 0.001 g^2.
    const lrT = (0.1 * Math.sqrt(0.001)) / 0.1;
    expect(w[0]![0]).toBeCloseTo(1 - (lrT * 0.05) / (Math.sqrt(0.001 * 0.25) + 1e-7), 6);
    expect(w[0]![1]).toBeCloseTo(-2 + (lrT * 0.4) / (Math.sqrt(0.001 * 16) + 1e-7), 6);
    for (let i = 0; i < 2000; i++) adam.apply(w, [[2 * w[0]![0]!, 2 * w[0]![1]!]], 0.05);
    expect(Math.abs(w[0]![0]!) + Math.abs(w[0]![1]!)).toBeLessThan(1e-2);
    expect(adam.iterations).toBe(2001);
  });
});

describe('hypertune metric reporting (cloudml-hypertune\'s file format)', () => {
  it('prints floats as Python\'s str does', () => {
    expect([0.1, 1, 123, 1e-5, 1.5e-7, 0.0001, 1e16, 12345678901234568, -2.5, Number.NaN, Number.POSITIVE_INFINITY, -0].map(pythonFloat))
      .toEqual(['0.1', '1.0', '123.0', '1e-05', '1.5e-07', '0.0001', '1e+16', '1.2345678901234568e+16', '-2.5', 'nan', 'inf', '-0.0']);
  });

  it('rewrites the file with sorted-key JSON lines, the last 100 kept', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'hypertune-')), 'sub', 'output.metrics');
    let t = 1764576000250;
    const h = new HypertuneReporter({ CLOUD_ML_HP_METRIC_FILE: file, CLOUD_ML_TRIAL_ID: '3' }, () => t++);
    await h.report('val_loss', 0.25, 1);
    expect(await readFile(file, 'utf8')).toBe('{"global_step": "1", "timestamp": 1764576000.25, "trial": "3", "val_loss": "0.25"}\n');
    for (let i = 2; i <= 120; i++) await h.report('val_loss', 1 / i, i);
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(100);
    expect(JSON.parse(lines[0]!)).toMatchObject({ global_step: '21', trial: '3' });
    expect(new HypertuneReporter({}).file).toBe('/tmp/hypertune/output.metrics');
  });
});

describe('the adaptive feedback policy', () => {
  it('doubles the batch after two epochs of val_loss plateau, up to the maximum', () => {
    const p = adaptivePolicy({ maxBatchSize: 64 });
    const seen: (number | undefined)[] = [];
    let batchSize = 16;
    for (const [epoch, valLoss] of [[1, 0.5], [2, 0.4], [3, 0.4], [4, 0.3999], [5, 0.41], [6, 0.42], [7, 0.43], [8, 0.44], [9, 0.45]] as const) {
      const f = p.observe({ epoch, valLoss, batchSize });
      seen.push(f?.batchSize);
      if (f?.batchSize) batchSize = f.batchSize;
    }
    expect(seen).toEqual([undefined, undefined, undefined, 32, undefined, 64, undefined, undefined, undefined]);
  });

  it('up-weights slices with higher validation loss, clipped, from their natural shares; never the label', () => {
    const losses = new Map([[0, { loss: 0.2, rows: 50 }], [1, { loss: 0.8, rows: 50 }], [2, { loss: 5, rows: 1 }]]);
    const w = sliceWeights(losses, { 0: 600, 1: 300, 2: 100, 3: 0 }, 0.5, 0.5, 2)!;
    const mean = (0.2 * 50 + 0.8 * 50 + 5) / 101;
    expect(w['0']).toBeCloseTo(0.6 * Math.max(0.5, Math.sqrt(0.2 / mean)), 12);
    expect(w['1']).toBeCloseTo(0.3 * Math.sqrt(0.8 / mean), 12);
    expect(w['2']).toBeCloseTo(0.1 * 2, 12); // clipped
    expect(w).not.toHaveProperty('3');
    expect(sliceWeights(new Map([[0, { loss: Number.NaN, rows: 3 }]]), { 0: 3 }, 0.5, 0.5, 2)).toBeUndefined();
    expect(adaptivePolicy().observe({ epoch: 1, valLoss: 0.5, batchSize: 16 })).toBeUndefined();
    expect(adaptivePolicy().observe({ epoch: 1, valLoss: 0.5, batchSize: 16, lossBySlice: losses, sliceRows: { 0: 6, 1: 3, 2: 1 } })?.weights).toBeDefined();
  });
});

describe('metrics.txt (the seed\'s contract)', () => {
  const dataset = { label_column: 'tip_bin', statistics: 's', transformed_data_prefix: 'p', resourceName: 'projects/x/datasets/1', displayName: 'Chicago' };

  it('holds the dataset metadata, the hyperparameters and the test [loss, accuracy]', () => {
    expect(JSON.parse(metricsTxt(dataset, { ...DEFAULT_HYPERPARAMETERS }, 'train', { loss: 0.3, accuracy: 0.9 }))).toEqual({
      label_column: 'tip_bin', statistics: 's', transformed_data_prefix: 'p',
      learning_rate: 0.001, num_epochs: 20, batch_size: 16, early_stop: { monitor: 'val_loss', patience: 5 }, metrics: [0.3, 0.9],
    });
    expect(JSON.parse(metricsTxt(dataset, { ...DEFAULT_HYPERPARAMETERS }, 'warmup', undefined))).toEqual({
      label_column: 'tip_bin', statistics: 's', transformed_data_prefix: 'p',
      learning_rate: 0.001, num_epochs: 20, batch_size: 16, start_learning_rate: 0.0001, end_learning_rate: 0.001, steps: 200,
    });
  });
});

describe('the fused training step', () => {
  // numeric, embedding, one-hot, numeric, embedding: interleaved, so the first kernel's row permutation matters.
  const spec: ModelSpec = {
    inputs: [
      { name: 'a', kind: 'numeric' },
      { name: 'e1', kind: 'embedding', vocabularySize: 30, rows: 31, dim: 5 },
      { name: 'o1', kind: 'onehot', vocabularySize: 4, width: 5 },
      { name: 'b', kind: 'numeric' },
      { name: 'e2', kind: 'embedding', vocabularySize: 12, rows: 13, dim: 3 },
    ],
    label: 'y', hiddenUnits: [16, 8],
  };
  function data(n: number, seed: number): Rows {
    const r = mulberry32(seed);
    const a = Float32Array.from({ length: n }, () => r() * 2 - 1);
    const b = Float32Array.from({ length: n }, () => r() * 2 - 1);
    const e1 = Int32Array.from({ length: n }, () => Math.floor(r() * 31));
    const o1 = Int32Array.from({ length: n }, () => Math.floor(r() * 5));
    const e2 = Int32Array.from({ length: n }, () => Math.floor(r() * 13));
    // The label depends on every kind of input.
    const labels = Float32Array.from({ length: n }, (_, i) => (a[i]! - b[i]! + (e1[i]! % 3) - 1 + (o1[i] === 2 ? 1.5 : 0) + (e2[i]! > 6 ? 0.7 : -0.7) + r() - 0.5 > 0 ? 1 : 0));
    return { size: n, features: { a, b, e1, o1, e2 }, labels };
  }

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`agrees with TF.js' optimizer over the Layers graph (${backend}): forward pass, loss trajectory, weight updates`, async () => {
      const { tf } = await loadTf({ prefer: [backend] });
      const fusedModel = buildBaseModel(tf, spec, { seed: 4 });
      const layersModel = buildBaseModel(tf, spec, { seed: 4 });
      const initial = layersModel.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      const fused = new FusedMlpTrainer(tf, fusedModel, spec);
      const layers = new LayersTrainer(tf, layersModel, spec);
      const test = data(500, 2);
      const f0 = fused.logits(test);
      const l0 = layers.logits(test);
      for (let i = 0; i < 500; i++) expect(Math.abs(f0[i]! - l0[i]!)).toBeLessThan(1e-5);
      const batches = Array.from({ length: 30 }, (_, k) => data(32, 100 + k));
      const lossesF: number[] = [];
      const lossesL: number[] = [];
      for (const b of batches) {
        lossesF.push(crossEntropyFromLogits(fused.step(b, 0.01), b.labels));
        lossesL.push(crossEntropyFromLogits(layers.step(b, 0.01), b.labels));
      }
      lossesF.forEach((l, k) => expect(l).toBeCloseTo(lossesL[k]!, 2));
      expect(lossesF.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(lossesF.slice(0, 5).reduce((a, b) => a + b) / 5);
      // Every weight moved the same way (cosine of the two updates): a wrong gradient anywhere breaks this.
      fused.sync();
      const fw = fusedModel.getWeights().map((w) => w.dataSync() as Float32Array);
      const lw = layersModel.getWeights().map((w) => w.dataSync() as Float32Array);
      layersModel.weights.forEach((w, k) => {
        let dot = 0;
        let nf = 0;
        let nl = 0;
        for (let j = 0; j < initial[k]!.length; j++) {
          const df = fw[k]![j]! - initial[k]![j]!;
          const dl = lw[k]![j]! - initial[k]![j]!;
          dot += df * dl;
          nf += df * df;
          nl += dl * dl;
        }
        expect(dot / Math.sqrt(nf * nl), w.name).toBeGreaterThan(0.98);
      });
      // After sync, the Layers model predicts what the fused trainer does.
      const f1 = fused.logits(test);
      const synced = new LayersTrainer(tf, fusedModel, spec).logits(test);
      for (let i = 0; i < 500; i++) expect(Math.abs(f1[i]! - synced[i]!)).toBeLessThan(1e-4);
      // Snapshots restore exactly.
      const snap = fused.snapshot();
      fused.step(batches[0]!, 0.5);
      fused.restore(snap);
      expect(fused.logits(test)).toEqual(f1);
      fusedModel.dispose();
      layersModel.dispose();
      layers.dispose();
    });
  }

  it('refuses a model that is not the seed\'s architecture', async () => {
    const { tf } = await loadTf({ prefer: ['cpu'] });
    const input = tf.input({ name: 'a', shape: [1] });
    const other = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1, name: 'logits', activation: 'sigmoid' }).apply(input) as ReturnType<typeof tf.input> });
    expect(() => new FusedMlpTrainer(tf, other, { inputs: [{ name: 'a', kind: 'numeric' }], label: 'y', hiddenUnits: [] })).toThrow(FusedUnavailableError);
  });
});
