// evaluate -> register-model as a pipeline on the local runner, sharing the data pipeline's root: where the
// evaluation ends up in ML Metadata (outputs of the evaluate execution whose input is the model), and the
// registry's versions and decisions next to the runs.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXECUTION_KEYS, lineageOf, openSqliteStore } from '@formalize/common/metadata';
import { openRegistry } from '@formalize/common/registry';
import { fromContract, importer, pipeline } from '@formalize/dsl';
import { createProcessLauncher, runPipeline } from '@formalize/runner';
import { evaluate, registerModel } from '../src/components.ts';
import { makeModel, REPO, runDataPipeline, type DataRun } from './fixtures/models.ts';

const evaluateOp = fromContract(evaluate);
const registerOp = fromContract(registerModel);

function evaluateAndRegister(data: DataRun, model: { dir: string; metadata: Record<string, unknown> }) {
  return pipeline({ name: 'evaluate-and-register' }, () => {
    const m = importer({ artifactUri: model.dir, artifactType: 'system.Model', metadata: model.metadata as never });
    const d = importer({ artifactUri: data.dataset.uri, artifactType: 'google.VertexDataset', metadata: data.dataset.metadata as never });
    const e = evaluateOp({ model: m.outputs.artifact, dataset: d.outputs.artifact });
    // The decision depends on the registry's state, not only on the inputs: never served from the cache.
    registerOp({ model: m.outputs.artifact, dataset: d.outputs.artifact, scores: e.outputs.scores, metrics: e.outputs.metrics, bootstrap_resamples: 300 })
      .setCaching(false);
  }).compile();
}

let data: DataRun;
const models: Record<string, { dir: string; metadata: Record<string, unknown> }> = {};

async function run(name: string) {
  const result = await runPipeline(evaluateAndRegister(data, models[name]!), {
    pipelineRoot: data.root, launchers: [createProcessLauncher({ workspaceRoot: REPO })], parallelism: 1,
  });
  expect(result.tasks.map((t) => [t.id, t.state, t.error])).toEqual([
    ['importer', 'SUCCEEDED', undefined], ['importer-2', 'SUCCEEDED', undefined],
    ['evaluate', 'SUCCEEDED', undefined], ['register-model', 'SUCCEEDED', undefined],
  ]);
  return result;
}

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'evaluate-pipeline-'));
  data = await runDataPipeline(join(work, 'root'));
  models['trained'] = await makeModel(data, join(work, 'models', 'trained'), { seed: 5, epochs: 3 });
  models['untrained'] = await makeModel(data, join(work, 'models', 'untrained'), { seed: 6, epochs: 0 });
}, 300_000);

describe('evaluate -> register-model on the local runner', () => {
  it('stores the evaluation against the model and registers it as the first best', async () => {
    await run('trained');
    const store = await openSqliteStore(join(data.root, 'metadata.sqlite'));
    try {
      const [model] = await store.listArtifacts({ filter: { type: 'system.Model', uri: models['trained']!.dir } });
      // Downstream of the model: the evaluate execution (INPUT model) and its metrics (OUTPUT).
      const down = await store.queryArtifactLineageSubgraph(model!.id, { direction: 'downstream', maxHops: 2 });
      const metrics = down.artifacts.find((a) => a.type === 'system.Metrics')!;
      const classification = down.artifacts.find((a) => a.type === 'system.ClassificationMetrics')!;
      expect(metrics.metadata['auc']).toBeGreaterThan(0.7);
      expect(Object.keys(classification.metadata).sort()).toEqual(['confidenceMetrics', 'confusionMatrix']);
      const execution = down.executions.find((e) => e.metadata['task_id'] === 'evaluate')!;
      expect((execution.metadata[EXECUTION_KEYS.outputParameters] as { auc: number }).auc).toBe(metrics.metadata['auc']);

      const best = (await openRegistry(store).getByAlias('chicago', 'best'))!;
      expect(best).toMatchObject({ version: 1, uri: models['trained']!.dir });
      expect(best.sourceArtifactId).toBe(model!.id);
      // The version's lineage: registration -> the model -> the importer that brought it in.
      const lineage = await lineageOf(store, best.artifactId);
      expect(lineage!.root.producer!.inputs[0]!.node.artifact.id).toBe(model!.id);
    } finally {
      await store.close();
    }
  });

  it('records the decision not to replace the best for a worse candidate', async () => {
    const result = await run('untrained');
    const store = await openSqliteStore(join(data.root, 'metadata.sqlite'));
    try {
      const [register] = await store.listExecutions({ filter: { type: 'system.ContainerExecution', metadata: { task_id: 'register-model' } }, orderBy: 'createTime desc', limit: 1 });
      expect(register!.name).toBe(`evaluate-and-register-${result.runId}/register-model`);
      const params = register!.metadata[EXECUTION_KEYS.outputParameters] as { is_new_best: boolean; decision: string };
      expect(params.is_new_best).toBe(false);
      expect(params.decision).toMatch(/^kept version 1 as best/);
      expect((await openRegistry(store).listVersions('chicago')).map((v) => v.version)).toEqual([1]);
      expect(result.state).toBe('SUCCEEDED');
    } finally {
      await store.close();
    }
  });
});
