// The tune component end to end on the real sample data: the data pipeline's output (formalize run into a temp
// pipeline root), a base model built for its transform, and a small study whose trials are real training runs
// (the train component in worker threads), driven through the package entrypoint as the launcher runs it.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { latestTunedHyperparameters } from '@formalize/common/hyperparameters';
import { openSqliteStore } from '@formalize/common/metadata';
import { beforeAll, describe, expect, it } from 'vitest';
import { STUDY_CONTEXT_TYPE, TRIAL_EXECUTION_TYPE } from '../src/tuning/record.ts';
import type { ArtifactRef } from '../src/tuning/trial.ts';
import { BASE_MODEL_FAMILY, buildBaseModelArtifact, runDataPipeline } from './tune-e2e-fixture.ts';
import { launchTune } from './tune-launch.ts';

const MAIN = resolve(import.meta.dirname, '../src/main.ts');
let root: string;
let dataset: ArtifactRef;
let baseModel: ArtifactRef;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tune-e2e-'));
  dataset = runDataPipeline(join(root, 'pipeline'));
  baseModel = await buildBaseModelArtifact(dataset, join(root, 'base_model'));
});

describe('tune on the sample data', () => {
  it('runs a 4-trial GP study of real training runs two at a time and records the best set for the family', async () => {
    const store = join(root, 'pipeline', 'metadata.sqlite');
    const r = await launchTune(
      { max_trial_count: 4, parallel_trial_count: 2, algorithm: 'gp', trial_epochs: 6, seed: 1, metric_threshold: 0.69 },
      { dataset: { ...dataset, type: 'google.VertexDataset' }, base_model: { ...baseModel, type: 'system.Model' } },
      { main: MAIN, env: { FORMALIZE_METADATA_STORE: store } },
    );
    expect(r.errors, r.stderr.slice(-3000)).toEqual([]);
    expect(r.code).toBe(0);
    const out = await r.output();
    const study = JSON.parse(await readFile(r.out('trials'), 'utf8'));
    expect(study.trials).toHaveLength(4);
    const succeeded = study.trials.filter((t: { state: string }) => t.state === 'SUCCEEDED');
    expect(succeeded.length).toBeGreaterThan(0);
    for (const t of study.trials) expect(['SUCCEEDED', 'INFEASIBLE']).toContain(t.state);
    for (const t of succeeded) {
      // Trained: far below the untrained model's ~0.69 cross-entropy, with a real AUC and early stopping's epochs.
      expect(t.metrics.val_loss).toBeLessThan(0.4);
      expect(t.metrics.val_auc).toBeGreaterThan(0.8);
      expect(t.metrics.epochs).toBeGreaterThanOrEqual(1);
      expect(t.metrics.epochs).toBeLessThanOrEqual(6);
    }
    const best = Math.min(...succeeded.map((t: { metrics: { val_loss: number } }) => t.metrics.val_loss));
    expect(out.parameterValues['best_val_loss']).toBe(best);
    expect(out.parameterValues['beyond_threshold']).toBe(true);
    const hp = out.parameterValues['best_hyperparameters'] as Record<string, unknown>;
    expect(hp['epochs']).toBe(20);
    expect([16, 32, 64, 128, 256]).toContain(hp['batch_size']);

    const s = await openSqliteStore(store);
    try {
      const [ctx] = await s.listContexts({ filter: { type: STUDY_CONTEXT_TYPE } });
      const trials = await s.listExecutions({ filter: { type: TRIAL_EXECUTION_TYPE, contextId: ctx!.id } });
      expect(trials).toHaveLength(4);
      // The dataset artifact the data pipeline registered is each trial's input.
      const io = await s.queryExecutionInputsAndOutputs(trials[0]!.id);
      expect(io.artifacts.map((a) => a.uri)).toContain(dataset.uri);
      const tuned = await latestTunedHyperparameters(s, BASE_MODEL_FAMILY);
      expect(tuned).toMatchObject({ statisticsUri: dataset.metadata['statistics'], initialization: baseModel.metadata['initialization'], objective: { metric: 'val_loss', value: best } });
      expect(tuned!.hyperparameters).toEqual(hp);
    } finally {
      await s.close();
    }
  });
});
