// The model and training pipelines (pipelines/compiled/build-model.yaml, then chicago-custom-training.yaml) run
// with `formalize run` by the process launcher (the checkout's entrypoints) and by the docker launcher pulling every
// component image from the local registry (--pull always), each in its own pipeline root (its own metadata store,
// model registry and warehouse), on the same data: the data pipeline's output, made by the process launcher in each
// root (images/test/data-pipeline.test.ts compares the data pipeline across launchers). Fixed run ids give both
// roots the same paths below them, so outputs compare once the root is replaced.
// A fresh registry has no tuned hyperparameters: the tuning decision is `search`, a study of 2 trials (2 at once)
// picks the hyperparameters, train trains with them, evaluate scores the test split, register-model makes the
// candidate the family's first best. TF.js runs on its WASM backend in both (the same threads), with the same
// seed: the decisions must be equal and the metrics equal within floating-point tolerance.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestTunedHyperparameters } from '@formalize/common/hyperparameters';
import { openSqliteStore, type SqliteMetadataStore } from '@formalize/common/metadata';
import { ALIAS, openRegistry } from '@formalize/common/registry';
import type { RunRecord, TaskRecord } from '@formalize/runner';
import { expectClose, expectPushedImagesRan, formalizeRun, portable, readJson, readText, taskNamed, tempDir, type Launcher } from './harness.ts';

const FAMILY = 'chicago-taxi-tip';
const TRAINING = { max_trial_count: 2, parallel_trial_count: 2, seed: 0 };
// The same kernels, seed and data order on both sides compute the same float32 bits (they do: equal to the last
// digit here); a relative 1e-9 still fails any other summation order (another thread count or backend).
const REL = 1e-9;

interface Side { root: string; data: RunRecord; build: RunRecord; train: RunRecord; store: SqliteMetadataStore }

async function runSide(launcher: Launcher): Promise<Side> {
  const root = tempDir(`formalize-training-${launcher}-`);
  const data = formalizeRun('data-preprocessing.yaml', root, 'process', { year: 2014 }, '--run-id', 'data');
  const build = formalizeRun('build-model.yaml', root, launcher, {}, '--run-id', 'build');
  const train = formalizeRun('chicago-custom-training.yaml', root, launcher, TRAINING, '--run-id', 'train');
  return { root, data, build, train, store: await openSqliteStore(join(root, 'metadata.sqlite')) };
}

/** What differs between the roots by construction: the folder, and the dataset's resource name (a random id). */
const own = (s: Side) => ({ root: s.root, dataset: String(s.data.outputs.artifacts['dataset']![0]!.metadata['resourceName']) });
/** Outputs of a task, comparable across the roots. */
const outputsOf = (side: Side, t: TaskRecord) => portable(t.outputs, own(side)) as TaskRecord['outputs'];
const outputs = (side: Side, run: RunRecord, displayName: string) => outputsOf(side, taskNamed(run, displayName));
const artifactMeta = (side: Side, run: RunRecord, displayName: string, name: string) => outputs(side, run, displayName).artifacts[name]![0]!.metadata;

/** The TF.js backend a task's process (the component itself, not a tuning trial) logged. */
function backendOf(run: RunRecord, displayName: string): Record<string, unknown> {
  const t = taskNamed(run, displayName);
  const lines = readText(run.runDir, t.log!).split('\n').filter((l) => l.startsWith('{') && l.includes('"TensorFlow.js backend"'));
  if (lines.length === 0) throw new Error(`${displayName}: no "TensorFlow.js backend" line in ${t.log}`);
  const { backend, threads } = JSON.parse(lines[0]!) as Record<string, unknown>;
  return { backend, threads };
}

describe('training pipeline: docker launcher (images pulled from the registry) against the process launcher', () => {
  let proc: Side;
  let dock: Side;
  beforeAll(async () => {
    proc = await runSide('process');
    dock = await runSide('docker');
  });
  afterAll(async () => {
    await proc?.store.close();
    await dock?.store.close();
  });

  it('both train on the same data pipeline output', () => {
    expect(dock.data.state).toBe('SUCCEEDED');
    expect(proc.data.state).toBe('SUCCEEDED');
    const dataset = (s: Side) => portable(readJson(s.data.outputs.artifacts['dataset']![0]!.uri, 'metadata.json'), own(s));
    expectClose(dataset(proc), dataset(dock));
    for (const split of ['train_rows', 'val_rows', 'test_rows']) expect(readText(dock.data.runDir, 'dataflow-preprocess', split)).toBe(readText(proc.data.runDir, 'dataflow-preprocess', split));
  });

  it('both succeed, every docker task running the pushed image by digest', () => {
    expectPushedImagesRan(dock.build, proc.build);
    expectPushedImagesRan(dock.train, proc.train);
  });

  it('TF.js on the WASM backend with the same threads in the container and on the host', () => {
    for (const [run, task] of [['build', 'build-model'], ['train', 'train-model']] as const) {
      expect(backendOf(proc[run], task), `${task} (process)`).toMatchObject({ backend: 'wasm' });
      expect(backendOf(dock[run], task), `${task} (docker)`).toEqual(backendOf(proc[run], task));
    }
  });

  it('the same base model: architecture and initialisation', () => {
    expect(outputs(dock, dock.build, 'build-model')).toEqual(outputs(proc, proc.build, 'build-model'));
    const weights = (s: Side) => readFileSync(join(s.build.runDir, 'model-build', 'model', 'weights.bin'));
    expect(weights(dock).equals(weights(proc)), 'initial weights.bin byte for byte').toBe(true);
  });

  it('the same tuning decision and study: trials, their metrics, the hyperparameters chosen', () => {
    const decision = outputs(proc, proc.train, 'tuning-decision').parameters;
    expect(decision['action']).toBe('search');
    expect(outputs(dock, dock.train, 'tuning-decision').parameters).toEqual(decision);
    const [p, d] = [outputs(proc, proc.train, 'tune'), outputs(dock, dock.train, 'tune')];
    expect(d.parameters['best_hyperparameters']).toEqual(p.parameters['best_hyperparameters']);
    expect(d.parameters['beyond_threshold']).toBe(p.parameters['beyond_threshold']);
    expectClose(p.parameters['best_val_loss'], d.parameters['best_val_loss'], REL);
    const trials = artifactMeta(proc, proc.train, 'tune', 'trials');
    expect(trials['trials']).toBe(TRAINING.max_trial_count);
    expectClose(trials, artifactMeta(dock, dock.train, 'tune', 'trials'), REL);
  });

  it('the same trained model: hyperparameters, validation and test metrics', () => {
    const [p, d] = [outputs(proc, proc.train, 'train-model'), outputs(dock, dock.train, 'train-model')];
    expect(d.parameters['hyperparameters']).toEqual(p.parameters['hyperparameters']);
    expect(d.parameters['hyperparameters_source']).toBe('tuned');
    expect(p.parameters['hyperparameters']).toEqual(outputs(proc, proc.train, 'tune').parameters['best_hyperparameters']);
    expectClose(p.parameters['val_loss'], d.parameters['val_loss'], REL);
    expectClose(p.parameters['val_auc'], d.parameters['val_auc'], REL);
    const metrics = artifactMeta(proc, proc.train, 'train-model', 'metrics');
    expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['val_loss', 'val_auc', 'test_loss', 'test_auc', 'best_epoch', 'epochs_run']));
    expectClose(metrics, artifactMeta(dock, dock.train, 'train-model', 'metrics'), REL);
  });

  it('the same evaluation of the test split', () => {
    const [p, d] = [outputs(proc, proc.train, 'evaluate-model'), outputs(dock, dock.train, 'evaluate-model')];
    expectClose(p.parameters, d.parameters, REL);
    expectClose(artifactMeta(proc, proc.train, 'evaluate-model', 'metrics'), artifactMeta(dock, dock.train, 'evaluate-model', 'metrics'), REL);
  });

  it('the same registry decision, recorded in each metadata store: versions, labels, aliases, tuned set', async () => {
    const [p, d] = [outputs(proc, proc.train, 'register-candidate'), outputs(dock, dock.train, 'register-candidate')];
    expect(p.parameters['is_new_best']).toBe(true);
    expectClose(p.parameters, d.parameters, REL);
    const registry = async (s: Side) => {
      const r = openRegistry(s.store);
      const versions = (await r.listVersions(FAMILY)).map((v) => portable({ version: v.version, uri: v.uri, labels: v.labels, aliases: [...v.aliases].sort() }, own(s)));
      return { versions, best: (await r.getByAlias(FAMILY, ALIAS.best))?.version };
    };
    const registered = await registry(proc);
    expect(registered.best).toBe(p.parameters['version']);
    expect(await registry(dock)).toEqual(registered);
    const comparisons = async (s: Side) => (await s.store.listExecutions({ filter: { type: 'formalize.ModelComparison' } })).map((e) => portable(e.metadata, own(s)));
    const compared = await comparisons(proc);
    expect(compared).toHaveLength(1);
    expectClose(compared, await comparisons(dock), REL);
    const tuned = async (s: Side) => {
      const t = (await latestTunedHyperparameters(s.store, FAMILY))!;
      return portable({ hyperparameters: t.hyperparameters, statisticsUri: t.statisticsUri, initialization: t.initialization, objective: t.objective }, own(s));
    };
    const tunedSet = await tuned(proc);
    expect((tunedSet as { hyperparameters: unknown }).hyperparameters).toEqual(outputs(proc, proc.train, 'tune').parameters['best_hyperparameters']);
    expectClose(tunedSet, await tuned(dock), REL);
  });
});
