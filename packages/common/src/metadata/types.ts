// The ML Metadata model as zod schemas (the single source of truth) and the types inferred from them.
// Names follow Vertex AI ML Metadata (google.cloud.aiplatform.v1): `type` is Vertex's `schemaTitle`
// (MLMD's type name), `metadata` is Vertex's `metadata` Struct (MLMD's `custom_properties`), `name` is
// Vertex's `displayName`. Ids are opaque strings: numeric row ids locally, resource names on Vertex.
import { z } from 'zod';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const JsonValueSchema: z.ZodType<JsonValue> = z.json();
export const JsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), JsonValueSchema);

export const IdSchema = z.string().min(1, 'must be a non-empty id');

/** A schema title such as `system.Dataset`, `system.ContainerExecution`, `system.PipelineRun`. */
export const TypeNameSchema = z.string().min(1, 'must be a non-empty type name').max(256);

/** RFC 3339 timestamp; the store writes UTC (`...Z`), filters accept any offset. */
export const TimestampSchema = z.iso.datetime({ offset: true });

// Vertex label rules: keys and values up to 63 characters of lowercase letters, digits, `_` and `-`,
// keys start with a letter. Enforced locally so what works here also works on Vertex.
const LabelKeySchema = z.string().regex(/^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u, 'label keys are 1-63 lowercase letters, digits, "_" or "-", starting with a letter');
const LabelValueSchema = z.string().regex(/^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u, 'label values are up to 63 lowercase letters, digits, "_" or "-"');
export const LabelsSchema = z.record(LabelKeySchema, LabelValueSchema);
export type Labels = z.infer<typeof LabelsSchema>;

// ---- Artifact ----

export const ARTIFACT_STATES = ['PENDING', 'LIVE', 'MARKED_FOR_DELETION', 'DELETED'] as const;
export const ArtifactStateSchema = z.enum(ARTIFACT_STATES);
export type ArtifactState = z.infer<typeof ArtifactStateSchema>;

export const ArtifactSchema = z.object({
  id: IdSchema,
  name: z.string().optional(),
  type: TypeNameSchema,
  uri: z.string(),
  state: ArtifactStateSchema,
  metadata: JsonObjectSchema,
  labels: LabelsSchema.optional(),
  createTime: TimestampSchema,
  updateTime: TimestampSchema,
});
export type Artifact = z.infer<typeof ArtifactSchema>;

export const NewArtifactSchema = z.strictObject({
  name: z.string().optional(),
  type: TypeNameSchema,
  uri: z.string(),
  state: ArtifactStateSchema.default('LIVE'),
  metadata: JsonObjectSchema.default({}),
  labels: LabelsSchema.optional(),
});
export type NewArtifact = z.input<typeof NewArtifactSchema>;

/** `metadata` is merged into the stored one key by key (top level); `labels` replace the stored ones. */
export const ArtifactUpdateSchema = z.strictObject({
  name: z.string().optional(),
  uri: z.string().optional(),
  state: ArtifactStateSchema.optional(),
  metadata: JsonObjectSchema.optional(),
  labels: LabelsSchema.optional(),
});
export type ArtifactUpdate = z.input<typeof ArtifactUpdateSchema>;

// ---- Execution ----

/** MLMD spelling; Vertex spells the last one `CANCELLED` (the Vertex mapping converts). */
export const EXECUTION_STATES = ['NEW', 'RUNNING', 'COMPLETE', 'FAILED', 'CACHED', 'CANCELED'] as const;
export const ExecutionStateSchema = z.enum(EXECUTION_STATES);
export type ExecutionState = z.infer<typeof ExecutionStateSchema>;

export const ExecutionSchema = z.object({
  id: IdSchema,
  name: z.string().optional(),
  type: TypeNameSchema,
  state: ExecutionStateSchema,
  metadata: JsonObjectSchema,
  createTime: TimestampSchema,
  updateTime: TimestampSchema,
});
export type Execution = z.infer<typeof ExecutionSchema>;

export const NewExecutionSchema = z.strictObject({
  name: z.string().optional(),
  type: TypeNameSchema,
  state: ExecutionStateSchema.default('NEW'),
  metadata: JsonObjectSchema.default({}),
});
export type NewExecution = z.input<typeof NewExecutionSchema>;

/** `metadata` is merged into the stored one key by key (top level). */
export const ExecutionUpdateSchema = z.strictObject({
  name: z.string().optional(),
  state: ExecutionStateSchema.optional(),
  metadata: JsonObjectSchema.optional(),
});
export type ExecutionUpdate = z.input<typeof ExecutionUpdateSchema>;

/**
 * Execution metadata keys this package reads (the runner writes them). KFP's driver keeps the same
 * facts as custom properties (`cache_fingerprint`, `cached_execution_id`, `outputs`).
 */
export const EXECUTION_KEYS = {
  /** The task's cache fingerprint (string); indexed for the cache lookup. */
  cacheKey: 'cache_key',
  /** On a CACHED execution: id of the COMPLETE execution whose outputs it reused. */
  cachedExecutionId: 'cached_execution_id',
  /** Output parameter values (JSON object, name -> value). */
  outputParameters: 'output_parameters',
  /** Resolved input parameter values (JSON object, name -> value). */
  inputParameters: 'input_parameters',
} as const;

// ---- Context ----

export const ContextSchema = z.object({
  id: IdSchema,
  /** Unique per type (MLMD semantics); Vertex keeps it as `displayName`. */
  name: z.string().min(1),
  type: TypeNameSchema,
  metadata: JsonObjectSchema,
  parentContextIds: z.array(IdSchema),
  createTime: TimestampSchema,
  updateTime: TimestampSchema,
});
export type Context = z.infer<typeof ContextSchema>;

export const NewContextSchema = z.strictObject({
  name: z.string().min(1, 'must be a non-empty context name'),
  type: TypeNameSchema,
  metadata: JsonObjectSchema.default({}),
});
export type NewContext = z.input<typeof NewContextSchema>;

/** `metadata` is merged into the stored one key by key (top level). */
export const ContextUpdateSchema = z.strictObject({ metadata: JsonObjectSchema.optional() });
export type ContextUpdate = z.input<typeof ContextUpdateSchema>;

/** Vertex caps parents per context at 10; kept here so both backends accept the same graphs. */
export const MAX_PARENT_CONTEXTS = 10;

// ---- Event ----

export const EventTypeSchema = z.enum(['INPUT', 'OUTPUT']);
export type EventType = z.infer<typeof EventTypeSchema>;

export const EventSchema = z.object({
  artifactId: IdSchema,
  executionId: IdSchema,
  type: EventTypeSchema,
  /** Input/output key of the task (`model`, `dataset`); MLMD's first path step. */
  path: z.string().min(1),
  /** Position within a list input/output; MLMD's second path step. */
  index: z.int().nonnegative().optional(),
  time: TimestampSchema,
});
export type Event = z.infer<typeof EventSchema>;

export const NewEventSchema = z.strictObject({
  artifactId: IdSchema,
  type: EventTypeSchema,
  path: z.string().min(1, 'must be a non-empty input/output key'),
  index: z.int().nonnegative().optional(),
});
export type NewEvent = z.input<typeof NewEventSchema>;

/** Vertex's LineageSubgraph: nodes and the events (edges) between them. */
export interface LineageSubgraph {
  artifacts: Artifact[];
  executions: Execution[];
  events: Event[];
}

// ---- Filters ----

/**
 * Equality on top-level metadata keys. Scalars only: they are what Vertex filters on
 * (`metadata.<key>.string_value|number_value|bool_value`). Keys may not contain `"`.
 */
export const MetadataMatchSchema = z.record(
  z.string().min(1).regex(/^[^"\\]+$/, 'metadata keys in filters may not contain " or \\'),
  z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, a finite number or a boolean' }),
);
export type MetadataMatch = z.infer<typeof MetadataMatchSchema>;

function oneOrMany<T extends z.ZodEnum>(values: T, options: readonly string[]) {
  return z.union([values, z.array(values).min(1)], { error: `expected one of ${options.join('|')} or a non-empty list of them` });
}

export const ArtifactFilterSchema = z.strictObject({
  type: TypeNameSchema.optional(),
  name: z.string().optional(),
  uri: z.string().optional(),
  state: oneOrMany(ArtifactStateSchema, ARTIFACT_STATES).optional(),
  /** Attributed to this context (directly). */
  contextId: IdSchema.optional(),
  metadata: MetadataMatchSchema.optional(),
  /** Created strictly after this time. */
  createdAfter: TimestampSchema.optional(),
});
export type ArtifactFilter = z.input<typeof ArtifactFilterSchema>;

export const ExecutionFilterSchema = z.strictObject({
  type: TypeNameSchema.optional(),
  name: z.string().optional(),
  state: oneOrMany(ExecutionStateSchema, EXECUTION_STATES).optional(),
  /** Associated with this context (directly). */
  contextId: IdSchema.optional(),
  metadata: MetadataMatchSchema.optional(),
  createdAfter: TimestampSchema.optional(),
});
export type ExecutionFilter = z.input<typeof ExecutionFilterSchema>;

export const ContextFilterSchema = z.strictObject({
  type: TypeNameSchema.optional(),
  name: z.string().optional(),
  /** Direct children of this context. */
  parentContextId: IdSchema.optional(),
  metadata: MetadataMatchSchema.optional(),
  createdAfter: TimestampSchema.optional(),
});
export type ContextFilter = z.input<typeof ContextFilterSchema>;

export const OrderBySchema = z.enum(['createTime asc', 'createTime desc']);
export type OrderBy = z.infer<typeof OrderBySchema>;

function listQuerySchema<F extends z.ZodType>(filter: F) {
  return z.strictObject({
    filter: filter.optional(),
    /** Default `createTime asc`; ties are broken by insertion order. */
    orderBy: OrderBySchema.optional(),
    limit: z.int().positive().optional(),
  });
}
export const ArtifactQuerySchema = listQuerySchema(ArtifactFilterSchema);
export const ExecutionQuerySchema = listQuerySchema(ExecutionFilterSchema);
export const ContextQuerySchema = listQuerySchema(ContextFilterSchema);

/** A list request: filter, order and page limit, as Vertex's List* requests have them. */
export interface ListQuery<F> {
  filter?: F;
  orderBy?: OrderBy;
  limit?: number;
}

export const LineageQuerySchema = z.strictObject({
  /** Event edges to follow from the artifact (artifact->execution is one hop); default: no limit. */
  maxHops: z.int().nonnegative().optional(),
  /**
   * `upstream`: what produced it, from what; `downstream`: what consumed it, and what that produced;
   * `both` (default): the union of the two (not an undirected walk, so no sibling outputs).
   */
  direction: z.enum(['upstream', 'downstream', 'both']).optional(),
});
export type LineageQuery = z.input<typeof LineageQuerySchema>;
