// Typed artifacts of a component contract. `artifact('system.Model')` is a zod schema of the RuntimeArtifact
// JSON the launcher passes in ExecutorInput, branded with its artifact type so the TypeScript types of
// differently-typed artifacts never mix (wiring a Dataset into a Model input fails to compile).
import { z } from 'zod';
import type { ArtifactTypeSchema, JsonObject } from '../ir/types.ts';
import { SCHEMA_VERSION_ARTIFACT } from '../ir/types.ts';
import { sharedRegistry } from './registry.ts';

// KFP `dsl/types/artifact_types.py` and GCPC `types/artifact_types.py`; all are schemaVersion 0.0.1.
const TITLES = [
  'system.Artifact', 'system.Dataset', 'system.Model', 'system.Metrics', 'system.ClassificationMetrics',
  'system.SlicedClassificationMetrics', 'system.HTML', 'system.Markdown',
  'google.BQTable', 'google.BQMLModel', 'google.VertexDataset', 'google.VertexModel', 'google.VertexEndpoint',
  'google.VertexBatchPredictionJob', 'google.UnmanagedContainerModel', 'google.ClassificationMetrics',
  'google.RegressionMetrics', 'google.ForecastingMetrics',
] as const;

export type ArtifactType = (typeof TITLES)[number];

export const ARTIFACT_TYPES: readonly { readonly schemaTitle: ArtifactType; readonly schemaVersion: string }[] =
  Object.freeze(TITLES.map((schemaTitle) => Object.freeze({ schemaTitle, schemaVersion: SCHEMA_VERSION_ARTIFACT })));

const KNOWN: ReadonlySet<string> = new Set(TITLES);

export function isArtifactType(title: string): title is ArtifactType {
  return KNOWN.has(title);
}

export class UnknownArtifactTypeError extends Error {
  override name = 'UnknownArtifactTypeError';
  constructor(type: string) {
    super(`unknown artifact type "${type}" (known: ${TITLES.join(', ')})`);
  }
}

export function artifactTypeSchema(type: ArtifactType): ArtifactTypeSchema {
  return { schemaTitle: type, schemaVersion: SCHEMA_VERSION_ARTIFACT };
}

/** `system.Artifact` is the untyped slot: it accepts an artifact of any known type. */
export type ArtifactTitleFor<T extends ArtifactType> = T extends 'system.Artifact' ? ArtifactType : T;

/** RuntimeArtifact in proto3-JSON form (pipeline_spec.proto), after defaults for omitted fields. */
export interface RuntimeArtifact<Title extends string = string> {
  name: string;
  type: { schemaTitle: Title; schemaVersion: string };
  uri: string;
  metadata: JsonObject;
  customPath?: string;
}

export interface ArtifactInfo {
  type: ArtifactType;
  list: boolean;
  optional: boolean;
}

/** Type-level and runtime brand of an artifact schema; `artifactType` is what keeps Model and Dataset apart. */
export interface ArtifactBrand<T extends ArtifactType, L extends boolean, O extends boolean> {
  readonly artifactType: T;
  readonly isArtifactList: L;
  readonly isOptionalArtifact: O;
}

export type AnyArtifactSchema = z.ZodType & ArtifactBrand<ArtifactType, boolean, boolean>;

export type ArtifactSchema<T extends ArtifactType = ArtifactType, L extends boolean = false, O extends boolean = false> =
  z.ZodType<L extends true ? RuntimeArtifact<ArtifactTitleFor<T>>[] : RuntimeArtifact<ArtifactTitleFor<T>>>
  & ArtifactBrand<T, L, O>;

export interface ArtifactOptions {
  description?: string;
  /** The input may be left unconnected (KFP `isOptional`); inputs only. */
  optional?: boolean;
  /** A list of artifacts (KFP `isArtifactList`, e.g. the fan-in of a ParallelFor); inputs only. */
  list?: boolean;
}

const registry = sharedRegistry<ArtifactInfo>('artifacts');

function titleSchema(declared: ArtifactType) {
  return z.string().superRefine((title, ctx) => {
    if (!isArtifactType(title)) ctx.addIssue({ code: 'custom', message: 'unknown artifact type', input: title });
    else if (declared !== 'system.Artifact' && title !== declared) {
      ctx.addIssue({ code: 'custom', message: `expected artifact type ${declared}`, input: title });
    }
  });
}

function runtimeArtifactSchema(type: ArtifactType) {
  // proto3 JSON omits empty strings and empty structs, hence the defaults.
  return z.object({
    name: z.string().default(''),
    type: z.object({ schemaTitle: titleSchema(type), schemaVersion: z.string().default(SCHEMA_VERSION_ARTIFACT) }),
    uri: z.string().default(''),
    metadata: z.record(z.string(), z.unknown()).default({}),
    customPath: z.string().optional(),
  });
}

type Flag<Opts, K extends keyof ArtifactOptions> = Opts extends Record<K, true> ? true : false;

/** Schema of an input or output artifact of the given KFP/GCPC type. */
export function artifact<T extends ArtifactType, const Opts extends ArtifactOptions = {}>(
  type: T,
  opts?: Opts,
): ArtifactSchema<T, Flag<Opts, 'list'>, Flag<Opts, 'optional'>> {
  if (!isArtifactType(type)) throw new UnknownArtifactTypeError(type);
  const info: ArtifactInfo = { type, list: opts?.list === true, optional: opts?.optional === true };
  const one = runtimeArtifactSchema(type);
  const base: z.ZodType = info.list ? z.array(one) : one;
  const schema = opts?.description ? base.describe(opts.description) : base;
  registry.add(schema, info);
  Object.defineProperties(schema, {
    artifactType: { value: info.type, enumerable: false },
    isArtifactList: { value: info.list, enumerable: false },
    isOptionalArtifact: { value: info.optional, enumerable: false },
  });
  return schema as unknown as ArtifactSchema<T, Flag<Opts, 'list'>, Flag<Opts, 'optional'>>;
}

/** The artifact brand of a schema made by `artifact()` (or a `.describe()` clone of one); undefined for parameters. */
export function artifactInfo(schema: z.ZodType): ArtifactInfo | undefined {
  return registry.get(schema);
}

export type ReadonlyJsonValue = null | boolean | number | string | readonly ReadonlyJsonValue[] | ReadonlyJsonObject;
export type ReadonlyJsonObject = { readonly [k: string]: ReadonlyJsonValue };

/** An input artifact as `run` sees it: where to read it and what upstream recorded about it. */
export interface InputArtifact<T extends ArtifactType = ArtifactType> {
  readonly name: string;
  readonly type: { readonly schemaTitle: ArtifactTitleFor<T>; readonly schemaVersion: string };
  readonly uri: string;
  /** Local path of `uri` (`gs://b/x` -> `/gcs/b/x`); throws for URIs without a local mount (e.g. https resource names). */
  readonly path: string;
  /** Frozen: inputs are immutable records of upstream outputs. */
  readonly metadata: ReadonlyJsonObject;
}

/** An output artifact as `run` sees it: write the payload to `path`, describe it in `metadata`. */
export interface OutputArtifact<T extends ArtifactType = ArtifactType> {
  readonly name: string;
  readonly type: { readonly schemaTitle: T; readonly schemaVersion: string };
  /** Provisioned by the launcher; may be replaced, e.g. by a Vertex resource URI for google.* artifacts. */
  uri: string;
  /** Local path of the current `uri`. */
  readonly path: string;
  /** Everything set here ends up in ExecutorOutput and, from there, in ML Metadata. */
  metadata: JsonObject;
}
