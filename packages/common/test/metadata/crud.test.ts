import { afterEach, describe, expect, it } from 'vitest';
import {
  ArtifactSchema, ContextSchema, ExecutionSchema, MetadataAlreadyExistsError, MetadataNotFoundError, MetadataValidationError,
  openSqliteStore, type MetadataStore,
} from '../../src/metadata/index.ts';
import { steppingClock, tempStorePath } from './helpers.ts';

let store: MetadataStore;
afterEach(async () => store.close());

describe('artifacts', () => {
  it('round-trip through create, get, update and list', async () => {
    store = await openSqliteStore(tempStorePath(), { now: steppingClock() });
    const created = await store.createArtifact({
      name: 'model', type: 'system.Model', uri: 'gs://bucket/model', metadata: { framework: 'tfjs', nested: { layers: [128, 64] } }, labels: { stage: 'dev' },
    });
    expect(ArtifactSchema.parse(created)).toEqual(created);
    expect(created).toMatchObject({ state: 'LIVE', createTime: '2026-01-01T00:00:00.000Z', updateTime: '2026-01-01T00:00:00.000Z' });
    expect(await store.getArtifact(created.id)).toEqual(created);

    const updated = await store.updateArtifact(created.id, { state: 'MARKED_FOR_DELETION', metadata: { accuracy: 0.9 }, labels: { stage: 'prod' } });
    // metadata is merged key by key, labels replaced, createTime kept.
    expect(updated.metadata).toEqual({ framework: 'tfjs', nested: { layers: [128, 64] }, accuracy: 0.9 });
    expect(updated).toMatchObject({ state: 'MARKED_FOR_DELETION', labels: { stage: 'prod' }, name: 'model', uri: 'gs://bucket/model' });
    expect(updated.createTime).toBe(created.createTime);
    expect(Date.parse(updated.updateTime)).toBeGreaterThan(Date.parse(created.updateTime));

    const other = await store.createArtifact({ type: 'system.Dataset', uri: '/data/x' });
    expect(other).not.toHaveProperty('name');
    expect(other.metadata).toEqual({});
    expect((await store.listArtifacts()).map((a) => a.id)).toEqual([created.id, other.id]);
    expect((await store.listArtifacts({ orderBy: 'createTime desc' })).map((a) => a.id)).toEqual([other.id, created.id]);
    expect(await store.listArtifacts({ filter: { type: 'system.Dataset' } })).toEqual([other]);
    expect(await store.listArtifacts({ filter: { uri: 'gs://bucket/model' } })).toEqual([updated]);
    expect(await store.listArtifacts({ filter: { state: ['LIVE', 'PENDING'] } })).toEqual([other]);
    expect(await store.listArtifacts({ filter: { createdAfter: created.createTime } })).toEqual([other]);
    expect(await store.listArtifacts({ limit: 1 })).toEqual([updated]);
  });

  it('filter metadata by value and JSON type', async () => {
    store = await openSqliteStore(':memory:');
    const a = await store.createArtifact({ type: 'system.Model', uri: '/a', metadata: { label: 'candidate_model', version: 2, best: true, 'odd key.x': 'y' } });
    await store.createArtifact({ type: 'system.Model', uri: '/b', metadata: { label: 'base_model', version: '2', best: 1 } });
    const ids = async (metadata: Record<string, string | number | boolean>) => (await store.listArtifacts({ filter: { metadata } })).map((x) => x.uri);
    expect(await ids({ label: 'candidate_model' })).toEqual(['/a']);
    expect(await ids({ version: 2 })).toEqual(['/a']);
    expect(await ids({ version: '2' })).toEqual(['/b']);
    expect(await ids({ best: true })).toEqual(['/a']);
    expect(await ids({ best: 1 })).toEqual(['/b']);
    expect(await ids({ 'odd key.x': 'y' })).toEqual(['/a']);
    expect(await ids({ label: 'candidate_model', version: 3 })).toEqual([]);
    expect(await store.getArtifact(a.id)).toEqual(a);
  });

  it('get returns undefined and update throws for unknown ids', async () => {
    store = await openSqliteStore(':memory:');
    expect(await store.getArtifact('42')).toBeUndefined();
    expect(await store.getArtifact('projects/p/locations/l/metadataStores/default/artifacts/x')).toBeUndefined();
    await expect(store.updateArtifact('42', { state: 'DELETED' })).rejects.toThrow(MetadataNotFoundError);
    await expect(store.updateArtifact('42', { state: 'DELETED' })).rejects.toThrow('artifact "42" not found');
  });
});

describe('executions', () => {
  it('round-trip and merge metadata on update', async () => {
    store = await openSqliteStore(tempStorePath(), { now: steppingClock() });
    const e = await store.createExecution({ type: 'system.ContainerExecution', name: 'train', metadata: { input_parameters: { epochs: 3 } } });
    expect(ExecutionSchema.parse(e)).toEqual(e);
    expect(e.state).toBe('NEW');
    const running = await store.updateExecution(e.id, { state: 'RUNNING' });
    const done = await store.updateExecution(e.id, { state: 'COMPLETE', metadata: { output_parameters: { loss: 0.25 } } });
    expect(running.state).toBe('RUNNING');
    expect(done.metadata).toEqual({ input_parameters: { epochs: 3 }, output_parameters: { loss: 0.25 } });
    expect(await store.getExecution(e.id)).toEqual(done);
    const dag = await store.createExecution({ type: 'system.DAGExecution', state: 'FAILED' });
    expect(await store.listExecutions({ filter: { type: 'system.DAGExecution' } })).toEqual([dag]);
    expect(await store.listExecutions({ filter: { state: 'COMPLETE' } })).toEqual([done]);
    expect(await store.listExecutions({ filter: { name: 'train' } })).toEqual([done]);
    await expect(store.updateExecution('7', { state: 'FAILED' })).rejects.toThrow('execution "7" not found');
  });
});

describe('contexts', () => {
  it('getOrCreateContext is idempotent and createContext refuses duplicates', async () => {
    store = await openSqliteStore(tempStorePath());
    const first = await store.getOrCreateContext({ type: 'system.PipelineRun', name: 'run-1', metadata: { state: 'RUNNING' } });
    const again = await store.getOrCreateContext({ type: 'system.PipelineRun', name: 'run-1', metadata: { state: 'ignored' } });
    expect(again).toEqual(first);
    expect(ContextSchema.parse(first)).toEqual(first);
    // Names are unique per type only.
    const pipeline = await store.getOrCreateContext({ type: 'system.Pipeline', name: 'run-1' });
    expect(pipeline.id).not.toBe(first.id);
    await expect(store.createContext({ type: 'system.PipelineRun', name: 'run-1' })).rejects.toThrow(MetadataAlreadyExistsError);
    expect(await store.listContexts({ filter: { type: 'system.PipelineRun' } })).toEqual([first]);
    const updated = await store.updateContext(first.id, { metadata: { state: 'SUCCEEDED', endTime: 'now' } });
    expect(updated.metadata).toEqual({ state: 'SUCCEEDED', endTime: 'now' });
    expect(await store.getContext(first.id)).toEqual(updated);
  });

  it('links parents and children, rejecting cycles and unknown ids', async () => {
    store = await openSqliteStore(':memory:');
    const pipeline = await store.createContext({ type: 'system.Pipeline', name: 'training' });
    const run1 = await store.createContext({ type: 'system.PipelineRun', name: 'training-1' });
    const run2 = await store.createContext({ type: 'system.PipelineRun', name: 'training-2' });
    await store.addContextChildren(pipeline.id, [run1.id, run2.id]);
    await store.addContextChildren(pipeline.id, [run1.id]); // idempotent
    expect((await store.getContext(run1.id))?.parentContextIds).toEqual([pipeline.id]);
    expect((await store.listContexts({ filter: { parentContextId: pipeline.id } })).map((c) => c.name)).toEqual(['training-1', 'training-2']);
    await expect(store.addContextChildren(run1.id, [pipeline.id])).rejects.toThrow(/cycle/);
    await expect(store.addContextChildren(run1.id, [run1.id])).rejects.toThrow(/cycle/);
    await expect(store.addContextChildren(pipeline.id, ['999'])).rejects.toThrow('context "999" not found');
  });

  it('caps parents per context at 10 as Vertex does', async () => {
    store = await openSqliteStore(':memory:');
    const child = await store.createContext({ type: 'system.PipelineRun', name: 'child' });
    for (let i = 0; i < 10; i++) {
      const parent = await store.createContext({ type: 'system.Pipeline', name: `p${i}` });
      await store.addContextChildren(parent.id, [child.id]);
    }
    const eleventh = await store.createContext({ type: 'system.Pipeline', name: 'p10' });
    await expect(store.addContextChildren(eleventh.id, [child.id])).rejects.toThrow(/11 parents/);
    expect((await store.getContext(child.id))?.parentContextIds).toHaveLength(10);
  });

  it('attributes artifacts and associates executions, idempotently; list filters by context', async () => {
    store = await openSqliteStore(':memory:');
    const run = await store.createContext({ type: 'system.PipelineRun', name: 'r' });
    const a = await store.createArtifact({ type: 'system.Dataset', uri: '/a' });
    await store.createArtifact({ type: 'system.Dataset', uri: '/b' });
    const e = await store.createExecution({ type: 'system.ContainerExecution' });
    await store.addContextArtifactsAndExecutions(run.id, [a.id], [e.id]);
    await store.addContextArtifactsAndExecutions(run.id, [a.id], [e.id]);
    expect(await store.listArtifacts({ filter: { contextId: run.id } })).toEqual([a]);
    expect(await store.listExecutions({ filter: { contextId: run.id } })).toEqual([e]);
    expect(await store.listArtifacts({ filter: { contextId: 'not-a-local-id' } })).toEqual([]);
    // A failing batch writes nothing (one transaction).
    const b = await store.createArtifact({ type: 'system.Dataset', uri: '/c' });
    await expect(store.addContextArtifactsAndExecutions(run.id, [b.id, '404'], [])).rejects.toThrow('artifact "404" not found');
    expect(await store.listArtifacts({ filter: { contextId: run.id } })).toEqual([a]);
  });
});

describe('validation', () => {
  it('errors name the field and the value', async () => {
    store = await openSqliteStore(':memory:');
    const failure = async (p: Promise<unknown>) => {
      const err = await p.then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(MetadataValidationError);
      return (err as MetadataValidationError).message;
    };
    expect(await failure(store.listArtifacts({ filter: { state: 'ALIVE' as never } })))
      .toBe('listArtifacts: filter.state: expected one of PENDING|LIVE|MARKED_FOR_DELETION|DELETED or a non-empty list of them (got "ALIVE")');
    expect(await failure(store.listExecutions({ filter: { state: ['COMPLETE', 'DONE'] as never } })))
      .toMatch(/^listExecutions: filter\.state: expected one of NEW\|RUNNING\|COMPLETE\|FAILED\|CACHED\|CANCELED .*\(got \["COMPLETE","DONE"\]\)$/);
    expect(await failure(store.listArtifacts({ filter: { metadata: { label: ['a'] as never } } })))
      .toBe('listArtifacts: filter.metadata.label: expected a string, a finite number or a boolean (got ["a"])');
    expect(await failure(store.listArtifacts({ filter: { metdata: {} } as never })))
      .toBe('listArtifacts: filter.metdata: unknown field (got {})');
    expect(await failure(store.listArtifacts({ filter: { createdAfter: 'yesterday' } })))
      .toMatch(/^listArtifacts: filter\.createdAfter: .*\(got "yesterday"\)$/);
    expect(await failure(store.listArtifacts({ limit: 0 }))).toMatch(/^listArtifacts: limit: .*\(got 0\)$/);
    expect(await failure(store.createArtifact({ type: '', uri: '/x' }))).toBe('createArtifact: type: must be a non-empty type name (got "")');
    expect(await failure(store.createArtifact({ type: 'system.Model', uri: '/x', labels: { Stage: 'x' } })))
      .toMatch(/^createArtifact: labels\.Stage: .*label keys.*\(got "Stage"\)$/);
    expect(await failure(store.createArtifact({ type: 'system.Model', uri: '/x', metadata: { when: new Date() as never } })))
      .toMatch(/^createArtifact: metadata\.when: /);
    expect(await failure(store.createExecution({ type: 'system.ContainerExecution', state: 'SUCCEEDED' as never })))
      .toMatch(/^createExecution: state: .*\(got "SUCCEEDED"\)$/);
    expect(await failure(store.addExecutionEvents('1', [{ artifactId: '1', type: 'OUT' as never, path: 'model' }])))
      .toMatch(/^addExecutionEvents: events\[0\]\.type: .*\(got "OUT"\)$/);
    expect(await failure(store.queryArtifactLineageSubgraph('1', { maxHops: -1 }))).toMatch(/^queryArtifactLineageSubgraph: maxHops: .*\(got -1\)$/);
    expect(await failure(store.getArtifact(''))).toBe('getArtifact: id: must be a non-empty id (got "")');
  });
});
