// Benchmark of the trainer and the feeder (not a timed test). Same split, same features, same run:
//   * time per epoch of our trainer (packages/train: the fused step; TF.js' optimizer over the Layers graph; the
//     naive `model.fit`) against PyTorch (Debian's python3-torch, the same architecture, initialisation family,
//     Adam settings, epochs and batch size; 1 thread and torch's default thread count), each in its own process,
//     at each batch size of BENCH_BATCHES (default 16,256);
//   * test ROC AUC of a full training run (the default hyperparameters: lr 0.001, batch 16, early stopping on
//     val_loss, patience 5) against XGBoost (Debian's python3-xgboost, early stopping on the validation split);
//   * the feeder's throughput (rows/s over one epoch of the train split) against a plain read_parquet of the
//     same files, row objects (`readTransformedRows`) and columns (DuckDB vectors);
//   * the adaptive feedback policy on and off: val_loss, val/test AUC and time at equal epochs.
// Data: the shipped sample through the data pipeline, and 1,000,000 synthetic trips (seed 1) through the data
// pipeline for one year (2014: ~187k train rows). Splits are exported once as raw column files for Python.
//
//   node bench/train.ts                      # both datasets
//   BENCH_DATA=sample BENCH_EPOCHS=3 BENCH_ROUNDS=2 BENCH_AUC_EPOCHS=20 BENCH_POLICY_EPOCHS=8 node bench/train.ts
//   BENCH_BATCHES=16,64,256 node bench/train.ts
//   BENCH_DATA=synthetic BENCH_PARTS=timing BENCH_SLOW=0 node bench/train.ts      # without the slow references
//   BENCH_DATA=synthetic BENCH_PARTS=auc,policy,feeder node bench/train.ts   # parts: timing, auc, policy, feeder
// Each table is printed as soon as it is measured.
// The machine is shared with other jobs: the load average at the start and end of each dataset is printed, and the
// peers run in the same run, so the ratios are the figures to compare.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { mulberry32 } from '@formalize/common';
import { DEFAULT_HYPERPARAMETERS } from '@formalize/common/hyperparameters';
import { buildBaseModel, loadTf, modelSpecFromTransform, type ModelSpec, type Tensor } from '@formalize/common/model';
import { listShards, readTransformArtifact, readTransformedRows } from '@formalize/common/transform';
import type { Column, SplitColumns } from '../packages/train/src/feeder/index.ts';
import { adaptivePolicy, createFeeder, duckdbShardSource, feederSpecFromModel, readSplit, stratumOf } from '../packages/train/src/feeder/index.ts';
import { createTrainer, type TrainerKind } from '../packages/train/src/training/create-trainer.ts';
import { FailureToLearnError } from '../packages/train/src/training/early-stopping.ts';
import { trainLoop } from '../packages/train/src/training/loop.ts';
import { binaryMetrics } from '../packages/train/src/training/metrics.ts';
import type { Rows } from '../packages/train/src/training/trainer.ts';

const REPO = join(import.meta.dirname, '..');
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-torch and python3-xgboost
const EPOCHS = Number(process.env['BENCH_EPOCHS'] ?? 3);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2);
const AUC_EPOCHS = Number(process.env['BENCH_AUC_EPOCHS'] ?? 20);
const POLICY_EPOCHS = Number(process.env['BENCH_POLICY_EPOCHS'] ?? 8);
const DATA = (process.env['BENCH_DATA'] ?? 'sample,synthetic').split(',');
/** BENCH_SLOW=0 leaves out the slow references (the Layers graph, model.fit). */
const SLOW = process.env['BENCH_SLOW'] !== '0';
const BATCHES = (process.env['BENCH_BATCHES'] ?? '16,256').split(',').map(Number);
const PART_NAMES = ['timing', 'auc', 'policy', 'feeder'];
const PARTS = (process.env['BENCH_PARTS'] ?? PART_NAMES.join(',')).split(',');
if (PARTS.some((p) => !PART_NAMES.includes(p))) throw new Error(`BENCH_PARTS must be a comma list of ${PART_NAMES.join(', ')}; got ${process.env['BENCH_PARTS']}`);
if (BATCHES.some((b) => !Number.isInteger(b) || b < 1)) throw new Error(`BENCH_BATCHES must be positive integers, comma-separated; got ${process.env['BENCH_BATCHES']}`);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

// ---- our worker -----------------------------------------------------------------------------------------------

interface OursConfig {
  kind: 'ours';
  prefix: string;
  trainer: TrainerKind | 'fit';
  /** `memory`: batches sliced from the split held in memory (as the PyTorch loop does); `feeder`: the feeder. */
  batches: 'memory' | 'feeder';
  batchSize: number;
  epochs: number;
  seed: number;
  /** `time`: training steps only; `train`: the full loop (validation, early stopping), then the test split. */
  mode: 'time' | 'train';
  policy?: 'adaptive';
  sliceColumn?: string;
  /** Early-stopping patience (train mode; default: the default hyperparameters'). */
  patience?: number;
}

interface WorkerResult { failure?: string; epochSeconds: number[]; val_loss?: number; val_auc?: number; test_auc?: number; test_loss?: number; epochs?: number; seconds?: number; batchSizes?: number[]; bestEpoch?: number }

/** A seeded permutation of the rows, applied to every column (one gather per epoch, then contiguous batches). */
function permuted(split: SplitColumns, seed: number): Rows {
  const n = split.size;
  const perm = new Uint32Array(n).map((_, i) => i);
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const features: Record<string, Column> = {};
  for (const [k, col] of Object.entries(split.features)) {
    const out = col instanceof Float32Array ? new Float32Array(n) : new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = col[perm[i]!]!;
    features[k] = out;
  }
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) labels[i] = split.labels[perm[i]!]!;
  return { size: n, features, labels };
}

function* memoryBatches(rows: Rows, batchSize: number): Generator<Rows> {
  for (let at = 0; at < rows.size; at += batchSize) {
    const end = Math.min(rows.size, at + batchSize);
    yield { size: end - at, features: Object.fromEntries(Object.entries(rows.features).map(([k, v]) => [k, v.subarray(at, end)])), labels: rows.labels.subarray(at, end) };
  }
}

async function oursWorker(cfg: OursConfig): Promise<WorkerResult> {
  const transform = await readTransformArtifact(join(cfg.prefix, 'transform'));
  const spec = modelSpecFromTransform(transform);
  const fspec = feederSpecFromModel(spec);
  const { tf } = await loadTf({ prefer: ['wasm'] });
  const model = buildBaseModel(tf, spec, { seed: 42 });
  const reader = duckdbShardSource(fspec, stratumOf(fspec, cfg.sliceColumn));
  const split = async (name: string) => readSplit(reader, await listShards(join(cfg.prefix, name)), fspec);
  const val = await split('val');
  if (cfg.mode === 'train') {
    const { trainer } = createTrainer(tf, model, spec, cfg.trainer === 'fit' ? 'layers' : cfg.trainer);
    const feeder = createFeeder({ sources: [{ shards: await listShards(join(cfg.prefix, 'train')) }], spec: fspec, batchSize: cfg.batchSize, seed: cfg.seed, ...(cfg.sliceColumn && { sliceColumn: cfg.sliceColumn }) });
    const hp = { ...DEFAULT_HYPERPARAMETERS, batch_size: cfg.batchSize, epochs: cfg.epochs, ...(cfg.patience && { early_stop: { monitor: 'val_loss' as const, patience: cfg.patience } }) };
    let r: Awaited<ReturnType<typeof trainLoop>>;
    try {
      r = await trainLoop({ mode: 'train', trainer, feeder, hyperparameters: hp, validation: val, sliced: cfg.sliceColumn !== undefined, ...(cfg.policy && { policy: adaptivePolicy() }) });
    } catch (err) {
      // The trainer's own verdict (e.g. val_loss best at epoch 1) is a result to report, not a benchmark failure.
      if (err instanceof FailureToLearnError) return { failure: err.message, epochSeconds: [] };
      throw err;
    } finally {
      await feeder.close();
    }
    const test = await split('test');
    const t = binaryMetrics(trainer.logits(test), test.labels);
    return { epochSeconds: r.history.map((h) => h.seconds), val_loss: r.best.val_loss!, val_auc: r.best.val_auc!, test_auc: t.auc, test_loss: t.loss, epochs: r.history.length, bestEpoch: r.bestEpoch, seconds: r.seconds, batchSizes: r.history.map((h) => h.batch_size) };
  }
  const train = await split('train');
  const epochSeconds: number[] = [];
  if (cfg.trainer === 'fit') {
    // The naive path: Keras-style model.fit over tensors of the whole split.
    model.compile({ optimizer: tf.train.adam(0.001), loss: 'binaryCrossentropy' });
    const xs = model.inputNames.map((name) => tf.tensor2d(train.features[name]!, [train.size, 1], spec.inputs.find((i) => i.name === name)!.kind === 'numeric' ? 'float32' : 'int32'));
    const ys = tf.tensor2d(train.labels, [train.size, 1]);
    for (let e = 0; e < cfg.epochs; e++) {
      const t0 = performance.now();
      await model.fit(xs, ys, { batchSize: cfg.batchSize, epochs: 1, shuffle: true, verbose: 0 });
      epochSeconds.push((performance.now() - t0) / 1000);
    }
    tf.dispose([...xs, ys] as Tensor[]);
  } else {
    const { trainer } = createTrainer(tf, model, spec, cfg.trainer);
    const feeder = cfg.batches === 'feeder' ? createFeeder({ sources: [{ shards: await listShards(join(cfg.prefix, 'train')) }], spec: fspec, batchSize: cfg.batchSize, seed: cfg.seed }) : undefined;
    for (let e = 0; e < cfg.epochs; e++) {
      const rows = feeder ? undefined : permuted(train, cfg.seed + e);
      const t0 = performance.now();
      if (feeder) for await (const b of feeder.epoch()) trainer.step(b, 0.001);
      else for (const b of memoryBatches(rows!, cfg.batchSize)) trainer.step(b, 0.001);
      epochSeconds.push((performance.now() - t0) / 1000);
    }
    await feeder?.close();
    const v = binaryMetrics(trainer.logits(val), val.labels);
    await reader.close();
    return { epochSeconds, val_loss: v.loss, val_auc: v.auc };
  }
  await reader.close();
  return { epochSeconds };
}

// ---- PyTorch and XGBoost (same exported columns) ---------------------------------------------------------------

// Exact ROC AUC (ties averaged), as packages/train computes it; neither peer ships one (no scikit-learn here).
const PY_AUC = String.raw`
def auc(s, y):
    order = np.argsort(s, kind='mergesort'); s, y = s[order], y[order]
    _, first, counts = np.unique(s, return_index=True, return_counts=True)
    ranks = np.repeat(first + (counts + 1) / 2, counts)
    p = y.sum(); n = len(y) - p
    return float((ranks[y == 1].sum() - p * (p + 1) / 2) / (p * n))
`;

const TORCH = String.raw`
import json, sys, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
cfg = json.loads(sys.argv[1]); d = cfg['dir']; man = json.load(open(d + '/manifest.json'))
if cfg['threads']: torch.set_num_threads(cfg['threads'])
torch.manual_seed(42)
def load(split):
    cols = [torch.from_numpy(np.fromfile(f"{d}/{split}/{i['name']}.bin", dtype=np.float32 if i['kind'] == 'numeric' else np.int32)) for i in man['inputs']]
    cols = [c if i['kind'] == 'numeric' else c.long() for c, i in zip(cols, man['inputs'])]
    return cols, torch.from_numpy(np.fromfile(f"{d}/{split}/label.bin", dtype=np.float32))
class Seed(nn.Module):
    # inputs -> numeric column / one-hot over vocab+1 / embedding (vocab+1) x floor(sqrt(vocab)) -> concat -> 128 ReLU -> 64 ReLU -> logit
    def __init__(self):
        super().__init__()
        self.emb = nn.ModuleDict({i['name']: nn.Embedding(i['rows'], i['dim']) for i in man['inputs'] if i['kind'] == 'embedding'})
        for e in self.emb.values(): nn.init.uniform_(e.weight, -0.05, 0.05)
        width = sum(1 if i['kind'] == 'numeric' else i['width'] if i['kind'] == 'onehot' else i['dim'] for i in man['inputs'])
        dims = [width] + man['hidden'] + [1]
        self.dense = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims, dims[1:])])
        for l in self.dense: nn.init.xavier_uniform_(l.weight); nn.init.zeros_(l.bias)
    def forward(self, cols):
        parts = [c.unsqueeze(1) if i['kind'] == 'numeric' else F.one_hot(c, i['width']).float() if i['kind'] == 'onehot' else self.emb[i['name']](c) for c, i in zip(cols, man['inputs'])]
        h = torch.cat(parts, 1)
        for l in self.dense[:-1]: h = F.relu(l(h))
        return self.dense[-1](h).squeeze(1)
${PY_AUC}train, ytr = load('train'); val, yv = load('val'); test, yte = load('test')
m = Seed(); opt = torch.optim.Adam(m.parameters(), lr=0.001, eps=1e-7)
B = cfg['batch']; n = len(ytr); times = []; g = torch.Generator().manual_seed(cfg['seed'])
def evaluate(cols, y):
    with torch.no_grad(): z = m(cols)
    return float(F.binary_cross_entropy_with_logits(z, y)), auc(z.numpy(), y.numpy())
best = (float('inf'), None, 0); wait = 0; epochs = 0
for e in range(cfg['epochs']):
    perm = torch.randperm(n, generator=g); cols = [c[perm] for c in train]; y = ytr[perm]
    t = time.perf_counter()
    for s in range(0, n, B):
        opt.zero_grad(); loss = F.binary_cross_entropy_with_logits(m([c[s:s + B] for c in cols]), y[s:s + B]); loss.backward(); opt.step()
    times.append(time.perf_counter() - t); epochs += 1
    if cfg['mode'] == 'train':
        vl, va = evaluate(val, yv)
        if vl < best[0]: best = (vl, {k: v.clone() for k, v in m.state_dict().items()}, e + 1); wait = 0
        else:
            wait += 1
            if wait >= cfg['patience']: break
if cfg['mode'] == 'train': m.load_state_dict(best[1])
vl, va = evaluate(val, yv); tl, ta = evaluate(test, yte)
print(json.dumps(dict(epochSeconds=times, val_loss=vl, val_auc=va, test_loss=tl, test_auc=ta, epochs=epochs, bestEpoch=best[2], threads=torch.get_num_threads())))
`;

const XGB = String.raw`
import json, sys, time
import numpy as np, pandas as pd, xgboost as xgb
cfg = json.loads(sys.argv[1]); d = cfg['dir']; man = json.load(open(d + '/manifest.json'))
def load(split, categorical):
    cols = {i['name']: np.fromfile(f"{d}/{split}/{i['name']}.bin", dtype=np.float32 if i['kind'] == 'numeric' else np.int32) for i in man['inputs']}
    df = pd.DataFrame(cols)
    if categorical:
        for i in man['inputs']:
            if i['kind'] != 'numeric': df[i['name']] = pd.Categorical(df[i['name']], categories=list(range(i['rows'] if i['kind'] == 'embedding' else i['width'])))
    return df, np.fromfile(f"{d}/{split}/label.bin", dtype=np.float32)
${PY_AUC}out = {}
for categorical in (False, True):
    (xtr, ytr), (xv, yv), (xte, yte) = (load(s, categorical) for s in ('train', 'val', 'test'))
    t = time.perf_counter()
    dtr, dv, dte = (xgb.DMatrix(x, label=y, enable_categorical=categorical) for x, y in ((xtr, ytr), (xv, yv), (xte, yte)))
    params = dict(objective='binary:logistic', eval_metric='logloss', tree_method='hist', max_depth=6, eta=0.1, nthread=cfg['threads'], seed=0)
    b = xgb.train(params, dtr, num_boost_round=2000, evals=[(dv, 'val')], early_stopping_rounds=50, verbose_eval=False)
    secs = time.perf_counter() - t
    rng = (0, b.best_iteration + 1)
    out['categorical' if categorical else 'ordinal'] = dict(test_auc=auc(b.predict(dte, iteration_range=rng), yte), val_auc=auc(b.predict(dv, iteration_range=rng), yv), trees=b.best_iteration + 1, seconds=secs)
print(json.dumps(out))
`;

// OMP_WAIT_POLICY=PASSIVE for PyTorch: on a shared machine, OpenMP threads that spin while waiting for work made
// 2-thread epochs 10x slower than 1-thread ones here.
// A failed process is retried once (and the failure logged): other jobs on this machine reinstall node_modules
// now and then, which broke a TF.js import mid-run; a second failure is a real one.
function runJson<T>(cmd: string, args: string[], env: Record<string, string> = {}, attempt = 1): T {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, FORMALIZE_TF_BACKEND: 'wasm', ...env } });
  if (r.status !== 0) {
    const message = `${cmd} ${args.slice(0, 2).join(' ').slice(0, 200)} failed (${r.status}):\n${r.stderr.slice(-4000)}`;
    if (attempt > 1) throw new Error(message);
    console.error(`${message}\nretrying once`);
    return runJson<T>(cmd, args, env, attempt + 1);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

function oursAsync(cfg: Omit<OursConfig, 'kind'>): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [import.meta.filename, '--worker', JSON.stringify({ kind: 'ours', ...cfg })], { env: { ...process.env, FORMALIZE_TF_BACKEND: 'wasm' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.trim().split('\n').pop()!) as WorkerResult) : reject(new Error(`worker failed (${code}): ${stderr.slice(-2000)}`))));
  });
}

const ours = (cfg: Omit<OursConfig, 'kind'>) => runJson<WorkerResult>(process.execPath, [import.meta.filename, '--worker', JSON.stringify({ kind: 'ours', ...cfg })]);
const torch = (dir: string, cfg: { batch: number; epochs: number; threads: number; mode: 'time' | 'train'; seed: number; patience?: number }) =>
  runJson<WorkerResult & { threads: number }>(PYTHON, ['-c', TORCH, JSON.stringify({ dir, patience: 5, ...cfg })], { OMP_WAIT_POLICY: 'PASSIVE' });

// ---- data ---------------------------------------------------------------------------------------------------

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [join(REPO, 'packages/cli/src/main.ts'), ...args], { encoding: 'utf8', cwd: REPO, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`formalize ${args.join(' ')} failed: ${r.stderr.slice(-3000)}`);
  return r.stdout;
}

/** The data pipeline into `root`: the folder of the dataset's transformed splits. */
function dataPipeline(root: string, params: string[]): string {
  const out = cli(['run', join(REPO, 'pipelines/compiled/data-preprocessing.yaml'), '--pipeline-root', root, '--json', ...params]);
  return JSON.parse(out.trim().split('\n').at(-1)!).run.outputs.artifacts.dataset[0].metadata['transformed_data_prefix'] as string;
}

/** Splits as raw little-endian column files + manifest.json, for the Python peers. */
async function exportSplits(prefix: string, dir: string): Promise<{ spec: ModelSpec; rows: Record<string, number> }> {
  const spec = modelSpecFromTransform(await readTransformArtifact(join(prefix, 'transform')));
  const fspec = feederSpecFromModel(spec);
  const reader = duckdbShardSource(fspec, stratumOf(fspec, undefined));
  const rows: Record<string, number> = {};
  for (const split of ['train', 'val', 'test']) {
    const s = await readSplit(reader, await listShards(join(prefix, split)), fspec);
    mkdirSync(join(dir, split), { recursive: true });
    for (const [name, col] of Object.entries(s.features)) writeFileSync(join(dir, split, `${name}.bin`), new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
    writeFileSync(join(dir, split, 'label.bin'), new Uint8Array(s.labels.buffer, s.labels.byteOffset, s.labels.byteLength));
    rows[split] = s.size;
  }
  await reader.close();
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ inputs: spec.inputs, hidden: spec.hiddenUnits, rows }));
  return { spec, rows };
}

// ---- feeder throughput ----------------------------------------------------------------------------------------

async function feederThroughput(prefix: string, work: string): Promise<string[][]> {
  const spec = modelSpecFromTransform(await readTransformArtifact(join(prefix, 'transform')));
  const fspec = feederSpecFromModel(spec);
  const files = await listShards(join(prefix, 'train'));
  const mirrorDir = join(work, 'mirror', 'train');
  mkdirSync(mirrorDir, { recursive: true });
  for (const f of files) writeFileSync(join(mirrorDir, f.split('/').at(-1)!), readFileSync(f));
  const mirrorFiles = await listShards(mirrorDir);
  const rowsPerSec = async (f: () => Promise<number>) => {
    const rates: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      const n = await f();
      if (i > 0) rates.push(n / ((performance.now() - t0) / 1000));
    }
    return median(rates);
  };
  const feederRun = (opts: Partial<Parameters<typeof createFeeder>[0]>) => async () => {
    const feeder = createFeeder({ sources: [{ shards: files }], spec: fspec, batchSize: 256, ...opts });
    let n = 0;
    for await (const b of feeder.epoch()) n += b.size;
    await feeder.close();
    return n;
  };
  const plain = await rowsPerSec(async () => {
    let n = 0;
    for await (const _ of readTransformedRows(join(prefix, 'train'))) n++;
    return n;
  });
  const columns = await rowsPerSec(async () => {
    const reader = duckdbShardSource(fspec, stratumOf(fspec, undefined));
    const s = await readSplit(reader, files, fspec);
    await reader.close();
    return s.size;
  });
  const cases: [string, number][] = [
    ['plain read_parquet, row objects (readTransformedRows)', plain],
    ['plain read_parquet, columns (DuckDB vectors, no shuffle)', columns],
    ['feeder: batches of 256, shuffle buffer 8192, prefetch 4', await rowsPerSec(feederRun({}))],
    ['feeder: + 2 mirrored copies balanced', await rowsPerSec(feederRun({ sources: [{ shards: files, mirror: 'a' }, { shards: mirrorFiles, mirror: 'b' }] }))],
    ['feeder: weighted by label (1:1)', await rowsPerSec(feederRun({ weights: { 0: 1, 1: 1 } }))],
    ['feeder: prefetch 0', await rowsPerSec(feederRun({ prefetch: 0 }))],
  ];
  return cases.map(([name, r]) => [name, `${Math.round(r).toLocaleString('en-US')}`, `${(r / plain).toFixed(1)}x`]);
}

// ---- driver ---------------------------------------------------------------------------------------------------

const table = (header: string[], rows: string[][]) => `| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}`;
const s3 = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(3));
const sec = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)} ms` : `${x.toFixed(2)} s`);

/** Prints one block of the report at once: a late failure keeps what was measured before it. */
const emit = (block: string) => console.log(`${block}\n`);
const loadText = () => loadavg().map((x) => x.toFixed(1)).join(', ');

async function benchDataset(name: string, prefix: string, work: string): Promise<void> {
  const exportDir = join(work, 'export');
  const { rows } = await exportSplits(prefix, exportDir);
  emit(`### ${name}: ${rows['train']!.toLocaleString('en-US')} train / ${rows['val']!.toLocaleString('en-US')} val / ${rows['test']!.toLocaleString('en-US')} test rows`);
  console.error(`${name}: ${JSON.stringify(rows)}`);
  const loadAtStart = loadText();
  if (PARTS.includes('timing')) timingPart(name, prefix, exportDir);
  if (PARTS.includes('timing')) await dataParallelPart(prefix);
  if (PARTS.includes('auc')) aucPart(prefix, exportDir);
  if (PARTS.includes('policy')) policyPart(prefix);
  if (PARTS.includes('feeder')) emit(`Feeder throughput, one epoch of the train split (median of 3 after a warm-up):\n\n${table(['reader', 'rows/s', 'vs plain row read'], await feederThroughput(prefix, work))}`);
  emit(`Load average (1, 5, 15 min; 2 cores) ${loadAtStart} when this dataset's measurements started, ${loadText()} at their end.`);
}

function timingPart(name: string, prefix: string, exportDir: string): void {
  // Time per epoch, same architecture, epochs and batch size. The machine is shared: every configuration runs
  // ROUNDS times, round-robin; the figures are its median and fastest epoch after the first of each process.
  const timing: string[][] = [];
  const loadAtStart = loadText();
  for (const batchSize of BATCHES) {
    const epochs = EPOCHS;
    // The slow references run one round of two epochs; model.fit at batch 16 on the synthetic split would take
    // many minutes an epoch (the sample shows that ratio).
    type Config = [string, (epochs: number) => WorkerResult, 'slow'?];
    const configs: Config[] = [
      ['PyTorch, 1 thread', (e) => torch(exportDir, { batch: batchSize, epochs: e, threads: 1, mode: 'time', seed: 1 })],
      // threads 0: torch's own default (its intra-op pool size), reported from the run.
      ['PyTorch, default threads', (e) => torch(exportDir, { batch: batchSize, epochs: e, threads: 0, mode: 'time', seed: 1 })],
      // Debian's torch defaults to 1 thread on this 2-core machine (libgomp's omp_get_max_threads() is 1), so the
      // core count is set explicitly too.
      [`PyTorch, ${cpus().length} threads`, (e) => torch(exportDir, { batch: batchSize, epochs: e, threads: cpus().length, mode: 'time', seed: 1 })],
      ['ours: fused step, batches from memory', (e) => ours({ prefix, trainer: 'fused', batches: 'memory', batchSize, epochs: e, seed: 1, mode: 'time' })],
      ['ours: fused step, batches from the feeder', (e) => ours({ prefix, trainer: 'fused', batches: 'feeder', batchSize, epochs: e, seed: 1, mode: 'time' })],
    ];
    if (SLOW) configs.push(['ours: TF.js optimizer.minimize over the Layers graph', (e) => ours({ prefix, trainer: 'layers', batches: 'memory', batchSize, epochs: e, seed: 1, mode: 'time' }), 'slow']);
    if (SLOW && (name === 'sample' || batchSize >= 256)) configs.push(['ours: naive model.fit', (e) => ours({ prefix, trainer: 'fit', batches: 'memory', batchSize, epochs: e, seed: 1, mode: 'time' }), 'slow']);
    const times = configs.map((): number[] => []);
    const last: (WorkerResult | undefined)[] = configs.map(() => undefined);
    for (let round = 0; round < ROUNDS; round++) {
      configs.forEach(([what, run, slow], k) => {
        if (slow && round > 0) return;
        const r = run(slow ? Math.min(epochs, 2) : epochs);
        times[k]!.push(...(r.epochSeconds.length > 1 ? r.epochSeconds.slice(1) : r.epochSeconds));
        last[k] = r;
        console.error(`${name} b${batchSize} ${what}: ${r.epochSeconds.map((x) => x.toFixed(2)).join(' ')} s`);
      });
    }
    const ratio = (x: number, peer: number) => `${(x / peer).toFixed(2)}x`;
    // Peers: PyTorch 1 thread, default threads, all cores (configs 0-2).
    const peers = [0, 1, 2].map((k) => ({ med: median(times[k]!), fast: Math.min(...times[k]!) }));
    configs.forEach(([what], k) => {
      const best = Math.min(...times[k]!);
      const med = median(times[k]!);
      const label = k === 1 ? `${what} (${(last[k] as { threads?: number }).threads})` : what;
      timing.push([String(batchSize), label, sec(med), sec(best), ...peers.map((p) => `${ratio(med, p.med)} / ${ratio(best, p.fast)}`), s3(last[k]!.val_auc)]);
    });
  }
  emit(`Time per training epoch (steps only), WASM backend (single-threaded in Node); median and fastest epoch over ${ROUNDS} round-robin runs of ${EPOCHS} epochs (the Layers graph and model.fit: one run of 2), the first epoch of each run left out; ratios median / fastest. Load average ${loadAtStart} at the start, ${loadText()} at the end:\n\n${table(['batch', 'trainer', 'time / epoch (median)', 'fastest', 'vs PyTorch 1 thread', 'vs PyTorch default threads', `vs PyTorch ${cpus().length} threads`, `val AUC after ${EPOCHS} epochs`], timing)}`);
}

// What a second core could give data-parallel training (worker threads each computing half a batch's
// gradients): two independent fused runs at once against one alone. Its ceiling, before any synchronisation.
async function dataParallelPart(prefix: string): Promise<void> {
  const solo = ours({ prefix, trainer: 'fused', batches: 'memory', batchSize: 256, epochs: EPOCHS, seed: 1, mode: 'time' });
  const pair = await Promise.all([1, 2].map((seed) => oursAsync({ prefix, trainer: 'fused', batches: 'memory', batchSize: 256, epochs: EPOCHS, seed, mode: 'time' })));
  const soloEpoch = Math.min(...solo.epochSeconds.slice(1));
  const pairEpoch = Math.max(...pair.map((r) => Math.min(...r.epochSeconds.slice(1))));
  emit(`Data-parallel ceiling on this machine (batch 256, fused step): one run alone ${sec(soloEpoch)} per epoch; two runs at once ${sec(pairEpoch)} per epoch each, i.e. ${(2 * soloEpoch / pairEpoch).toFixed(2)}x the throughput of one, before any gradient exchange.`);
}

// Test AUC of a full run with the default hyperparameters, against XGBoost.
function aucPart(prefix: string, exportDir: string): void {
  const full = ours({ prefix, trainer: 'fused', batches: 'feeder', batchSize: 16, epochs: AUC_EPOCHS, seed: 1, mode: 'train' });
  const fullTorch = torch(exportDir, { batch: 16, epochs: AUC_EPOCHS, threads: 1, mode: 'train', seed: 1, patience: 5 });
  const xgb = runJson<Record<'ordinal' | 'categorical', { test_auc: number; val_auc: number; trees: number; seconds: number }>>(PYTHON, ['-c', XGB, JSON.stringify({ dir: exportDir, threads: cpus().length })]);
  console.error(`auc: ${JSON.stringify({ ours: full, torch: fullTorch, xgb })}`);
  const bestXgb = Math.max(xgb.ordinal.test_auc, xgb.categorical.test_auc);
  const oursRow = full.failure
    ? ['ours (fused step, feeder)', '-', '-', '-', '-', '-', full.failure]
    : ['ours (fused step, feeder)', s3(full.test_auc), s3(full.test_loss), s3(full.val_auc), `${full.epochs} (${full.bestEpoch})`, sec(full.seconds!), `${(full.test_auc! - bestXgb >= 0 ? '+' : '')}${(full.test_auc! - bestXgb).toFixed(4)}`];
  emit(`Test ROC AUC (ours and PyTorch: lr 0.001, batch 16, up to ${AUC_EPOCHS} epochs, early stopping on val_loss with patience 5, best epoch restored):\n\n${table(
    ['model', 'test AUC', 'test loss', 'val AUC', 'epochs (best)', 'train time', 'vs best XGBoost'],
    [
      oursRow,
      ['PyTorch (same architecture, 1 thread)', s3(fullTorch.test_auc), s3(fullTorch.test_loss), s3(fullTorch.val_auc), `${fullTorch.epochs} (${fullTorch.bestEpoch})`, sec(fullTorch.epochSeconds.reduce((a, b) => a + b, 0)), `${(fullTorch.test_auc! - bestXgb).toFixed(4)}`],
      ['XGBoost, vocabulary indices as ordinals', s3(xgb.ordinal.test_auc), '-', s3(xgb.ordinal.val_auc), `${xgb.ordinal.trees} trees`, sec(xgb.ordinal.seconds), `${(xgb.ordinal.test_auc - bestXgb).toFixed(4)}`],
      ['XGBoost, categorical splits', s3(xgb.categorical.test_auc), '-', s3(xgb.categorical.val_auc), `${xgb.categorical.trees} trees`, sec(xgb.categorical.seconds), `${(xgb.categorical.test_auc - bestXgb).toFixed(4)}`],
    ])}`);
}

// The feedback policy at equal epochs (patience = the epochs: no early stop).
function policyPart(prefix: string): void {
  const policyRows: string[][] = [];
  for (const [what, cfg] of [
    ['no policy (every row once, batch 16)', {}],
    ['adaptive: batch growth on plateau', { policy: 'adaptive' as const }],
    ['adaptive: batch growth + payment_type slices up-weighted by loss', { policy: 'adaptive' as const, sliceColumn: 'payment_type' }],
  ] as const) {
    const r = ours({ prefix, trainer: 'fused', batches: 'feeder', batchSize: 16, epochs: POLICY_EPOCHS, seed: 1, mode: 'train', patience: POLICY_EPOCHS, ...cfg });
    console.error(`policy ${what}: ${JSON.stringify(r)}`);
    policyRows.push(r.failure ? [what, '-', '-', '-', '-', '-', r.failure] : [what, s3(r.val_loss), s3(r.val_auc), s3(r.test_auc), String(r.bestEpoch), sec(r.seconds!), r.batchSizes!.join(' ')]);
  }
  emit(`Feedback policy, ${POLICY_EPOCHS} epochs each (no early stop), same seed:\n\n${table(['policy', 'best val_loss', 'val AUC', 'test AUC', 'best epoch', 'train time', 'batch size per epoch'], policyRows)}`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-train-'));
  try {
    if (DATA.includes('sample')) {
      const prefix = dataPipeline(join(work, 'sample'), []);
      await benchDataset('sample', prefix, join(work, 'sample-work'));
    }
    if (DATA.includes('synthetic')) {
      const root = join(work, 'synthetic');
      cli(['warehouse', 'generate', '--table', 'my-project.synthetic.trips', '--rows', '1000000', '--seed', '1', '--pipeline-root', root]);
      const prefix = dataPipeline(root, ['-p', 'bq_table=my-project.synthetic.trips', '-p', 'year=2014', '-p', 'limit=400000']);
      await benchDataset('synthetic (1M trips, 2014)', prefix, join(work, 'synthetic-work'));
    }
    const { version } = JSON.parse(readFileSync(join(REPO, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')) as { version: string };
    emit(`${cpus().length} CPUs (${cpus()[0]?.model}), Node ${process.version}, TF.js ${version} (WASM), PyTorch and XGBoost from Debian; each configuration in its own process.`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') console.log(JSON.stringify(await oursWorker(JSON.parse(process.argv[3]!) as OursConfig)));
else await main();

