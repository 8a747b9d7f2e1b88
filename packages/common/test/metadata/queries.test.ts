import { afterEach, describe, expect, it } from 'vitest';
import { findArtifacts, findCachedExecution, latestArtifact, MetadataValidationError, openSqliteStore, type MetadataStore } from '../../src/metadata/index.ts';
import { pipelineRun, steppingClock, tempStorePath } from './helpers.ts';

let store: MetadataStore;
afterEach(async () => store.close());

describe('latestArtifact', () => {
  it('picks the newest artifact of the type in the context, by createTime', async () => {
    store = await openSqliteStore(tempStorePath(), { now: steppingClock() });
    const run = await store.createContext({ type: 'system.PipelineRun', name: 'run-1' });
    const other = await store.createContext({ type: 'system.PipelineRun', name: 'run-2' });
    const older = await store.createArtifact({ type: 'system.Model', uri: '/m1' });
    const newer = await store.createArtifact({ type: 'system.Model', uri: '/m2' });
    const dataset = await store.createArtifact({ type: 'system.Dataset', uri: '/d' });
    const elsewhere = await store.createArtifact({ type: 'system.Model', uri: '/m3' });
    await store.addContextArtifactsAndExecutions(run.id, [newer.id, older.id, dataset.id], []);
    await store.addContextArtifactsAndExecutions(other.id, [elsewhere.id], []);
    expect((await latestArtifact(store, { type: 'system.Model', contextName: 'run-1' }))?.uri).toBe('/m2');
    expect((await latestArtifact(store, { type: 'system.Model', contextId: run.id }))?.uri).toBe('/m2');
    // Only LIVE artifacts count unless asked otherwise.
    await store.updateArtifact(newer.id, { state: 'DELETED' });
    expect((await latestArtifact(store, { type: 'system.Model', contextId: run.id }))?.uri).toBe('/m1');
    expect((await latestArtifact(store, { type: 'system.Model', contextId: run.id, state: ['LIVE', 'DELETED'] }))?.uri).toBe('/m2');
    expect(await latestArtifact(store, { type: 'system.Metrics', contextId: run.id })).toBeUndefined();
    expect(await latestArtifact(store, { type: 'system.Model', contextName: 'no-such-run' })).toBeUndefined();
    expect(await latestArtifact(store, { type: 'system.Model', contextName: 'run-1', contextType: 'system.Pipeline' })).toBeUndefined();
  });

  it('searches descendant contexts: the latest model of a pipeline across its runs', async () => {
    store = await openSqliteStore(':memory:', { now: steppingClock() });
    const pipeline = await store.createContext({ type: 'system.Pipeline', name: 'training' });
    const first = await pipelineRun(store, 'training-1');
    const second = await pipelineRun(store, 'training-2');
    await store.addContextChildren(pipeline.id, [first.context.id, second.context.id]);
    expect(await latestArtifact(store, { type: 'system.Model', contextName: 'training', contextType: 'system.Pipeline' })).toBeUndefined();
    const latest = await latestArtifact(store, { type: 'system.Model', contextName: 'training', contextType: 'system.Pipeline', descendants: true });
    expect(latest?.id).toBe(second.model.id);
  });

  it('needs exactly one of contextId and contextName', async () => {
    store = await openSqliteStore(':memory:');
    await expect(latestArtifact(store, { type: 'system.Model' })).rejects.toThrow(MetadataValidationError);
    await expect(latestArtifact(store, { type: 'system.Model', contextId: '1', contextName: 'x' })).rejects.toThrow(/contextId: give exactly one of contextId and contextName/);
  });
});

describe('findArtifacts', () => {
  it('finds artifacts by metadata label, newest first, optionally by type', async () => {
    store = await openSqliteStore(':memory:', { now: steppingClock() });
    const first = await pipelineRun(store, 'r1');
    const second = await pipelineRun(store, 'r2');
    const tagged = await store.createArtifact({ type: 'system.Dataset', uri: '/odd', metadata: { label: 'candidate_model' } });
    await store.createArtifact({ type: 'system.Model', uri: '/base', metadata: { label: 'base_model' } });
    expect((await findArtifacts(store, { metadata: { label: 'candidate_model' } })).map((a) => a.id)).toEqual([tagged.id, second.model.id, first.model.id]);
    expect((await findArtifacts(store, { metadata: { label: 'candidate_model' }, type: 'system.Model' })).map((a) => a.id)).toEqual([second.model.id, first.model.id]);
    expect((await findArtifacts(store, { metadata: { label: 'candidate_model' }, type: 'system.Model', limit: 1 })).map((a) => a.id)).toEqual([second.model.id]);
    expect((await findArtifacts(store, { metadata: { label: 'candidate_model' }, contextId: first.context.id })).map((a) => a.id)).toEqual([first.model.id]);
    await expect(findArtifacts(store, { metadata: { label: 'x' }, kind: 'model' } as never)).rejects.toThrow('findArtifacts: kind: unknown field (got "model")');
  });
});

describe('findCachedExecution', () => {
  it('finds the latest COMPLETE execution with the key and its outputs by path, ignoring FAILED ones', async () => {
    store = await openSqliteStore(tempStorePath(), { now: steppingClock() });
    const data = await store.createArtifact({ type: 'system.Dataset', uri: '/data' });
    const record = async (state: 'COMPLETE' | 'FAILED' | 'RUNNING', key: string, tag: string) => {
      const e = await store.createExecution({
        type: 'system.ContainerExecution', state, metadata: { cache_key: key, output_parameters: { loss: tag.length } },
      });
      const model = await store.createArtifact({ type: 'system.Model', uri: `/${tag}/model` });
      const shards = await Promise.all([0, 1].map((i) => store.createArtifact({ type: 'system.Dataset', uri: `/${tag}/shard-${i}` })));
      await store.addExecutionEvents(e.id, [
        { artifactId: data.id, type: 'INPUT', path: 'data' },
        { artifactId: model.id, type: 'OUTPUT', path: 'model' },
        // Recorded out of order: the index decides the list order.
        { artifactId: shards[1]!.id, type: 'OUTPUT', path: 'shards', index: 1 },
        { artifactId: shards[0]!.id, type: 'OUTPUT', path: 'shards', index: 0 },
      ]);
      return e;
    };
    await record('COMPLETE', 'k', 'old');
    const latest = await record('COMPLETE', 'k', 'newer');
    await record('FAILED', 'k', 'failed');
    await record('RUNNING', 'k', 'running');
    await record('COMPLETE', 'other', 'other');

    const hit = await findCachedExecution(store, 'k');
    expect(hit?.execution.id).toBe(latest.id);
    expect(Object.keys(hit!.outputs).sort()).toEqual(['model', 'shards']);
    expect(hit!.outputs['model']!.map((a) => a.uri)).toEqual(['/newer/model']);
    expect(hit!.outputs['shards']!.map((a) => a.uri)).toEqual(['/newer/shard-0', '/newer/shard-1']);
    expect(hit!.outputParameters).toEqual({ loss: 5 });
    expect(await findCachedExecution(store, 'missing')).toBeUndefined();
  });

  it('follows a CACHED execution to its COMPLETE original, and skips outputs that are gone', async () => {
    store = await openSqliteStore(':memory:', { now: steppingClock() });
    const original = await store.createExecution({ type: 'system.ContainerExecution', state: 'COMPLETE', metadata: { output_parameters: { n: 1 } } });
    const model = await store.createArtifact({ type: 'system.Model', uri: '/model' });
    await store.addExecutionEvents(original.id, [{ artifactId: model.id, type: 'OUTPUT', path: 'model' }]);
    // The original was recorded without a key (e.g. by an older runner); a later cache hit carries it.
    const cached = await store.createExecution({ type: 'system.ContainerExecution', state: 'CACHED', metadata: { cache_key: 'k', cached_execution_id: original.id } });
    await store.addExecutionEvents(cached.id, [{ artifactId: model.id, type: 'OUTPUT', path: 'model' }]);
    const hit = await findCachedExecution(store, 'k');
    expect(hit?.execution.id).toBe(original.id);
    expect(hit?.outputs['model']?.map((a) => a.id)).toEqual([model.id]);
    expect(hit?.outputParameters).toEqual({ n: 1 });

    await store.updateArtifact(model.id, { state: 'MARKED_FOR_DELETION' });
    expect(await findCachedExecution(store, 'k')).toBeUndefined();

    const dangling = await store.createExecution({ type: 'system.ContainerExecution', state: 'CACHED', metadata: { cache_key: 'd', cached_execution_id: '999' } });
    expect(dangling.state).toBe('CACHED');
    expect(await findCachedExecution(store, 'd')).toBeUndefined();
  });
});
