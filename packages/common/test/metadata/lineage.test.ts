import { afterEach, describe, expect, it } from 'vitest';
import { lineageOf, openSqliteStore, type LineageSubgraph, type MetadataStore } from '../../src/metadata/index.ts';
import { pipelineRun, tempStorePath } from './helpers.ts';

let store: MetadataStore;
afterEach(async () => store.close());

const uris = (g: LineageSubgraph) => g.artifacts.map((a) => a.uri.split('/').pop()).sort();
const names = (g: LineageSubgraph) => g.executions.map((e) => e.name).sort();

/** Events as `artifact TYPE execution path`, with artifacts and executions named (their ids are separate id spaces). */
function edges(g: LineageSubgraph, r: Awaited<ReturnType<typeof pipelineRun>>): string[] {
  const artifacts = new Map([[r.raw.id, 'raw'], [r.trainSplit.id, 'train_split'], [r.testSplit.id, 'test_split'], [r.model.id, 'model'], [r.metrics.id, 'metrics']]);
  const executions = new Map([[r.preprocess.id, 'preprocess'], [r.train.id, 'train'], [r.evaluate.id, 'evaluate']]);
  return g.events.map((e) => `${artifacts.get(e.artifactId)} ${e.type} ${executions.get(e.executionId)} ${e.path}`).sort();
}

describe('events and lineage', () => {
  it('upstream lineage of the model is the full producing graph with correct directions', async () => {
    store = await openSqliteStore(tempStorePath());
    const r = await pipelineRun(store);
    const up = await store.queryArtifactLineageSubgraph(r.model.id, { direction: 'upstream' });
    // The test split is a sibling output of preprocess, not an ancestor of the model: not included.
    expect(uris(up)).toEqual(['model', 'raw.csv', 'train']);
    expect(names(up)).toEqual(['preprocess', 'train']);
    expect(edges(up, r)).toEqual([
      'model OUTPUT train model',
      'raw INPUT preprocess raw',
      'train_split INPUT train data',
      'train_split OUTPUT preprocess train',
    ]);
  });

  it('downstream and both directions, and maxHops', async () => {
    store = await openSqliteStore(':memory:');
    const r = await pipelineRun(store);
    const down = await store.queryArtifactLineageSubgraph(r.raw.id, { direction: 'downstream' });
    expect(uris(down)).toEqual(['metrics', 'model', 'raw.csv', 'test', 'train']);
    expect(names(down)).toEqual(['evaluate', 'preprocess', 'train']);
    expect(edges(down, r)).toEqual([
      'metrics OUTPUT evaluate metrics',
      'model INPUT evaluate model',
      'model OUTPUT train model',
      'raw INPUT preprocess raw',
      'test_split INPUT evaluate data',
      'test_split OUTPUT preprocess test',
      'train_split INPUT train data',
      'train_split OUTPUT preprocess train',
    ]);

    // both = upstream + downstream of the model: its ancestors and its consumers, no siblings.
    const both = await store.queryArtifactLineageSubgraph(r.model.id);
    expect(uris(both)).toEqual(['metrics', 'model', 'raw.csv', 'train']);
    expect(names(both)).toEqual(['evaluate', 'preprocess', 'train']);

    expect(uris(await store.queryArtifactLineageSubgraph(r.model.id, { direction: 'upstream', maxHops: 0 }))).toEqual(['model']);
    const oneHop = await store.queryArtifactLineageSubgraph(r.model.id, { direction: 'upstream', maxHops: 1 });
    expect([uris(oneHop), names(oneHop), edges(oneHop, r)]).toEqual([['model'], ['train'], ['model OUTPUT train model']]);
    expect(uris(await store.queryArtifactLineageSubgraph(r.model.id, { direction: 'upstream', maxHops: 2 }))).toEqual(['model', 'train']);
    await expect(store.queryArtifactLineageSubgraph('999')).rejects.toThrow('artifact "999" not found');
  });

  it('lineageOf builds the tree: the artifact, its producer, the producer inputs, recursively', async () => {
    store = await openSqliteStore(':memory:');
    const r = await pipelineRun(store);
    const lineage = await lineageOf(store, r.model.uri);
    expect(lineage).toBeDefined();
    const { root } = lineage!;
    expect(root.artifact.id).toBe(r.model.id);
    expect(root.producer?.execution.id).toBe(r.train.id);
    expect(root.producer?.path).toBe('model');
    expect(root.producer?.inputs.map((i) => [i.path, i.node.artifact.id])).toEqual([['data', r.trainSplit.id]]);
    const split = root.producer!.inputs[0]!.node;
    expect([split.producer?.execution.id, split.producer?.path]).toEqual([r.preprocess.id, 'train']);
    const raw = split.producer!.inputs[0]!;
    expect([raw.path, raw.node.artifact.id, raw.node.producer]).toEqual(['raw', r.raw.id, undefined]);
    // By id as well as by URI; unknown keys give undefined.
    expect((await lineageOf(store, r.model.id))?.root.artifact.id).toBe(r.model.id);
    expect(await lineageOf(store, '/nowhere')).toBeUndefined();
  });

  it('lineageOf prefers the original producer over CACHED re-uses and shares diamond inputs', async () => {
    store = await openSqliteStore(':memory:');
    const r = await pipelineRun(store);
    const cached = await store.createExecution({ name: 'train (cached)', type: 'system.ContainerExecution', state: 'CACHED', metadata: { cached_execution_id: r.train.id } });
    await store.addExecutionEvents(cached.id, [
      { artifactId: r.trainSplit.id, type: 'INPUT', path: 'data' },
      { artifactId: r.model.id, type: 'OUTPUT', path: 'model' },
    ]);
    const { root } = (await lineageOf(store, r.metrics.uri))!;
    expect(root.producer?.execution.id).toBe(r.evaluate.id);
    const [model, data] = root.producer!.inputs;
    expect(model?.node.producer?.execution.id).toBe(r.train.id);
    // Both evaluate inputs descend from raw through one shared preprocess node.
    const viaModel = model!.node.producer!.inputs[0]!.node.producer!.inputs[0]!.node;
    const viaData = data!.node.producer!.inputs[0]!.node;
    expect(viaModel).toBe(viaData);
    expect(JSON.parse(JSON.stringify(root)).artifact.id).toBe(r.metrics.id);
  });

  it('queryExecutionInputsAndOutputs returns the execution, its artifacts and events; duplicate events are skipped', async () => {
    store = await openSqliteStore(':memory:');
    const r = await pipelineRun(store);
    await store.addExecutionEvents(r.evaluate.id, [{ artifactId: r.model.id, type: 'INPUT', path: 'model' }]);
    const io = await store.queryExecutionInputsAndOutputs(r.evaluate.id);
    expect(io.executions.map((e) => e.id)).toEqual([r.evaluate.id]);
    expect(io.artifacts.map((a) => a.id).sort()).toEqual([r.testSplit.id, r.model.id, r.metrics.id].sort());
    expect(io.events.map((e) => [e.type, e.path])).toEqual([['INPUT', 'model'], ['INPUT', 'data'], ['OUTPUT', 'metrics']]);
    await expect(store.addExecutionEvents(r.evaluate.id, [{ artifactId: '404', type: 'INPUT', path: 'x' }])).rejects.toThrow('artifact "404" not found');
    await expect(store.queryExecutionInputsAndOutputs('404')).rejects.toThrow('execution "404" not found');
  });

  it('list events keep their index', async () => {
    store = await openSqliteStore(':memory:');
    const shards = await Promise.all([0, 1, 2].map((i) => store.createArtifact({ type: 'system.Dataset', uri: `/shard-${i}` })));
    const e = await store.createExecution({ type: 'system.ContainerExecution' });
    await store.addExecutionEvents(e.id, shards.map((s, i) => ({ artifactId: s.id, type: 'INPUT' as const, path: 'shards', index: i })));
    const io = await store.queryExecutionInputsAndOutputs(e.id);
    expect(io.events.map((ev) => ev.index)).toEqual([0, 1, 2]);
  });
});
