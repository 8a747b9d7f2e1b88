// The model registry's contract as zod schemas (the single source of truth) and the types inferred from them.
// Names and rules follow Vertex AI Model Registry, so what is accepted here is accepted there: a family is a
// Model (its ID), a version is a Model version, aliases are version aliases, labels are Model labels.
import { z } from 'zod';
import { JsonObjectSchema, LabelsSchema, type JsonObject, type Labels } from '../metadata/types.ts';

/** Vertex `UploadModelRequest.model_id`: up to 63 of `[a-z0-9_-]`, not starting with a digit or a hyphen. */
export const FamilySchema = z.string().regex(/^[a-z_][a-z0-9_-]{0,62}$/, 'expected a model family: up to 63 lowercase letters, digits, "_" or "-", not starting with a digit or "-"');

/** Vertex `Model.version_aliases` format, which keeps aliases apart from (numeric) version ids. */
export const AliasSchema = z.string().regex(/^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9]$/, 'expected a version alias matching [a-z][a-zA-Z0-9-]{0,126}[a-z0-9]');

export const VersionNumberSchema = z.int().positive('expected a version number (1, 2, ...)');

/** A precondition on aliases: where each must be now (a version number, or null for "on no version"). */
export const ExpectedAliasesSchema = z.record(AliasSchema, VersionNumberSchema.nullable());

/** Aliases the pipelines use: `best` marks the champion, `default` the latest version (Vertex's default version). */
export const ALIAS = { best: 'best', default: 'default' } as const;
/** Labels the pipelines use, with the seed's value `"1"`. */
export const LABEL = { baseModel: 'base_model', candidateModel: 'candidate_model' } as const;

export const RegisterVersionSchema = z.strictObject({
  family: FamilySchema,
  /** Where the model files are (the model folder: model.json, weights, transform.json). */
  uri: z.string().min(1, 'expected the URI of the model folder'),
  labels: LabelsSchema.default({}),
  /** Moved to the new version (taken from whichever version has them) in the same transaction. */
  aliases: z.array(AliasSchema).default([]),
  metadata: JsonObjectSchema.default({}),
  /** MLMD id of the `system.Model` artifact the version registers: its lineage becomes the version's. */
  sourceArtifactId: z.string().min(1).optional(),
  description: z.string().max(4096).optional(),
  /** Vertex's `is_default_version`: the new version takes the `default` alias (default true). */
  isDefaultVersion: z.boolean().default(true),
  /** Refuse (RegistryConflictError) unless each alias is where given, e.g. `{ best: 3 }` or `{ best: null }`. */
  expectAliases: ExpectedAliasesSchema.optional(),
});
export type RegisterVersionInput = z.input<typeof RegisterVersionSchema>;

export const ListVersionsSchema = z.strictObject({
  /** Only versions that have this label key. */
  label: z.string().min(1).optional(),
}).default({});
export type ListVersionsQuery = z.input<typeof ListVersionsSchema>;

export const SetAliasOptionsSchema = z.strictObject({
  /** Refuse (RegistryConflictError) unless the alias is on this version now (null: on no version). */
  expectVersion: VersionNumberSchema.nullable().optional(),
}).default({});
export type SetAliasOptions = z.input<typeof SetAliasOptionsSchema>;

export interface ModelVersion {
  family: string;
  version: number;
  uri: string;
  labels: Labels;
  aliases: string[];
  metadata: JsonObject;
  description?: string;
  createTime: string;
  updateTime: string;
  /** `projects/<project>/locations/local/models/<family>@<version>`; Vertex's is `.../locations/<region>/...`. */
  resourceName: string;
  /** The version's MLMD artifact (type `formalize.ModelVersion`). */
  artifactId: string;
  /** The `system.Model` artifact it registers, when given. */
  sourceArtifactId?: string;
}

/** A registry of model families with numbered versions, aliases and labels (Vertex Model Registry's shape). */
export interface ModelRegistry {
  /** A new version: number = previous maximum + 1; aliases move to it atomically. */
  registerVersion(input: RegisterVersionInput): Promise<ModelVersion>;
  getVersion(family: string, version: number): Promise<ModelVersion | undefined>;
  getByAlias(family: string, alias: string): Promise<ModelVersion | undefined>;
  /** Oldest first. */
  listVersions(family: string, query?: ListVersionsQuery): Promise<ModelVersion[]>;
  /** Moves `alias` to `version` (from the version that has it) atomically. */
  setAlias(family: string, version: number, alias: string, options?: SetAliasOptions): Promise<ModelVersion>;
  /** Merges labels into the version's (a key given again takes the new value). */
  addLabels(family: string, version: number, labels: Labels): Promise<ModelVersion>;
}
