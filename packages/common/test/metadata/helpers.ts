// Shared test fixtures: a temp store file, a controllable clock and a small pipeline run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetadataStore } from '../../src/metadata/index.ts';

export const tempStorePath = (): string => join(mkdtempSync(join(tmpdir(), 'formalize-mlmd-')), 'root', 'metadata.sqlite');

/** A clock starting at 2026-01-01T00:00:00Z that advances one second per reading. */
export function steppingClock(start = Date.UTC(2026, 0, 1)): () => number {
  let t = start - 1000;
  return () => (t += 1000);
}

/**
 * One run of a small pipeline, in a `system.PipelineRun` context:
 *   raw --preprocess--> train_split, test_split
 *   train_split --train--> model
 *   model, test_split --evaluate--> metrics
 */
export async function pipelineRun(store: MetadataStore, run = 'run-1') {
  const context = await store.getOrCreateContext({ type: 'system.PipelineRun', name: run });
  const raw = await store.createArtifact({ name: 'raw', type: 'system.Dataset', uri: `/data/${run}/raw.csv` });
  const preprocess = await store.createExecution({ name: 'preprocess', type: 'system.ContainerExecution', state: 'COMPLETE' });
  const trainSplit = await store.createArtifact({ name: 'train', type: 'system.Dataset', uri: `/root/${run}/preprocess/train` });
  const testSplit = await store.createArtifact({ name: 'test', type: 'system.Dataset', uri: `/root/${run}/preprocess/test` });
  await store.addExecutionEvents(preprocess.id, [
    { artifactId: raw.id, type: 'INPUT', path: 'raw' },
    { artifactId: trainSplit.id, type: 'OUTPUT', path: 'train' },
    { artifactId: testSplit.id, type: 'OUTPUT', path: 'test' },
  ]);
  const train = await store.createExecution({ name: 'train', type: 'system.ContainerExecution', state: 'COMPLETE', metadata: { cache_key: `key-${run}` } });
  const model = await store.createArtifact({ name: 'model', type: 'system.Model', uri: `/root/${run}/train/model`, metadata: { label: 'candidate_model' } });
  await store.addExecutionEvents(train.id, [
    { artifactId: trainSplit.id, type: 'INPUT', path: 'data' },
    { artifactId: model.id, type: 'OUTPUT', path: 'model' },
  ]);
  const evaluate = await store.createExecution({ name: 'evaluate', type: 'system.ContainerExecution', state: 'COMPLETE' });
  const metrics = await store.createArtifact({ name: 'metrics', type: 'system.Metrics', uri: `/root/${run}/evaluate/metrics` });
  await store.addExecutionEvents(evaluate.id, [
    { artifactId: model.id, type: 'INPUT', path: 'model' },
    { artifactId: testSplit.id, type: 'INPUT', path: 'data' },
    { artifactId: metrics.id, type: 'OUTPUT', path: 'metrics' },
  ]);
  await store.addContextArtifactsAndExecutions(
    context.id,
    [raw.id, trainSplit.id, testSplit.id, model.id, metrics.id],
    [preprocess.id, train.id, evaluate.id],
  );
  return { context, raw, preprocess, trainSplit, testSplit, train, model, evaluate, metrics };
}
