// The model registry on ML Metadata: versions, aliases (moved atomically), labels, preconditions, lineage, and
// the guarantee that a registration failing half-way leaves the best model where it was.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lineageOf, MetadataValidationError, openSqliteStore, type MetadataStore } from '../src/metadata/index.ts';
import {
  ALIAS, LABEL, openRegistry, REGISTRY_TYPES, RegistryConflictError, RegistryError, RegistryNotFoundError,
} from '../src/registry/index.ts';
import { pipelineRun, steppingClock, tempStorePath } from './metadata/helpers.ts';

const WRITER = fileURLToPath(new URL('./fixtures/registry-writer.ts', import.meta.url));

async function fresh() {
  const store = await openSqliteStore(':memory:', { now: steppingClock() });
  return { store, registry: openRegistry(store) };
}

describe('registering versions', () => {
  it('numbers versions from 1, gives the new one the default alias, and reads them back', async () => {
    const { store, registry } = await fresh();
    const v1 = await registry.registerVersion({
      family: 'chicago', uri: '/models/base', labels: { [LABEL.baseModel]: '1' }, metadata: { architecture: 'abc' }, description: 'base',
    });
    expect(v1).toEqual({
      family: 'chicago', version: 1, uri: '/models/base', labels: { base_model: '1' }, aliases: ['default'],
      metadata: { architecture: 'abc' }, description: 'base', createTime: '2026-01-01T00:00:01.000Z', updateTime: expect.any(String),
      resourceName: 'projects/formalize-local/locations/local/models/chicago@1', artifactId: expect.any(String),
    });
    const v2 = await registry.registerVersion({ family: 'chicago', uri: '/models/run-1', labels: { [LABEL.candidateModel]: '1' }, aliases: [ALIAS.best] });
    expect(v2.version).toBe(2);
    expect(v2.aliases).toEqual(['default', 'best']);
    expect(await registry.getVersion('chicago', 1)).toMatchObject({ version: 1, aliases: [] });
    expect(await registry.getByAlias('chicago', 'default')).toMatchObject({ version: 2 });
    expect(await registry.getByAlias('chicago', 'best')).toEqual(v2);
    expect(await registry.getVersion('chicago', 3)).toBeUndefined();
    expect(await registry.getByAlias('other', 'best')).toBeUndefined();
    expect((await registry.listVersions('chicago')).map((v) => v.version)).toEqual([1, 2]);
    expect((await registry.listVersions('chicago', { label: LABEL.candidateModel })).map((v) => v.version)).toEqual([2]);
    expect(await registry.listVersions('nothing-here')).toEqual([]);
    // Stored as MLMD entities of the registry's own types.
    expect(await store.listArtifacts({ filter: { type: REGISTRY_TYPES.version } })).toHaveLength(2);
    expect(await store.listContexts({ filter: { type: REGISTRY_TYPES.family } })).toMatchObject([{ name: 'chicago' }]);
    expect(await store.listExecutions({ filter: { type: REGISTRY_TYPES.registration } })).toHaveLength(2);
  });

  it('keeps families apart and leaves default where it is for isDefaultVersion: false', async () => {
    const { registry } = await fresh();
    await registry.registerVersion({ family: 'a', uri: '/a/1' });
    await registry.registerVersion({ family: 'b', uri: '/b/1' });
    const a2 = await registry.registerVersion({ family: 'a', uri: '/a/2', isDefaultVersion: false });
    expect(a2).toMatchObject({ version: 2, aliases: [] });
    expect(await registry.getByAlias('a', 'default')).toMatchObject({ version: 1 });
    expect((await registry.getByAlias('b', 'default'))?.uri).toBe('/b/1');
  });

  it('uses the project given for resource names', async () => {
    const store = await openSqliteStore(':memory:');
    const v = await openRegistry(store, { project: 'my-project' }).registerVersion({ family: 'chicago', uri: '/m' });
    expect(v.resourceName).toBe('projects/my-project/locations/local/models/chicago@1');
    expect(() => openRegistry(store, { project: 'My Project' })).toThrow(/openRegistry: project: expected a project id/);
  });
});

describe('aliases and labels', () => {
  it('moves an alias from one version to another, never leaving it on two', async () => {
    const { registry } = await fresh();
    for (let i = 1; i <= 3; i++) await registry.registerVersion({ family: 'chicago', uri: `/m/${i}` });
    await registry.setAlias('chicago', 1, 'best');
    const moved = await registry.setAlias('chicago', 3, 'best', { expectVersion: 1 });
    expect(moved.aliases).toEqual(['default', 'best']);
    const holders = (await registry.listVersions('chicago')).filter((v) => v.aliases.includes('best'));
    expect(holders.map((v) => v.version)).toEqual([3]);
    // Setting it where it already is changes nothing.
    expect((await registry.setAlias('chicago', 3, 'best')).aliases).toEqual(['default', 'best']);
  });

  it('refuses a move whose precondition no longer holds, and changes nothing', async () => {
    const { registry } = await fresh();
    await registry.registerVersion({ family: 'chicago', uri: '/m/1', aliases: ['best'] });
    await registry.registerVersion({ family: 'chicago', uri: '/m/2' });
    const err = await registry.setAlias('chicago', 2, 'best', { expectVersion: null }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryConflictError);
    expect((err as Error).message).toBe('chicago: expected alias "best" on no version, but it is on version 1');
    await expect(registry.registerVersion({ family: 'chicago', uri: '/m/3', aliases: ['best'], expectAliases: { best: 2 } }))
      .rejects.toThrow('chicago: expected alias "best" on version 2, but it is on version 1');
    expect((await registry.listVersions('chicago')).map((v) => v.version)).toEqual([1, 2]);
    expect(await registry.getByAlias('chicago', 'best')).toMatchObject({ version: 1 });
    // The precondition that holds lets the registration through.
    const v3 = await registry.registerVersion({ family: 'chicago', uri: '/m/3', aliases: ['best'], expectAliases: { best: 1 } });
    expect(v3).toMatchObject({ version: 3, aliases: ['default', 'best'] });
  });

  it('merges labels into a version', async () => {
    const { registry } = await fresh();
    await registry.registerVersion({ family: 'chicago', uri: '/m/1', labels: { base_model: '1', team: 'a' } });
    const v = await registry.addLabels('chicago', 1, { team: 'b', candidate_model: '1' });
    expect(v.labels).toEqual({ base_model: '1', team: 'b', candidate_model: '1' });
    expect((await registry.listVersions('chicago', { label: 'candidate_model' })).map((x) => x.version)).toEqual([1]);
  });

  it('names what is missing', async () => {
    const { registry } = await fresh();
    await expect(registry.setAlias('chicago', 1, 'best')).rejects.toThrow(new RegistryNotFoundError('setAlias: no model family "chicago" in the registry'));
    await registry.registerVersion({ family: 'chicago', uri: '/m/1' });
    await expect(registry.setAlias('chicago', 4, 'best')).rejects.toThrow('setAlias: chicago has no version 4 (versions: 1)');
    await expect(registry.addLabels('chicago', 2, { a: 'b' })).rejects.toThrow('addLabels: chicago has no version 2 (versions: 1)');
    await expect(registry.registerVersion({ family: 'chicago', uri: '/m/2', sourceArtifactId: '42' }))
      .rejects.toThrow('registerVersion: sourceArtifactId: no artifact "42" in the metadata store');
    expect(await registry.listVersions('chicago')).toHaveLength(1);
  });
});

describe('bad input', () => {
  it('names the field and the value', async () => {
    const { registry } = await fresh();
    const problems = async (p: Promise<unknown>) => {
      const e = await p.catch((x: unknown) => x);
      expect(e).toBeInstanceOf(MetadataValidationError);
      return (e as Error).message;
    };
    expect(await problems(registry.registerVersion({ family: 'Chicago Taxi', uri: '/m' })))
      .toMatch(/^registerVersion: family: expected a model family.* \(got "Chicago Taxi"\)$/);
    expect(await problems(registry.registerVersion({ family: 'chicago', uri: '' }))).toMatch(/uri: expected the URI of the model folder \(got ""\)/);
    expect(await problems(registry.registerVersion({ family: 'chicago', uri: '/m', aliases: ['7'] }))).toMatch(/aliases\[0\]: expected a version alias .* \(got "7"\)/);
    expect(await problems(registry.registerVersion({ family: 'chicago', uri: '/m', labels: { Team: 'x' } }))).toMatch(/labels.Team: invalid key/);
    expect(await problems(registry.registerVersion({ family: 'chicago', uri: '/m', lables: {} } as never))).toMatch(/lables: unknown field/);
    expect(await problems(registry.getVersion('chicago', 0))).toMatch(/getVersion: version: expected a version number \(1, 2, \.\.\.\) \(got 0\)/);
    expect(await problems(registry.getByAlias('chicago', 'Best'))).toMatch(/getByAlias: alias: .* \(got "Best"\)/);
  });

  it('refuses a store without transactions', () => {
    const store = { transaction: undefined } as unknown as MetadataStore;
    expect(() => openRegistry(store)).toThrow(RegistryError);
  });
});

describe('never losing the best model', () => {
  // A store that fails the one write that would give the new version the alias, i.e. after the old best lost it:
  // the moment a non-atomic registry would be left with no best model at all.
  function failingOnAliasGain(store: MetadataStore, alias: string): MetadataStore {
    return new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== 'updateArtifact') {
          const v = Reflect.get(target, prop, receiver);
          return typeof v === 'function' ? v.bind(target) : v;
        }
        return async (id: string, update: { metadata?: { aliases?: string[] } }) => {
          const before = await target.getArtifact(id);
          const had = (before?.metadata['aliases'] as string[] | undefined) ?? [];
          if (update.metadata?.aliases?.includes(alias) && !had.includes(alias)) throw new Error('injected: disk full');
          return target.updateArtifact(id, update);
        };
      },
    });
  }

  it('keeps the old best, and hands out the same number next time, when a registration fails between its writes', async () => {
    const store = await openSqliteStore(':memory:');
    const registry = openRegistry(store);
    await registry.registerVersion({ family: 'chicago', uri: '/m/1', aliases: ['best'], labels: { candidate_model: '1' } });
    const failing = openRegistry(failingOnAliasGain(store, 'best'));
    await expect(failing.registerVersion({ family: 'chicago', uri: '/m/2', aliases: ['best'] })).rejects.toThrow('injected: disk full');
    expect(await registry.getByAlias('chicago', 'best')).toMatchObject({ version: 1, uri: '/m/1' });
    expect(await registry.getByAlias('chicago', 'default')).toMatchObject({ version: 1 });
    expect(await registry.listVersions('chicago')).toHaveLength(1);
    expect(await store.listArtifacts({ filter: { type: REGISTRY_TYPES.version } })).toHaveLength(1);
    expect(await store.listExecutions({ filter: { type: REGISTRY_TYPES.registration } })).toHaveLength(1);
    // The same failure in a plain alias move.
    await registry.registerVersion({ family: 'chicago', uri: '/m/2' });
    await expect(failing.setAlias('chicago', 2, 'best')).rejects.toThrow('injected: disk full');
    expect(await registry.getByAlias('chicago', 'best')).toMatchObject({ version: 1 });
    expect((await registry.registerVersion({ family: 'chicago', uri: '/m/3', aliases: ['best'] })).version).toBe(3);
  });

  it('gives concurrent processes distinct version numbers and exactly one best', async () => {
    const path = tempStorePath();
    await (await openSqliteStore(path)).close();
    const run = (tag: string) => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [WRITER, path, tag, '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`writer ${tag} exited ${code}: ${err}`))));
    });
    expect(await Promise.all(['p1', 'p2', 'p3'].map(run))).toEqual(['ok 5', 'ok 5', 'ok 5']);
    const store = await openSqliteStore(path);
    const versions = await openRegistry(store).listVersions('chicago');
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(versions.filter((v) => v.aliases.includes('best'))).toHaveLength(1);
    expect(versions.filter((v) => v.aliases.includes('default')).map((v) => v.version)).toEqual([15]);
    await store.close();
  });
});

describe('lineage', () => {
  it('reaches the training run from a version through its registration', async () => {
    const store = await openSqliteStore(':memory:');
    const run = await pipelineRun(store);
    const version = await openRegistry(store).registerVersion({ family: 'chicago', uri: run.model.uri, sourceArtifactId: run.model.id });
    expect(version.sourceArtifactId).toBe(run.model.id);
    const lineage = await lineageOf(store, version.artifactId);
    const producer = lineage!.root.producer!;
    expect(producer.execution.type).toBe(REGISTRY_TYPES.registration);
    expect(producer.inputs.map((i) => [i.path, i.node.artifact.id])).toEqual([['model', run.model.id]]);
    const model = producer.inputs[0]!.node;
    expect(model.producer?.execution.id).toBe(run.train.id);
    expect(model.producer?.inputs[0]?.node.producer?.execution.id).toBe(run.preprocess.id);
  });
});
