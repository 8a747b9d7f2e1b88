// SqliteMetadataStore.transaction: several writes commit together or not at all, and work on the same
// connection from outside the transaction neither joins it nor sees it before it commits.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MetadataNotFoundError, openSqliteStore } from '../../src/metadata/index.ts';
import { tempStorePath } from './helpers.ts';

const CRASHER = fileURLToPath(new URL('./fixtures/crash-in-transaction.ts', import.meta.url));

describe('SqliteMetadataStore.transaction', () => {
  it('commits every write of the body together and returns its result', async () => {
    const store = await openSqliteStore(':memory:');
    const result = await store.transaction(async () => {
      const a = await store.createArtifact({ type: 'system.Model', uri: '/m/1' });
      await store.updateArtifact(a.id, { metadata: { version: 1 } });
      return a.id;
    });
    expect((await store.getArtifact(result))?.metadata).toEqual({ version: 1 });
    await store.close();
  });

  it('rolls back every write of the body when it throws, and rethrows', async () => {
    const store = await openSqliteStore(':memory:');
    const kept = await store.createArtifact({ type: 'system.Model', uri: '/m/kept', metadata: { alias: 'best' } });
    await expect(store.transaction(async () => {
      await store.createArtifact({ type: 'system.Model', uri: '/m/new' });
      await store.updateArtifact(kept.id, { metadata: { alias: null } });
      throw new Error('injected');
    })).rejects.toThrow('injected');
    expect((await store.listArtifacts()).map((a) => a.uri)).toEqual(['/m/kept']);
    expect((await store.getArtifact(kept.id))?.metadata).toEqual({ alias: 'best' });
    await store.close();
  });

  it('undoes only the failed call when the body catches its error', async () => {
    const store = await openSqliteStore(':memory:');
    await store.transaction(async () => {
      await store.createArtifact({ type: 'system.Model', uri: '/m/1' });
      // Fails inside its own write (after validation): the savepoint drops it, the transaction goes on.
      await expect(store.addExecutionEvents('999', [])).rejects.toThrow(MetadataNotFoundError);
      await store.createArtifact({ type: 'system.Model', uri: '/m/2' });
    });
    expect((await store.listArtifacts()).map((a) => a.uri)).toEqual(['/m/1', '/m/2']);
    await store.close();
  });

  it('makes outside calls on the connection wait: they neither join nor see the open transaction', async () => {
    const store = await openSqliteStore(':memory:');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const tx = store.transaction(async () => {
      await store.createArtifact({ type: 'system.Model', uri: '/m/inside' });
      entered();
      await gate;
      throw new Error('abandoned');
    });
    await inside;
    // Issued while the transaction is open: must not run inside it (it would be rolled back with it).
    const outsideWrite = store.createArtifact({ type: 'system.Model', uri: '/m/outside' });
    const outsideRead = store.listArtifacts();
    let readDone = false;
    void outsideRead.then(() => (readDone = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readDone).toBe(false);
    release();
    await expect(tx).rejects.toThrow('abandoned');
    await outsideWrite;
    // In the order issued: the read runs after the write, and never saw the rolled-back artifact.
    expect((await outsideRead).map((a) => a.uri)).toEqual(['/m/outside']);
    expect((await store.listArtifacts()).map((a) => a.uri)).toEqual(['/m/outside']);
    await store.close();
  });

  it('runs a nested transaction inside the open one', async () => {
    const store = await openSqliteStore(':memory:');
    await expect(store.transaction(async () => {
      await store.createArtifact({ type: 'system.Model', uri: '/m/outer' });
      await store.transaction(async () => {
        await store.createArtifact({ type: 'system.Model', uri: '/m/inner' });
      });
      throw new Error('outer fails');
    })).rejects.toThrow('outer fails');
    expect(await store.listArtifacts()).toEqual([]);
    await store.close();
  });

  it('serialises transactions of one connection', async () => {
    const store = await openSqliteStore(':memory:');
    const counter = await store.createArtifact({ type: 'system.Artifact', uri: '/counter', metadata: { n: 0 } });
    // Read-modify-write: without isolation, concurrent increments would be lost.
    await Promise.all(Array.from({ length: 20 }, () => store.transaction(async () => {
      const n = (await store.getArtifact(counter.id))!.metadata['n'] as number;
      await Promise.resolve();
      await store.updateArtifact(counter.id, { metadata: { n: n + 1 } });
    })));
    expect((await store.getArtifact(counter.id))?.metadata['n']).toBe(20);
    await store.close();
  });

  it('leaves nothing behind when the process dies inside a transaction', async () => {
    const path = tempStorePath();
    const store = await openSqliteStore(path);
    await store.createArtifact({ type: 'system.Model', uri: '/m/before' });
    await store.close();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [CRASHER, path], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(code).toBe(3);
    const again = await openSqliteStore(path);
    expect((await again.listArtifacts()).map((a) => a.uri)).toEqual(['/m/before']);
    await again.close();
  });
});
