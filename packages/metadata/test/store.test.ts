import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findArtifacts, findCachedExecution, latestArtifact, lineageOf, openSqliteStore, toVertexFilter, type MetadataStore } from '../src/index.ts';

const dbPath = () => join(mkdtempSync(join(tmpdir(), 'mlmd-')), 'metadata.sqlite');

/** raw -> preprocess -> train -> model, all in one run context. */
async function chain(store: MetadataStore) {
  const run = await store.getOrCreateContext({ type: 'system.PipelineRun', name: 'p-1' });
  const raw = await store.createArtifact({ type: 'system.Dataset', uri: '/data/raw.csv' });
  const pre = await store.createExecution({ type: 'system.ContainerExecution', name: 'preprocess', state: 'COMPLETE' });
  const train = await store.createArtifact({ type: 'system.Dataset', uri: '/run/pre/train' });
  await store.addExecutionEvents(pre.id, [{ artifactId: raw.id, type: 'INPUT', path: 'raw' }, { artifactId: train.id, type: 'OUTPUT', path: 'train' }]);
  const fit = await store.createExecution({ type: 'system.ContainerExecution', name: 'train', state: 'COMPLETE', metadata: { cache_key: 'k1' } });
  const model = await store.createArtifact({ type: 'system.Model', uri: '/run/train/model', metadata: { label: 'candidate_model', auc: 0.8 } });
  await store.addExecutionEvents(fit.id, [{ artifactId: train.id, type: 'INPUT', path: 'data' }, { artifactId: model.id, type: 'OUTPUT', path: 'model' }]);
  await store.addContextArtifactsAndExecutions(run.id, [raw.id, train.id, model.id], [pre.id, fit.id]);
  return { run, raw, pre, train, fit, model };
}

describe('sqlite metadata store', () => {
  it('round-trips artifacts, executions and contexts; contexts are unique by type and name', async () => {
    const store = await openSqliteStore(dbPath());
    const a = await store.createArtifact({ name: 'm', type: 'system.Model', uri: 'gs://b/m', metadata: { framework: 'tfjs' } });
    expect(await store.getArtifact(a.id)).toEqual(a);
    expect((await store.updateArtifact(a.id, { state: 'DELETED' })).state).toBe('DELETED');
    const e = await store.createExecution({ type: 'system.ContainerExecution' });
    expect(e.state).toBe('NEW');
    expect((await store.updateExecution(e.id, { state: 'COMPLETE', metadata: { x: 1 } })).metadata).toEqual({ x: 1 });
    const c1 = await store.getOrCreateContext({ type: 'system.Pipeline', name: 'p' });
    const c2 = await store.getOrCreateContext({ type: 'system.Pipeline', name: 'p' });
    expect(c2.id).toBe(c1.id);
    await store.close();
  });

  it('lineage of an artifact walks producers and their inputs upstream', async () => {
    const store = await openSqliteStore(dbPath());
    const { model, raw, train } = await chain(store);
    const tree = await lineageOf(store, '/run/train/model');
    expect(tree?.artifact.id).toBe(model.id);
    expect(tree?.producer?.execution.name).toBe('train');
    const data = tree!.producer!.inputs[0]!;
    expect([data.path, data.node.artifact.id]).toEqual(['data', train.id]);
    expect(data.node.producer?.execution.name).toBe('preprocess');
    expect(data.node.producer?.inputs[0]?.node.artifact.id).toBe(raw.id);
    expect(data.node.producer?.inputs[0]?.node.producer).toBeUndefined();
    const down = await store.queryArtifactLineageSubgraph(raw.id, { direction: 'downstream' });
    expect(down.artifacts.map((a) => a.uri).sort()).toEqual(['/data/raw.csv', '/run/pre/train', '/run/train/model']);
    await store.close();
  });

  it('latest artifact of a type in a context, artifacts by label, cache lookup', async () => {
    const store = await openSqliteStore(dbPath());
    const { run, model } = await chain(store);
    const newer = await store.createArtifact({ type: 'system.Model', uri: '/run2/model', metadata: { label: 'candidate_model' } });
    await store.addContextArtifactsAndExecutions(run.id, [newer.id], []);
    expect((await latestArtifact(store, { type: 'system.Model', contextName: 'p-1' }))?.id).toBe(newer.id);
    expect((await findArtifacts(store, { metadata: { label: 'candidate_model' } })).map((a) => a.id)).toEqual([newer.id, model.id]);
    const failed = await store.createExecution({ type: 'system.ContainerExecution', state: 'FAILED', metadata: { cache_key: 'k1' } });
    const hit = await findCachedExecution(store, 'k1');
    expect(hit?.execution.id).not.toBe(failed.id);
    expect(hit?.outputs['model']?.map((a) => a.uri)).toEqual(['/run/train/model']);
    expect(await findCachedExecution(store, 'nope')).toBeUndefined();
    await store.close();
  });

  it('two connections on one file interleave writes; data survives reopening', async () => {
    const path = dbPath();
    const [s1, s2] = [await openSqliteStore(path), await openSqliteStore(path)];
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? s1 : s2).createArtifact({ type: 'system.Artifact', uri: `/a/${i}` })));
    await s1.close();
    await s2.close();
    const again = await openSqliteStore(path);
    expect(await again.listArtifacts()).toHaveLength(50);
    await again.close();
  });

  it('rejects bad input naming the field and value', async () => {
    const store = await openSqliteStore(':memory:');
    await expect(store.createArtifact({ type: '', uri: 'x' })).rejects.toThrow(/artifact\.type: .*received ""/);
    await expect(store.listArtifacts({ filter: { metadata: { label: ['a'] } } })).rejects.toThrow(/filter\.metadata\.label: .*received \["a"\]/);
    await expect(store.listArtifacts({ filter: { colour: 'red' } as never })).rejects.toThrow(/colour/);
    await expect(store.addExecutionEvents('999', [])).rejects.toThrow(/execution 999 does not exist/);
  });

  it('maps typed filters to Vertex ML Metadata filter strings', () => {
    expect(toVertexFilter({ type: 'system.Model', metadata: { label: 'candidate_model', auc: 0.8, ok: true }, contextId: 'run-1' }, 'projects/p/locations/l/metadataStores/default'))
      .toBe('schema_title="system.Model" AND in_context("projects/p/locations/l/metadataStores/default/contexts/run-1") AND metadata.label.string_value="candidate_model" AND metadata.auc.number_value=0.8 AND metadata.ok.bool_value=true');
  });
});
