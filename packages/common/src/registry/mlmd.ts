// The model registry on the ML Metadata store. A family is a `formalize.ModelFamily` context; a version is a
// `formalize.ModelVersion` artifact attributed to it (number, aliases, registry labels as the artifact's
// labels, the caller's metadata); registering writes a `formalize.ModelRegistration` execution with the source
// `system.Model` as INPUT and the version as OUTPUT, so the version's lineage reaches the training run.
// Every change is one store transaction: a version number is never handed out twice, an alias is always on
// exactly one version once set, and a failure half-way leaves the registry as it was (the best model stays).
import { z } from 'zod';
import { parseInput } from '../metadata/errors.ts';
import type { MetadataStore } from '../metadata/store.ts';
import type { Artifact, Context, JsonObject, Labels } from '../metadata/types.ts';
import { LabelsSchema } from '../metadata/types.ts';
import { RegistryConflictError, RegistryError, RegistryNotFoundError } from './errors.ts';
import {
  ALIAS, AliasSchema, FamilySchema, ListVersionsSchema, RegisterVersionSchema, SetAliasOptionsSchema, VersionNumberSchema,
  type ListVersionsQuery, type ModelRegistry, type ModelVersion, type RegisterVersionInput, type SetAliasOptions,
} from './schema.ts';

export const REGISTRY_TYPES = {
  family: 'formalize.ModelFamily',
  version: 'formalize.ModelVersion',
  registration: 'formalize.ModelRegistration',
} as const;

// Keys of a version artifact's metadata. Scalars are top-level so a Vertex ML Metadata filter can find them.
const KEY = {
  family: 'model_family',
  version: 'version',
  aliases: 'aliases',
  resourceName: 'resourceName',
  source: 'source_artifact_id',
  description: 'description',
  properties: 'properties',
} as const;

export interface RegistryOptions {
  /** Project of the resource names (default `formalize-local`, as the local dataset resource names). */
  project?: string;
}

type Transactional = MetadataStore & { transaction: NonNullable<MetadataStore['transaction']> };

/**
 * The registry over `store`. The store must run transactions (the embedded SQLite store does); on Vertex AI
 * the registry is Vertex Model Registry itself (see the README's mapping), not this class over ML Metadata.
 */
export function openRegistry(store: MetadataStore, options: RegistryOptions = {}): ModelRegistry {
  if (typeof store.transaction !== 'function') {
    throw new RegistryError('openRegistry: the store has no transactions; the ML Metadata registry needs them (use the embedded SQLite store, or the Vertex Model Registry backend on Vertex AI)');
  }
  const project = parseInput(ProjectSchema, options.project ?? 'formalize-local', 'openRegistry', 'project');
  return new MlmdModelRegistry(store as Transactional, project);
}

// Google Cloud project ids: up to 30 lowercase letters, digits and hyphens, starting with a letter.
const ProjectSchema = z.string().regex(/^[a-z][a-z0-9-]{0,29}$/, 'expected a project id (lowercase letters, digits, "-")');

class MlmdModelRegistry implements ModelRegistry {
  readonly #store: Transactional;
  readonly #project: string;

  constructor(store: Transactional, project: string) {
    this.#store = store;
    this.#project = project;
  }

  async registerVersion(input: RegisterVersionInput): Promise<ModelVersion> {
    const r = parseInput(RegisterVersionSchema, input, 'registerVersion');
    const aliases = [...new Set([...(r.isDefaultVersion ? [ALIAS.default] : []), ...r.aliases])];
    const store = this.#store;
    return store.transaction(async () => {
      if (r.sourceArtifactId !== undefined && !(await store.getArtifact(r.sourceArtifactId))) {
        throw new RegistryNotFoundError(`registerVersion: sourceArtifactId: no artifact ${JSON.stringify(r.sourceArtifactId)} in the metadata store`);
      }
      const family = await store.getOrCreateContext({ type: REGISTRY_TYPES.family, name: r.family });
      const versions = await this.#artifacts(family.id);
      checkExpected(r.family, versions, r.expectAliases ?? {});
      // Versions are never deleted, so the maximum only grows: a number is never reused.
      const number = versions.reduce((max, a) => Math.max(max, versionOf(a)), 0) + 1;
      const resourceName = `projects/${this.#project}/locations/local/models/${r.family}@${number}`;
      const artifact = await store.createArtifact({
        name: `${r.family}@${number}`,
        type: REGISTRY_TYPES.version,
        uri: r.uri,
        labels: r.labels,
        metadata: {
          [KEY.family]: r.family,
          [KEY.version]: number,
          [KEY.aliases]: [],
          [KEY.resourceName]: resourceName,
          ...(r.sourceArtifactId !== undefined && { [KEY.source]: r.sourceArtifactId }),
          ...(r.description !== undefined && { [KEY.description]: r.description }),
          [KEY.properties]: r.metadata,
        },
      });
      const registration = await store.createExecution({
        name: `register ${r.family}@${number}`,
        type: REGISTRY_TYPES.registration,
        state: 'COMPLETE',
        metadata: { [KEY.family]: r.family, [KEY.version]: number, [KEY.aliases]: aliases },
      });
      await store.addExecutionEvents(registration.id, [
        ...(r.sourceArtifactId !== undefined ? [{ artifactId: r.sourceArtifactId, type: 'INPUT' as const, path: 'model' }] : []),
        { artifactId: artifact.id, type: 'OUTPUT', path: 'version' },
      ]);
      await store.addContextArtifactsAndExecutions(family.id, [artifact.id], [registration.id]);
      let current = artifact;
      for (const alias of aliases) current = await this.#moveAlias(family.id, current.id, alias);
      return toVersion(current);
    });
  }

  async getVersion(family: string, version: number): Promise<ModelVersion | undefined> {
    const f = parseInput(FamilySchema, family, 'getVersion', 'family');
    const v = parseInput(VersionNumberSchema, version, 'getVersion', 'version');
    const [a] = await this.#store.listArtifacts({ filter: { type: REGISTRY_TYPES.version, metadata: { [KEY.family]: f, [KEY.version]: v } }, limit: 1 });
    return a && toVersion(a);
  }

  async getByAlias(family: string, alias: string): Promise<ModelVersion | undefined> {
    const f = parseInput(FamilySchema, family, 'getByAlias', 'family');
    const name = parseInput(AliasSchema, alias, 'getByAlias', 'alias');
    // The versions come from one query, a consistent snapshot while another process moves the alias.
    const context = await this.#family(f);
    const holder = context && (await this.#artifacts(context.id)).find((a) => aliasesOf(a).includes(name));
    return holder && toVersion(holder);
  }

  async listVersions(family: string, query: ListVersionsQuery = {}): Promise<ModelVersion[]> {
    const f = parseInput(FamilySchema, family, 'listVersions', 'family');
    const q = parseInput(ListVersionsSchema, query, 'listVersions', 'query');
    const context = await this.#family(f);
    if (!context) return [];
    return (await this.#artifacts(context.id))
      .filter((a) => q.label === undefined || Object.hasOwn(a.labels ?? {}, q.label))
      .map(toVersion);
  }

  async setAlias(family: string, version: number, alias: string, options: SetAliasOptions = {}): Promise<ModelVersion> {
    const f = parseInput(FamilySchema, family, 'setAlias', 'family');
    const v = parseInput(VersionNumberSchema, version, 'setAlias', 'version');
    const name = parseInput(AliasSchema, alias, 'setAlias', 'alias');
    const o = parseInput(SetAliasOptionsSchema, options, 'setAlias', 'options');
    return this.#store.transaction(async () => {
      const { context, versions } = await this.#versionsOf(f, 'setAlias');
      const target = versions.find((a) => versionOf(a) === v);
      if (!target) throw new RegistryNotFoundError(`setAlias: ${f} has no version ${v} (versions: ${versions.map(versionOf).join(', ')})`);
      if (o.expectVersion !== undefined) checkExpected(f, versions, { [name]: o.expectVersion });
      return toVersion(await this.#moveAlias(context.id, target.id, name));
    });
  }

  async addLabels(family: string, version: number, labels: Labels): Promise<ModelVersion> {
    const f = parseInput(FamilySchema, family, 'addLabels', 'family');
    const v = parseInput(VersionNumberSchema, version, 'addLabels', 'version');
    const l = parseInput(LabelsSchema, labels, 'addLabels', 'labels');
    return this.#store.transaction(async () => {
      const { versions } = await this.#versionsOf(f, 'addLabels');
      const target = versions.find((a) => versionOf(a) === v);
      if (!target) throw new RegistryNotFoundError(`addLabels: ${f} has no version ${v} (versions: ${versions.map(versionOf).join(', ')})`);
      return toVersion(await this.#store.updateArtifact(target.id, { labels: { ...target.labels, ...l } }));
    });
  }

  async #family(family: string) {
    const [context] = await this.#store.listContexts({ filter: { type: REGISTRY_TYPES.family, name: family }, limit: 1 });
    return context;
  }

  async #versionsOf(family: string, what: string): Promise<{ context: Context; versions: Artifact[] }> {
    const context = await this.#family(family);
    if (!context) throw new RegistryNotFoundError(`${what}: no model family ${JSON.stringify(family)} in the registry`);
    return { context, versions: await this.#artifacts(context.id) };
  }

  /** The family's versions, oldest first. */
  async #artifacts(contextId: string): Promise<Artifact[]> {
    const all = await this.#store.listArtifacts({ filter: { type: REGISTRY_TYPES.version, contextId } });
    return all.sort((a, b) => versionOf(a) - versionOf(b));
  }

  /**
   * Takes `alias` from the version that has it and gives it to `targetId`, as two writes of the caller's
   * transaction; reads the versions afresh, since an earlier move in the same transaction changed them.
   */
  async #moveAlias(contextId: string, targetId: string, alias: string): Promise<Artifact> {
    let target: Artifact | undefined;
    for (const a of await this.#artifacts(contextId)) {
      if (a.id === targetId) target = a;
      else if (aliasesOf(a).includes(alias)) await this.#store.updateArtifact(a.id, { metadata: { [KEY.aliases]: aliasesOf(a).filter((x) => x !== alias) } });
    }
    if (!target) throw new RegistryError(`version artifact ${targetId} is not in its family`);
    const own = aliasesOf(target);
    return own.includes(alias) ? target : this.#store.updateArtifact(targetId, { metadata: { [KEY.aliases]: [...own, alias] } });
  }
}

function versionOf(a: Artifact): number {
  const v = a.metadata[KEY.version];
  if (typeof v !== 'number') throw new RegistryError(`artifact ${a.id} (${REGISTRY_TYPES.version}) has no version number in its metadata`);
  return v;
}

function aliasesOf(a: Artifact): string[] {
  const v = a.metadata[KEY.aliases];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function checkExpected(family: string, versions: readonly Artifact[], expected: Record<string, number | null>): void {
  for (const [alias, want] of Object.entries(expected)) {
    const holder = versions.find((a) => aliasesOf(a).includes(alias));
    const actual = holder ? versionOf(holder) : null;
    if (actual !== want) throw new RegistryConflictError(family, alias, want, actual);
  }
}

function toVersion(a: Artifact): ModelVersion {
  const m = a.metadata;
  const properties = m[KEY.properties];
  const description = m[KEY.description];
  const source = m[KEY.source];
  return {
    family: String(m[KEY.family]),
    version: versionOf(a),
    uri: a.uri,
    labels: { ...a.labels },
    aliases: aliasesOf(a),
    metadata: properties !== null && typeof properties === 'object' && !Array.isArray(properties) ? properties as JsonObject : {},
    ...(typeof description === 'string' && { description }),
    createTime: a.createTime,
    updateTime: a.updateTime,
    resourceName: String(m[KEY.resourceName]),
    artifactId: a.id,
    ...(typeof source === 'string' && { sourceArtifactId: source }),
  };
}
