// The train component end to end through the executor protocol, on the sample run through the data pipeline
// (into a temp pipeline root) and model-build's base model: training beats the base model and learns the label
// (val AUC > 0.8), early stopping restores the best epoch (re-evaluating the saved model), warmup follows the
// seed's learning-rate ramp exactly (read back from the tfevents file) and registers a base model version,
// failure to learn fails with a clear message, hyperparameters come from ML Metadata when a tuned set exists,
// hypertune metrics and the Vertex AIP_* folders.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMETERS, recordTunedHyperparameters } from '@formalize/common/hyperparameters';
import { openSqliteStore } from '@formalize/common/metadata';
import { loadModelBundle, loadTf, predictRows } from '@formalize/common/model';
import { openRegistry } from '@formalize/common/registry';
import { listEventFiles, readEvents, scalarPoints } from '@formalize/common/tfevents';
import { readTransformedRows } from '@formalize/common/transform';
import { crossEntropyFromLogits, rocAuc } from '../src/training/metrics.ts';
import { warmupSchedule } from '../src/training/schedule.ts';
import type { Launch, Pipeline } from './train-fixtures.ts';
import { launchTrain, preparePipeline } from './train-fixtures.ts';

const FAMILY = 'taxi-train';
let p: Pipeline;
let trained: Launch;

beforeAll(async () => {
  p = await preparePipeline(FAMILY);
  trained = await launchTrain(p, { hyperparameter_overrides: { epochs: 6 }, seed: 1 });
}, 300_000);

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, any>;
const logit = (q: number) => Math.log(q / (1 - q));

/** val_loss and AUC of a saved model folder on the dataset's validation split, recomputed here. */
async function evaluateSaved(modelDir: string): Promise<{ loss: number; auc: number }> {
  const { tf } = await loadTf({ prefer: ['wasm'] });
  const { model, spec } = await loadModelBundle(tf, modelDir);
  const rows = [];
  for await (const r of readTransformedRows(join(p.dataset.metadata['transformed_data_prefix'] as string, 'val'))) rows.push(r);
  const probs = predictRows(tf, model, spec, rows);
  model.dispose();
  // Logits back from the probabilities, clipped as float32 probabilities can be 0 or 1.
  const z = Float64Array.from(probs, (q) => logit(Math.min(Math.max(q, 1e-7), 1 - 1e-7)));
  const y = rows.map((r) => Number(r['tip_bin']));
  return { loss: crossEntropyFromLogits(z, y), auc: rocAuc(z, y) };
}

async function scalars(logDir: string): Promise<Map<string, { step: number; value: number }[]>> {
  const files = await listEventFiles(logDir);
  expect(files).toHaveLength(1);
  const events = await readEvents(files[0]!);
  expect(events[0]!.what.case).toBe('fileVersion');
  const out = new Map<string, { step: number; value: number }[]>();
  for (const pt of scalarPoints(events)) out.set(pt.tag, [...(out.get(pt.tag) ?? []), { step: Number(pt.step), value: pt.value }]);
  return out;
}

describe('train: training mode', () => {
  it('succeeds and learns: val_loss below the base model\'s, val AUC above 0.8, defaults recorded as the set used', () => {
    expect(trained.errors).toEqual([]);
    expect(trained.code).toBe(0);
    const m = trained.outputs['metrics']!.metadata;
    expect(m['val_loss']).toBeLessThan(m['base_val_loss'] as number);
    expect(m['val_auc']).toBeGreaterThan(0.8);
    expect(trained.parameters).toMatchObject({ val_loss: m['val_loss'], val_auc: m['val_auc'], hyperparameters_source: 'default' });
    expect(trained.parameters['hyperparameters']).toEqual({ ...DEFAULT_HYPERPARAMETERS, epochs: 6 });
    const progress = trained.logs.filter((l) => l['message'] === 'progress' && l['label'] === 'epochs');
    expect(progress.at(-1)).toMatchObject({ done: m['epochs_run'], total: 6 });
  });

  it('writes the model folder (Layers model, transform.json, the seed\'s metrics.txt) with the Seam 1 metadata', async () => {
    const model = trained.outputs['model']!;
    expect((await readdir(model.uri)).sort()).toEqual(['metrics.txt', 'model.json', 'transform.json', 'weights.bin']);
    expect(model.metadata).toMatchObject({
      framework: 'tfjs-layers', model_family: FAMILY, labels: { candidate_model: '1' },
      initialization: p.baseModel.metadata['initialization'], architecture: p.baseModel.metadata['architecture'],
      transform: p.dataset.metadata['transform_artifacts_dir'], dataset: p.dataset.metadata['resourceName'],
      hyperparameters: trained.parameters['hyperparameters'], hyperparameters_source: 'default',
      metrics: { val_loss: trained.parameters['val_loss'], val_auc: trained.parameters['val_auc'] },
      training: { mode: 'train', trainer: 'fused', backend: 'wasm', seed: 1 },
    });
    const txt = await readJson(join(model.uri, 'metrics.txt'));
    const ds = p.dataset.metadata;
    expect(txt).toMatchObject({
      label_column: 'tip_bin', transformed_data_prefix: ds['transformed_data_prefix'], transform_artifacts_dir: ds['transform_artifacts_dir'],
      numeric_features: ds['numeric_features'], embedding_features: ds['embedding_features'], exported_jsonl_prefix: ds['exported_jsonl_prefix'],
      learning_rate: 0.001, num_epochs: 6, batch_size: 16, early_stop: { monitor: 'val_loss', patience: 5 },
    });
    expect(txt['metrics']).toEqual([trained.outputs['metrics']!.metadata['test_loss'], trained.outputs['metrics']!.metadata['test_accuracy']]);
  });

  it('saves the restored weights: re-evaluating the saved model gives the reported validation metrics', async () => {
    const got = await evaluateSaved(trained.outputs['model']!.uri);
    expect(got.loss).toBeCloseTo(trained.parameters['val_loss'] as number, 4);
    expect(got.auc).toBeCloseTo(trained.parameters['val_auc'] as number, 3);
  });

  it('writes TensorBoard scalars per epoch: loss, val_loss, accuracy, val_accuracy, auc, val_auc, learning_rate, batch_size', async () => {
    const s = await scalars(trained.outputs['tensorboard']!.uri);
    const epochs = trained.outputs['metrics']!.metadata['epochs_run'] as number;
    expect([...s.keys()].sort()).toEqual(['accuracy', 'auc', 'batch_size', 'learning_rate', 'loss', 'val_accuracy', 'val_auc', 'val_loss']);
    for (const points of s.values()) expect(points.map((x) => x.step)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    const history = (await readJson(trained.outputs['metrics']!.uri))['history'] as { val_loss: number }[];
    expect(s.get('val_loss')!.map((x) => x.value)).toEqual(history.map((h) => Math.fround(h.val_loss)));
    expect(s.get('learning_rate')!.every((x) => x.value === Math.fround(0.001))).toBe(true);
    expect(s.get('batch_size')!.every((x) => x.value === 16)).toBe(true);
  });

  it('writes the training curves report: a chart per metric with train and validation series, the restored epoch marked, a row per epoch', async () => {
    const html = await readFile(trained.outputs['report']!.uri, 'utf8');
    const m = trained.outputs['metrics']!.metadata;
    const charts = [...html.matchAll(/data-chart="([^"]+)"/g)].map((x) => x[1]);
    expect(charts).toEqual(['binary cross-entropy', 'accuracy', 'ROC AUC', 'learning rate', 'batch size']);
    const series = [...html.matchAll(/data-series="([^"]+)" d="([^"]+)"/g)].map((x) => [x[1], x[2]!.split(/[ML]/).filter(Boolean).length]);
    const epochs = m['epochs_run'] as number;
    expect(series).toEqual(['loss', 'val_loss', 'accuracy', 'val_accuracy', 'auc', 'val_auc', 'learning_rate', 'batch_size'].map((k) => [k, epochs]));
    expect(html.match(/<title>restored epoch (\d+)<\/title>/g)).toEqual(Array(5).fill(`<title>restored epoch ${m['best_epoch']}</title>`));
    expect(html.match(/<tr( class="best")?><td>/g)).toHaveLength(epochs);
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
  });
});

describe('train: early stopping', () => {
  it('stops after `patience` epochs without improvement and restores the best epoch\'s weights', async () => {
    const r = await launchTrain(p, { hyperparameter_overrides: { epochs: 40, learning_rate: 0.01, early_stop: { patience: 2 } }, seed: 2 });
    expect(r.errors).toEqual([]);
    const m = r.outputs['metrics']!.metadata;
    const history = (await readJson(r.outputs['metrics']!.uri))['history'] as { epoch: number; val_loss: number }[];
    expect(m['stopped_early']).toBe(true);
    expect(m['epochs_run']).toBe(history.length);
    expect(history.length).toBe((m['best_epoch'] as number) + 2);
    const best = history[(m['best_epoch'] as number) - 1]!;
    expect(Math.min(...history.map((h) => h.val_loss))).toBe(best.val_loss);
    expect(history.at(-1)!.val_loss).toBeGreaterThan(best.val_loss);
    // The saved model is the best epoch's, not the last one's.
    const got = await evaluateSaved(r.outputs['model']!.uri);
    expect(got.loss).toBeCloseTo(best.val_loss, 4);
    expect(Math.abs(got.loss - history.at(-1)!.val_loss)).toBeGreaterThan(1e-4);
  });
});

describe('train: warmup mode', () => {
  let warm: Launch;
  beforeAll(async () => {
    warm = await launchTrain(p, { mode: 'warmup', hyperparameter_overrides: { epochs: 5, steps: 20, learning_rate: 0.01, start_learning_rate: 0.0001 } });
  }, 120_000);

  it('ramps the learning rate exactly as the seed\'s LearningRateScheduler, with fixed steps per epoch', async () => {
    expect(warm.errors).toEqual([]);
    expect(warm.code).toBe(0);
    const s = await scalars(warm.outputs['tensorboard']!.uri);
    // The seed: epoch 0 at start_lr, then lr + (end - start) / epochs on the rate read back from the optimizer (float32).
    const want: number[] = [Math.fround(0.0001)];
    for (let e = 1; e < 5; e++) want.push(Math.fround(want[e - 1]! + (0.01 - 0.0001) / 5));
    expect(s.get('learning_rate')!.map((x) => x.value)).toEqual(want);
    expect(warmupSchedule(0.0001, 0.01, 5)).toEqual(want);
    expect(s.has('val_loss')).toBe(false);
    const history = (await readJson(warm.outputs['metrics']!.uri))['history'] as { steps: number; rows: number }[];
    expect(history.map((h) => h.steps)).toEqual([20, 20, 20, 20, 20]);
    expect(history.every((h) => h.rows === 320)).toBe(true);
    // Its report: training curves only (warmup runs no validation), the last epoch kept.
    const html = await readFile(warm.outputs['report']!.uri, 'utf8');
    expect([...html.matchAll(/data-series="([^"]+)"/g)].map((x) => x[1])).toEqual(['loss', 'accuracy', 'auc', 'learning_rate', 'batch_size']);
    expect(html).toContain('<title>restored epoch 5</title>');
  });

  it('registers the warmed-up model as a new base model version, with its own initialization', async () => {
    const model = warm.outputs['model']!;
    expect(model.metadata).toMatchObject({ labels: { base_model: '1' }, model_family: FAMILY, version: 2, resourceName: `projects/formalize-local/locations/local/models/${FAMILY}@2` });
    expect(model.metadata['initialization']).not.toBe(p.baseModel.metadata['initialization']);
    const store = await openSqliteStore(p.store);
    try {
      const versions = await openRegistry(store).listVersions(FAMILY, { label: 'base_model' });
      expect(versions.map((v) => v.version)).toEqual([1, 2]);
      expect(versions[1]!.uri).toBe(model.uri);
    } finally {
      await store.close();
    }
    const txt = await readJson(join(model.uri, 'metrics.txt'));
    expect(txt).toMatchObject({ learning_rate: 0.01, num_epochs: 5, batch_size: 16, start_learning_rate: 0.0001, end_learning_rate: 0.01, steps: 20 });
    const used = { ...DEFAULT_HYPERPARAMETERS, epochs: 5, steps: 20, learning_rate: 0.01, start_learning_rate: 0.0001 };
    expect(warm.parameters).toMatchObject({ hyperparameters: used, hyperparameters_source: 'default' });
    expect(model.metadata['hyperparameters']).toEqual(used);
  });
});

describe('train: feeder policy and mirrored data', () => {
  it('steers the feeder with the adaptive policy (payment_type slices reweighted) and reads from every copy of the data', async () => {
    const prefix = p.dataset.metadata['transformed_data_prefix'] as string;
    const copy = join(await mkdtemp(join(tmpdir(), 'train-mirror-')), 'copy');
    await cp(prefix, copy, { recursive: true });
    const r = await launchTrain(p, { feeder_policy: 'adaptive', slice_column: 'payment_type', data_mirrors: [copy], hyperparameter_overrides: { epochs: 4 }, seed: 4 });
    expect(r.errors).toEqual([]);
    const feedback = r.logs.filter((l) => l['message'] === 'feeder feedback');
    expect(feedback).toHaveLength(3);
    const vocabulary = JSON.parse(await readFile(join(r.outputs['model']!.uri, 'transform.json'), 'utf8')).features.find((f: { name: string }) => f.name === 'payment_type').vocabulary as string[];
    for (const f of feedback) {
      expect(f['policy']).toBe('adaptive');
      const keys = Object.keys(f['weights'] as object).map(Number);
      expect(keys.length).toBeGreaterThan(1);
      expect(keys.every((k) => k >= 0 && k <= vocabulary.length)).toBe(true);
    }
    const sources = (r.outputs['model']!.metadata['training'] as { feeder: { sources: { name: string; reads: number }[] } }).feeder.sources;
    expect(sources.map((s) => s.name)).toEqual(['primary', 'mirror-1']);
    expect(sources.reduce((a, s) => a + s.reads, 0)).toBeGreaterThanOrEqual(4);
  });
});

/** A copy of the dataset whose train and validation labels are shuffled: nothing to learn. */
async function shuffledLabels(): Promise<Pipeline['dataset']> {
  const prefix = p.dataset.metadata['transformed_data_prefix'] as string;
  const out = await mkdtemp(join(tmpdir(), 'train-shuffled-'));
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    for (const split of ['train', 'val', 'test']) {
      await mkdir(join(out, split));
      await conn.run(`COPY (
        WITH f AS (SELECT *, row_number() OVER () AS rn FROM read_parquet('${prefix}/${split}/*.parquet')),
             l AS (SELECT tip_bin AS shuffled, row_number() OVER (ORDER BY hash(rn + 17)) AS rn FROM f)
        SELECT f.* EXCLUDE (tip_bin, rn), l.shuffled AS tip_bin FROM f JOIN l USING (rn) ORDER BY rn
      ) TO '${out}/${split}/data-00000-of-00001.parquet' (FORMAT parquet)`);
    }
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return { ...p.dataset, metadata: { ...p.dataset.metadata, transformed_data_prefix: out } };
}

describe('train: failure to learn', () => {
  it('fails with a clear message when the labels carry no signal (no better than the label rate)', async () => {
    const r = await launchTrain(p, { hyperparameter_overrides: { epochs: 8, early_stop: { patience: 3 } } }, {}, { dataset: await shuffledLabels() });
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/failure to learn: the best val_loss [0-9.]+ \(epoch \d of \d\) is no better than always predicting the training label rate 0\.\d+ \(val_loss [0-9.]+\): nothing was learned from the features \(train with lr 0\.001, batch 16, hyperparameters default\)/);
    expect(existsSync(join(r.dir, 'model'))).toBe(false);
  });

  it('fails with a clear message when training diverges (lr = 10)', async () => {
    const r = await launchTrain(p, { hyperparameter_overrides: { epochs: 8, learning_rate: 10, early_stop: { patience: 3 } } });
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/failure to learn: (val_loss never improved on the first epoch's|val_loss was .* never a finite number|the best val_loss .* is no better than always predicting the training label rate)/);
    expect(r.errors.join('\n')).toMatch(/lr 10\b/);
  });
});

describe('train: hyperparameters from ML Metadata', () => {
  it('uses the newest tuned set of the model family and records it as the set used', async () => {
    const tuned = { learning_rate: 0.003, batch_size: 32, epochs: 3, early_stop: { monitor: 'val_loss' as const, patience: 4 } };
    const store = await openSqliteStore(p.store);
    try {
      await recordTunedHyperparameters(store, { family: 'other-family', hyperparameters: { ...tuned, batch_size: 64 }, statisticsUri: 's0', study: 'elsewhere' });
      await recordTunedHyperparameters(store, { family: FAMILY, hyperparameters: tuned, statisticsUri: p.dataset.metadata['statistics'] as string, study: 'study-1' });
    } finally {
      await store.close();
    }
    const r = await launchTrain(p, { seed: 3 });
    expect(r.errors).toEqual([]);
    expect(r.parameters).toMatchObject({ hyperparameters: tuned, hyperparameters_source: 'tuned' });
    expect(r.outputs['model']!.metadata).toMatchObject({ hyperparameters: tuned, hyperparameters_source: 'tuned' });
    const history = (await readJson(r.outputs['metrics']!.uri))['history'] as { batch_size: number; steps: number }[];
    expect(history).toHaveLength(3);
    expect(history[0]).toMatchObject({ batch_size: 32, steps: Math.ceil(2914 / 32) });
    const txt = await readJson(join(r.outputs['model']!.uri, 'metrics.txt'));
    expect(txt).toMatchObject({ learning_rate: 0.003, batch_size: 32, num_epochs: 3, early_stop: { patience: 4 } });
  });
});

describe('train: Vertex AI custom training contract and hypertune reporting', () => {
  it('writes the model to AIP_MODEL_DIR, events to AIP_TENSORBOARD_LOG_DIR, checkpoints to AIP_CHECKPOINT_DIR, metrics for hypertune', async () => {
    const aip = await mkdtemp(join(tmpdir(), 'train-aip-'));
    const env = {
      AIP_MODEL_DIR: join(aip, 'model'), AIP_TENSORBOARD_LOG_DIR: join(aip, 'logs'), AIP_CHECKPOINT_DIR: join(aip, 'checkpoints'),
      CLOUD_ML_HP_METRIC_FILE: join(aip, 'hypertune', 'output.metrics'), CLOUD_ML_TRIAL_ID: '7',
    };
    const r = await launchTrain(p, { hyperparameter_overrides: { epochs: 3 } }, env);
    expect(r.errors).toEqual([]);
    expect((await readdir(env.AIP_MODEL_DIR)).sort()).toEqual(['metrics.txt', 'model.json', 'transform.json', 'weights.bin']);
    expect(r.outputs['tensorboard']!.uri).toBe(env.AIP_TENSORBOARD_LOG_DIR);
    expect((await scalars(env.AIP_TENSORBOARD_LOG_DIR)).get('val_auc')).toHaveLength(3);
    const ckpt = await readJson(join(env.AIP_CHECKPOINT_DIR, 'latest', 'model.json'));
    expect(ckpt['userDefinedMetadata']['formalize']).toMatchObject({ epoch: 3 });
    const lines = (await readFile(env.CLOUD_ML_HP_METRIC_FILE, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(6);
    const history = (await readJson(r.outputs['metrics']!.uri))['history'] as { val_loss: number }[];
    // cloudml-hypertune's format: sorted keys, Python separators, values as strings.
    expect(lines[0]).toMatch(/^\{"global_step": "1", "timestamp": \d+\.?\d*, "trial": "7", "val_loss": "0\.\d+"\}$/);
    expect(lines[1]).toMatch(/^\{"global_step": "1", "timestamp": [0-9.]+, "trial": "7", "val_auc": "0\.\d+"\}$/);
    expect(lines.filter((l) => l.includes('val_loss')).map((l) => Number(JSON.parse(l).val_loss))).toEqual(history.map((h) => h.val_loss));
  });
});

describe('train: bad input', () => {
  it('names the missing dataset field and leaves no outputs', async () => {
    const { transformed_data_prefix: _gone, ...metadata } = p.dataset.metadata;
    const r = await launchTrain(p, {}, {}, { dataset: { ...p.dataset, metadata } });
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/inputs\.artifacts\.dataset\.metadata\.transformed_data_prefix: expected the folder of the train\/, val\/ and test\/ Parquet shards/);
    expect(existsSync(join(r.dir, 'model'))).toBe(false);
  });

  it('names a bad mode and a bad override', async () => {
    const r = await launchTrain(p, { mode: 'finetune', hyperparameter_overrides: { batch_size: 0 } });
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/inputs\.parameterValues\.mode: expected one of "train", "warmup", received "finetune"/);
    expect(r.errors.join('\n')).toMatch(/inputs\.parameterValues\.hyperparameter_overrides\.batch_size: too small/i);
  });
});
