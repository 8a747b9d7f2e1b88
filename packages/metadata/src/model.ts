// The ML Metadata model (MLMD / Vertex AI ML Metadata): artifacts, executions, contexts and the events,
// attributions and associations between them. zod schemas are the source of truth for the shapes.
import { z } from 'zod';

export const JsonObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = Record<string, unknown>;

export const ArtifactState = z.enum(['PENDING', 'LIVE', 'MARKED_FOR_DELETION', 'DELETED']);
export const ExecutionState = z.enum(['NEW', 'RUNNING', 'COMPLETE', 'FAILED', 'CACHED', 'CANCELED']);
export const EventType = z.enum(['INPUT', 'OUTPUT']);

export const NewArtifactSchema = z.object({
  name: z.string().optional(),
  /** Schema title, e.g. `system.Model`. */
  type: z.string().min(1),
  uri: z.string(),
  state: ArtifactState.default('LIVE'),
  /** Vertex `metadata`, MLMD `custom_properties`. */
  metadata: JsonObjectSchema.default({}),
});
export const NewExecutionSchema = z.object({
  name: z.string().optional(),
  type: z.string().min(1),
  state: ExecutionState.default('NEW'),
  metadata: JsonObjectSchema.default({}),
});
export const NewContextSchema = z.object({
  name: z.string().min(1),
  type: z.string().min(1),
  metadata: JsonObjectSchema.default({}),
});
export const NewEventSchema = z.object({ artifactId: z.string(), type: EventType, path: z.string() });

export type NewArtifact = z.input<typeof NewArtifactSchema>;
export type NewExecution = z.input<typeof NewExecutionSchema>;
export type NewContext = z.input<typeof NewContextSchema>;
export type NewEvent = z.input<typeof NewEventSchema>;

interface Stamped { id: string; createTime: string; updateTime: string }
export type Artifact = z.output<typeof NewArtifactSchema> & Stamped;
export type Execution = z.output<typeof NewExecutionSchema> & Stamped;
export type Context = z.output<typeof NewContextSchema> & Stamped;
export interface Event { artifactId: string; executionId: string; type: z.output<typeof EventType>; path: string; time: string }

/** Typed stand-in for Vertex's filter strings (see `toVertexFilter`). */
export const FilterSchema = z.object({
  type: z.string().optional(),
  state: z.string().optional(),
  uri: z.string().optional(),
  name: z.string().optional(),
  contextId: z.string().optional(),
  /** Equality on top-level metadata keys. */
  metadata: JsonObjectSchema.optional(),
}).strict();
export type Filter = z.input<typeof FilterSchema>;

export const ListOptionsSchema = z.object({
  filter: FilterSchema.default({}),
  orderBy: z.enum(['createTime desc', 'createTime asc']).default('createTime asc'),
  limit: z.int().positive().optional(),
}).strict();
export type ListOptions = z.input<typeof ListOptionsSchema>;

export interface LineageSubgraph { artifacts: Artifact[]; executions: Execution[]; events: Event[] }
