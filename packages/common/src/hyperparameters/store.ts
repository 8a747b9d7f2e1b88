// Hyperparameters in ML Metadata: tuning records the best set it found for a model family as a
// `formalize.Hyperparameters` artifact; training reads the newest one for its family, else the defaults.
// Written against the MetadataStore interface only, so it works on the embedded store and on Vertex.
import { z } from 'zod';
import { parseField } from '../executor/errors.ts';
import type { MetadataStore } from '../metadata/store.ts';
import type { Artifact, JsonObject } from '../metadata/types.ts';
import { JsonObjectSchema } from '../metadata/types.ts';
import type { Hyperparameters } from './schema.ts';
import { DEFAULT_HYPERPARAMETERS, applyOverrides, hyperparametersSchema } from './schema.ts';

/** MLMD artifact type (Vertex schemaTitle) of a tuned hyperparameter set. */
export const HYPERPARAMETERS_TYPE = 'formalize.Hyperparameters';

const family = z.string().min(1).max(128);

export const tunedHyperparametersRecordSchema = z.strictObject({
  /** The model family the set was tuned for (the model artifact's `model_family`). */
  family,
  hyperparameters: hyperparametersSchema,
  /** URI of the dataset statistics the set was tuned on: retuning compares new statistics against them. */
  statisticsUri: z.string().min(1),
  /** The study: its name or resource, or an object describing it (algorithm, trials, ...). */
  study: z.union([z.string().min(1), JsonObjectSchema]),
  /** The model's `initialization` hash the trials started from: a change calls for fine-tuning. */
  initialization: z.string().min(1).optional(),
  /** The best trial's objective. */
  objective: z.strictObject({ metric: z.string().min(1), value: z.number() }).optional(),
  /** Where the study's outputs live, if anywhere (the artifact URI); default empty. */
  uri: z.string().optional(),
});
export type TunedHyperparametersRecord = z.input<typeof tunedHyperparametersRecordSchema>;

/** A tuned set as read back from the store. */
export interface TunedHyperparameters {
  /** The MLMD artifact id. */
  id: string;
  family: string;
  hyperparameters: Hyperparameters;
  statisticsUri: string;
  study: string | JsonObject;
  initialization?: string;
  objective?: { metric: string; value: number };
  createTime: string;
}

/** Records a tuned set for `family`; it becomes the one `latestTunedHyperparameters` returns. */
export async function recordTunedHyperparameters(store: MetadataStore, record: TunedHyperparametersRecord): Promise<TunedHyperparameters> {
  const r = parseField(tunedHyperparametersRecordSchema, record, 'recordTunedHyperparameters');
  const metadata: JsonObject = {
    model_family: r.family,
    hyperparameters: r.hyperparameters as unknown as JsonObject,
    statistics: r.statisticsUri,
    study: r.study,
    ...(r.initialization !== undefined && { initialization: r.initialization }),
    ...(r.objective !== undefined && { objective: r.objective }),
  };
  const artifact = await store.createArtifact({ type: HYPERPARAMETERS_TYPE, name: `${r.family}-hyperparameters`, uri: r.uri ?? '', metadata });
  return fromArtifact(artifact);
}

/** The newest LIVE tuned set of `family`, or undefined when it was never tuned. */
export async function latestTunedHyperparameters(store: MetadataStore, modelFamily: string): Promise<TunedHyperparameters | undefined> {
  const f = parseField(family, modelFamily, 'latestTunedHyperparameters.family');
  const [artifact] = await store.listArtifacts({
    filter: { type: HYPERPARAMETERS_TYPE, state: 'LIVE', metadata: { model_family: f } },
    orderBy: 'createTime desc',
    limit: 1,
  });
  return artifact && fromArtifact(artifact);
}

const storedSchema = z.object({
  model_family: family,
  hyperparameters: hyperparametersSchema,
  statistics: z.string(),
  study: z.union([z.string(), JsonObjectSchema]),
  initialization: z.string().optional(),
  objective: z.object({ metric: z.string(), value: z.number() }).optional(),
});

function fromArtifact(a: Artifact): TunedHyperparameters {
  // A malformed stored set fails (naming the artifact to fix) rather than silently falling back to defaults.
  const m = parseField(storedSchema, a.metadata, `${HYPERPARAMETERS_TYPE} artifact ${a.id} metadata`);
  return {
    id: a.id,
    family: m.model_family,
    hyperparameters: m.hyperparameters,
    statisticsUri: m.statistics,
    study: m.study,
    ...(m.initialization !== undefined && { initialization: m.initialization }),
    ...(m.objective !== undefined && { objective: m.objective }),
    createTime: a.createTime,
  };
}

export type HyperparameterSource = 'tuned' | 'default';

export interface ResolvedHyperparameters {
  hyperparameters: Hyperparameters;
  /** Where the base set came from; `overridden` lists the fields explicit values replaced. */
  source: HyperparameterSource;
  overridden: string[];
  /** The tuned set used as the base, when there was one. */
  tuned?: TunedHyperparameters;
}

/**
 * The set a training run uses: the newest tuned set of `family` in `store` (when a store is given and has
 * one), else DEFAULT_HYPERPARAMETERS, then `overrides` on top.
 */
export async function resolveHyperparameters(opts: { store?: MetadataStore | undefined; family: string; overrides?: unknown }): Promise<ResolvedHyperparameters> {
  const tuned = opts.store ? await latestTunedHyperparameters(opts.store, opts.family) : undefined;
  const base = tuned?.hyperparameters ?? structuredClone(DEFAULT_HYPERPARAMETERS) as Hyperparameters;
  const { hyperparameters, overridden } = applyOverrides(base, opts.overrides ?? {});
  return { hyperparameters, source: tuned ? 'tuned' : 'default', overridden, ...(tuned && { tuned }) };
}
