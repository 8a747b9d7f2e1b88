import { spawn } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCachedExecution, openSqliteStore, SQLITE_SCHEMA_VERSION } from '../../src/metadata/index.ts';
import { tempStorePath } from './helpers.ts';

const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));

function runWriter(path: string, tasks: number, tag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, String(tasks), tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`writer ${tag} exited ${code}: ${err}`))));
  });
}

describe('sharing one store file', () => {
  it('two store instances on one file write interleaved without SQLITE_BUSY', async () => {
    const path = tempStorePath();
    const [a, b] = [await openSqliteStore(path), await openSqliteStore(path)];
    const run = await a.getOrCreateContext({ type: 'system.PipelineRun', name: 'r' });
    expect((await b.getOrCreateContext({ type: 'system.PipelineRun', name: 'r' })).id).toBe(run.id);
    await Promise.all(Array.from({ length: 100 }, async (_, i) => {
      const store = i % 2 ? a : b;
      const artifact = await store.createArtifact({ type: 'system.Artifact', uri: `/a/${i}` });
      const execution = await store.createExecution({ type: 'system.ContainerExecution', state: 'COMPLETE' });
      await store.addExecutionEvents(execution.id, [{ artifactId: artifact.id, type: 'OUTPUT', path: 'out' }]);
      await store.addContextArtifactsAndExecutions(run.id, [artifact.id], [execution.id]);
    }));
    expect(await a.listArtifacts({ filter: { contextId: run.id } })).toHaveLength(100);
    expect(await b.listExecutions({ filter: { contextId: run.id } })).toHaveLength(100);
    await a.close();
    await b.close();
  });

  it('concurrent processes migrate and write one fresh file without SQLITE_BUSY', async () => {
    const path = tempStorePath();
    const tags = ['p1', 'p2', 'p3'];
    const outputs = await Promise.all(tags.map((tag) => runWriter(path, 150, tag)));
    expect(outputs).toEqual(['ok 150', 'ok 150', 'ok 150']);
    const store = await openSqliteStore(path);
    expect(await store.listExecutions({ filter: { state: 'COMPLETE' } })).toHaveLength(450);
    const [pipeline] = await store.listContexts({ filter: { type: 'system.Pipeline' } });
    expect((await store.listContexts({ filter: { parentContextId: pipeline!.id } })).map((c) => c.name).sort()).toEqual(['run-p1', 'run-p2', 'run-p3']);
    expect((await findCachedExecution(store, 'p2-149'))?.outputs['out']?.map((a) => a.uri)).toEqual(['/p2/149']);
    await store.close();
  });

  it('reopens a file and reads everything back', async () => {
    const path = tempStorePath();
    const first = await openSqliteStore(path);
    const run = await first.getOrCreateContext({ type: 'system.PipelineRun', name: 'r', metadata: { state: 'SUCCEEDED' } });
    const model = await first.createArtifact({ type: 'system.Model', uri: '/m', metadata: { label: 'candidate_model' }, labels: { team: 'ml' } });
    const train = await first.createExecution({ type: 'system.ContainerExecution', state: 'COMPLETE', metadata: { cache_key: 'k' } });
    await first.addExecutionEvents(train.id, [{ artifactId: model.id, type: 'OUTPUT', path: 'model' }]);
    await first.addContextArtifactsAndExecutions(run.id, [model.id], [train.id]);
    await first.close();
    await first.close(); // closing twice is harmless
    await expect(first.listArtifacts()).rejects.toThrow(/closed/);

    const again = await openSqliteStore(path);
    expect(await again.getContext(run.id)).toEqual(run);
    expect(await again.getArtifact(model.id)).toEqual(model);
    expect(await again.getExecution(train.id)).toEqual(train);
    expect((await findCachedExecution(again, 'k'))?.outputs['model']).toEqual([model]);
    await again.close();
  });

  it('refuses a file written by a newer schema version', async () => {
    const path = tempStorePath();
    await (await openSqliteStore(path)).close();
    const raw = new DatabaseSync(path);
    raw.prepare('UPDATE SchemaVersion SET version = ?').run(SQLITE_SCHEMA_VERSION + 1);
    raw.close();
    await expect(openSqliteStore(path)).rejects.toThrow(`metadata schema version ${SQLITE_SCHEMA_VERSION + 1} is newer`);
  });
});
