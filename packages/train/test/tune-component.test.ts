// The tune component through the executor protocol, with the fake trial function (a known optimum): outputs, the
// ML Metadata records, the parallelism bound, failures, the threshold gate, the hypertune file, fine-tuning from
// the stored best, cancellation, and bad input failing with no outputs.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestTunedHyperparameters } from '@formalize/common/hyperparameters';
import { openSqliteStore } from '@formalize/common/metadata';
import type { MetadataStore } from '@formalize/common/metadata';
import { beforeEach, describe, expect, it } from 'vitest';
import { STUDY_CONTEXT_TYPE, TRIAL_EXECUTION_TYPE } from '../src/tuning/record.ts';
import { fakeValLoss } from './tune-fake-trial.ts';
import { type InputArtifactJson, type Launch, launchTune } from './tune-launch.ts';

const FAMILY = 'chicago-taxi-tips';
const INIT = 'sha256:0f3a';
let root: string;
let storeFile: string;
let dataset: InputArtifactJson;
let baseModel: InputArtifactJson;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tune-root-'));
  storeFile = join(root, 'metadata.sqlite');
  dataset = { uri: join(root, 'dataset'), type: 'google.VertexDataset', metadata: { statistics: join(root, 'stats'), transformed_data_prefix: join(root, 'data') } };
  baseModel = { uri: join(root, 'base_model'), type: 'system.Model', metadata: { model_family: FAMILY, initialization: INIT, framework: 'tfjs-layers' } };
  // As the runner would have recorded the upstream outputs.
  const store = await openSqliteStore(storeFile);
  await store.createArtifact({ type: 'google.VertexDataset', uri: dataset.uri, metadata: dataset.metadata as never });
  await store.createArtifact({ type: 'system.Model', uri: baseModel.uri, metadata: baseModel.metadata as never });
  await store.close();
});

const run = (params: Record<string, unknown>, env: Record<string, string> = {}, extra: Partial<Parameters<typeof launchTune>[2]> = {}) =>
  launchTune(params, { dataset, base_model: baseModel }, { env: { FORMALIZE_METADATA_STORE: storeFile, ...env }, ...extra });

async function withStore<T>(f: (s: MetadataStore) => Promise<T>): Promise<T> {
  const s = await openSqliteStore(storeFile);
  try { return await f(s); } finally { await s.close(); }
}

function expectOk(r: Launch) {
  expect(r.errors, r.stderr).toEqual([]);
  expect(r.code).toBe(0);
}

async function expectFailedWithoutOutputs(r: Launch, error: string) {
  expect(r.code).toBe(1);
  expect(r.errors).toContain(`error: ${error}`);
  expect(r.anyOutput()).toBe(false);
}

const concurrency = (log: string) => {
  let running = 0;
  let peak = 0;
  for (const line of log.split('\n').filter(Boolean)) {
    running += line.startsWith('start ') ? 1 : -1;
    peak = Math.max(peak, running);
  }
  return peak;
};

describe('tune component', () => {
  it('runs the study, returns the best set (argmin of val_loss) and records trials, study and tuned set in ML Metadata', async () => {
    const log = join(root, 'trials.log');
    const r = await run({ max_trial_count: 8, parallel_trial_count: 2, algorithm: 'gp', seed: 4, trial_epochs: 3 }, { TUNE_FAKE_LOG: log, TUNE_FAKE_BARRIER: '2' });
    expectOk(r);
    const out = await r.output();
    const study = JSON.parse(await readFile(r.out('trials'), 'utf8'));
    expect(study.trials).toHaveLength(8);
    const losses = study.trials.map((t: { metrics: { val_loss: number } }) => t.metrics.val_loss);
    const best = study.trials.find((t: { id: string }) => t.id === study.best_trial_id);
    expect(best.metrics.val_loss).toBe(Math.min(...losses));
    expect(best.metrics.val_loss).toBe(fakeValLoss(best.params.learning_rate, best.params.batch_size));
    expect(out.parameterValues['best_val_loss']).toBe(best.metrics.val_loss);
    expect(out.parameterValues['beyond_threshold']).toBe(true);
    // The full set: tuned lr and batch size over the family's defaults (training epochs, not the trial budget).
    expect(out.parameterValues['best_hyperparameters']).toEqual({ ...best.params, epochs: 20, early_stop: { monitor: 'val_loss', patience: 5 }, start_learning_rate: 0.0001, steps: 200 });
    expect(JSON.parse(await readFile(join(r.dir, 'kfp/best_val_loss'), 'utf8'))).toBe(best.metrics.val_loss);
    // Two trials at a time, never more.
    expect(concurrency(await readFile(log, 'utf8'))).toBe(2);

    const metrics = out.artifacts['trials']!.artifacts[0]!.metadata;
    expect(metrics).toMatchObject({ trials: 8, succeeded_trials: 8, failed_trials: 0, best_val_loss: best.metrics.val_loss, best_learning_rate: best.params.learning_rate, best_batch_size: best.params.batch_size });
    expect(metrics['trial_3_val_loss']).toBe(study.trials[2].metrics.val_loss);
    expect(metrics['trial_8_batch_size']).toBe(study.trials[7].params.batch_size);

    const html = await readFile(r.out('report'), 'utf8');
    expect(html.match(/<tr class="[^"]*" data-trial=/g)).toHaveLength(8);
    expect(html.match(/<tr class="best succeeded"/g)).toHaveLength(1);
    expect(html).toContain(`<tr class="best succeeded" data-trial="${best.id}"><td>${best.id}</td>`);
    expect(html).toContain('<svg');

    await withStore(async (s) => {
      const [ctx] = await s.listContexts({ filter: { type: STUDY_CONTEXT_TYPE } });
      expect(ctx!.metadata).toMatchObject({ state: 'SUCCEEDED', best_trial_id: best.id, algorithm: 'gp', mode: 'search', model_family: FAMILY, statistics: dataset.metadata['statistics'], initialization: INIT, objective: { metric: 'val_loss', goal: 'minimize' } });
      const trials = await s.listExecutions({ filter: { type: TRIAL_EXECUTION_TYPE, contextId: ctx!.id } });
      expect(trials).toHaveLength(8);
      expect(trials.every((t) => t.state === 'COMPLETE')).toBe(true);
      const t3 = trials.find((t) => t.metadata['trial_id'] === '3')!;
      expect(t3.metadata).toMatchObject({ trial_state: 'SUCCEEDED', parameters: study.trials[2].params, objective: { metric: 'val_loss', goal: 'minimize', value: study.trials[2].metrics.val_loss } });
      expect(t3.metadata['hyperparameters']).toMatchObject({ ...study.trials[2].params, epochs: 3 });
      // Each trial read the dataset and the base model: they are in its lineage.
      const io = await s.queryExecutionInputsAndOutputs(t3.id);
      expect(io.artifacts.map((a) => a.uri).sort()).toEqual([baseModel.uri, dataset.uri].sort());
      const tuned = await latestTunedHyperparameters(s, FAMILY);
      expect(tuned).toMatchObject({ family: FAMILY, statisticsUri: dataset.metadata['statistics'], initialization: INIT, objective: { metric: 'val_loss', value: best.metrics.val_loss } });
      expect(tuned!.hyperparameters).toEqual(out.parameterValues['best_hyperparameters']);
      expect(tuned!.study).toMatchObject({ context_id: ctx!.id, best_trial_id: best.id, algorithm: 'gp' });
    });
  });

  it('opens and closes the threshold gate in both directions (GCPC IsMetricBeyondThreshold)', async () => {
    const gate = async (params: Record<string, unknown>) => {
      const r = await run({ max_trial_count: 3, parallel_trial_count: 1, algorithm: 'random', seed: 1, ...params });
      expectOk(r);
      return (await r.output()).parameterValues;
    };
    const open = await gate({ metric_threshold: 0.5 });
    const value = open['best_val_loss'] as number;
    expect(open['beyond_threshold']).toBe(true);
    expect((await gate({ metric_threshold: value }))['beyond_threshold']).toBe(false); // strictly below
    expect((await gate({ metric_threshold: 0.3 }))['beyond_threshold']).toBe(false);
    expect((await gate({ metric_threshold: 0.3, threshold_direction: 'above' }))['beyond_threshold']).toBe(true);
    // Maximising val_auc: above by default.
    const auc = await gate({ study_spec_metrics: [{ metric_id: 'val_auc', goal: 'MAXIMIZE' }], metric_threshold: 0.6 });
    expect(auc['beyond_threshold']).toBe(true);
    expect((await gate({ study_spec_metrics: [{ metric_id: 'val_auc', goal: 'MAXIMIZE' }], metric_threshold: 0.9 }))['beyond_threshold']).toBe(false);
  });

  it('tolerates failed and infeasible trials, records them, and fails only when every trial fails', async () => {
    const r = await run({ max_trial_count: 5, parallel_trial_count: 2, algorithm: 'tpe', seed: 2 }, { TUNE_FAKE_FAIL: '2', TUNE_FAKE_INFEASIBLE: '3', TUNE_FAKE_NAN: '4' });
    expectOk(r);
    const study = JSON.parse(await readFile(r.out('trials'), 'utf8'));
    expect(study.trials.map((t: { state: string }) => t.state)).toEqual(['SUCCEEDED', 'FAILED', 'INFEASIBLE', 'INFEASIBLE', 'SUCCEEDED']);
    expect(study.trials[1].error).toBe('fake trial 2 crashed');
    expect(study.trials[3].metrics.val_loss).toBe('NaN');
    const html = await readFile(r.out('report'), 'utf8');
    expect(html).toContain('fake trial 2 crashed');
    await withStore(async (s) => {
      const states = (await s.listExecutions({ filter: { type: TRIAL_EXECUTION_TYPE } })).map((e) => [e.metadata['trial_id'], e.state, e.metadata['trial_state']]);
      expect(states).toEqual([['1', 'COMPLETE', 'SUCCEEDED'], ['2', 'FAILED', 'FAILED'], ['3', 'FAILED', 'INFEASIBLE'], ['4', 'FAILED', 'INFEASIBLE'], ['5', 'COMPLETE', 'SUCCEEDED']]);
    });

    const all = await run({ max_trial_count: 2, parallel_trial_count: 2 }, { TUNE_FAKE_FAIL: '1,2' });
    await expectFailedWithoutOutputs(all, 'all 2 trials failed or were infeasible; first error: fake trial 1 crashed');
    await withStore(async (s) => {
      const contexts = await s.listContexts({ filter: { type: STUDY_CONTEXT_TYPE }, orderBy: 'createTime desc' });
      expect(contexts[0]!.metadata).toMatchObject({ state: 'FAILED', trials: 2 });
      expect(await latestTunedHyperparameters(s, FAMILY)).toMatchObject({ study: { context_id: contexts[1]!.id } });
    });
  });

  it('reads metrics a trial reports Vertex-style through the hypertune file (best measurement)', async () => {
    const r = await run({ max_trial_count: 2, parallel_trial_count: 2, algorithm: 'random', seed: 9 }, { TUNE_FAKE_HYPERTUNE: '1' });
    expectOk(r);
    const study = JSON.parse(await readFile(r.out('trials'), 'utf8'));
    for (const t of study.trials) {
      // Reports at steps 1..3 of val_loss / 0.9, / 0.5, / 0.7: the best (lowest) is step 1.
      expect(t.metrics).toEqual({ epochs: 1, val_loss: fakeValLoss(t.params.learning_rate, t.params.batch_size) / 0.9, val_auc: 0.9 });
    }
  });

  it('fine-tunes around the stored best of the family: evaluates it first, searches x/÷ 2 and ± one batch step', async () => {
    const first = await run({ max_trial_count: 6, parallel_trial_count: 2, algorithm: 'gp', seed: 5 });
    expectOk(first);
    const previous = (await first.output()).parameterValues['best_hyperparameters'] as { learning_rate: number; batch_size: number };
    const r = await run({ max_trial_count: 4, parallel_trial_count: 1, mode: 'fine_tune', algorithm: 'tpe', seed: 6 });
    expectOk(r);
    const study = JSON.parse(await readFile(r.out('trials'), 'utf8'));
    expect(study.trials[0].params).toEqual({ learning_rate: previous.learning_rate, batch_size: previous.batch_size });
    const values = [16, 32, 64, 128, 256];
    const i = values.indexOf(previous.batch_size);
    for (const t of study.trials) {
      expect(t.params.learning_rate).toBeGreaterThanOrEqual(Math.max(0.001, previous.learning_rate / 2) - 1e-12);
      expect(t.params.learning_rate).toBeLessThanOrEqual(Math.min(0.1, previous.learning_rate * 2) + 1e-12);
      expect(values.slice(Math.max(0, i - 1), i + 2)).toContain(t.params.batch_size);
    }
    expect(study.space[0]).toMatchObject({ name: 'learning_rate', min: Math.max(0.001, previous.learning_rate / 2) });
  });

  it('stops running trials on SIGTERM, records them as CANCELED and leaves no outputs', async () => {
    let sent = false;
    const r = await run({ max_trial_count: 6, parallel_trial_count: 2 }, { TUNE_FAKE_HANG: '1,2' }, {
      onSpawn: (pid, stderr) => {
        const poll = setInterval(() => {
          if ((stderr().match(/"message":"trial started"/g) ?? []).length >= 2) {
            clearInterval(poll);
            sent = true;
            process.kill(pid, 'SIGTERM');
          }
        }, 20);
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(1);
    expect(r.errors[0]).toBe('error: study cancelled after 2 of 6 trials (received SIGTERM)');
    expect(r.anyOutput()).toBe(false);
    await withStore(async (s) => {
      const trials = await s.listExecutions({ filter: { type: TRIAL_EXECUTION_TYPE } });
      expect(trials.map((t) => t.state)).toEqual(['CANCELED', 'CANCELED']);
      const [ctx] = await s.listContexts({ filter: { type: STUDY_CONTEXT_TYPE } });
      expect(ctx!.metadata['state']).toBe('CANCELED');
      expect(await latestTunedHyperparameters(s, FAMILY)).toBeUndefined();
    });
  });

  it.each([
    [{ max_trial_count: 0 }, 'inputs.parameterValues.max_trial_count: too small: expected number to be >=1, received 0'],
    [{ max_trial_count: 4, parallel_trial_count: 5 }, 'inputs.parameterValues.parallel_trial_count: expected at most max_trial_count (4), received 5'],
    [{ algorithm: 'bayes' }, 'inputs.parameterValues.algorithm: expected one of "gp", "tpe", "random", received "bayes"'],
    [{ mode: 'fine_tune' }, `inputs.parameterValues.previous_best: required for mode fine_tune: model family "${FAMILY}" has no tuned hyperparameters in ML Metadata, received nothing`],
    [{ mode: 'fine_tune', previous_best: { learning_rate: 0.5, batch_size: 64 } }, 'inputs.parameterValues.previous_best: previous_best.learning_rate: 0.5 is outside the search space [0.001, 0.1] (log), received {"learning_rate":0.5,"batch_size":64}'],
    [{ study_spec_metrics: [{ metric_id: 'val_loss', goal: 'MINIMIZE' }, { metric_id: 'val_auc', goal: 'MAXIMIZE' }] }, 'inputs.parameterValues.study_spec_metrics: exactly one metric: multi-objective studies are not supported, received [{"metric_id":"val_loss","goal":"MINIMIZE"},{"metric_id":"val_auc","goal":"MAXIMIZE"}]'],
  ])('rejects bad input %j with a clear error and no outputs, before any trial', async (params, error) => {
    const log = join(root, 'bad.log');
    const r = await run(params, { TUNE_FAKE_LOG: log });
    await expectFailedWithoutOutputs(r, error);
    await withStore(async (s) => expect(await s.listExecutions({ filter: { type: TRIAL_EXECUTION_TYPE } })).toEqual([]));
  });

  it('names the missing artifact metadata the study needs', async () => {
    const r = await launchTune({}, { dataset: { ...dataset, metadata: {} }, base_model: baseModel }, { env: { FORMALIZE_METADATA_STORE: storeFile } });
    await expectFailedWithoutOutputs(r, 'inputs.artifacts.dataset.metadata.statistics: expected a non-empty string, received nothing');
    const m = await launchTune({}, { dataset, base_model: { ...baseModel, metadata: {} } }, { env: { FORMALIZE_METADATA_STORE: storeFile } });
    await expectFailedWithoutOutputs(m, 'inputs.artifacts.base_model.metadata.model_family: expected a non-empty string, received nothing');
  });
});
