// The transform artifact: everything `applyTransform` needs (per-feature operations and their constants,
// analysed on the train split) plus how the data was split, as one JSON document. Written by
// dataflow-preprocess, read by training and serving; this schema is the contract between them.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ContractError, zodProblems } from '../executor/errors.ts';
import { splitDefinitionSchema } from './split.ts';

export const TRANSFORM_FORMAT = 'formalize.transform';
export const TRANSFORM_VERSION = 1;

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;
const column = z.string().regex(COLUMN, 'expected a column name (letters, digits, underscores)');

/** tft.scale_to_z_score: (x - mean) / std, with the population std of the train split. */
const zScoreFeature = z.object({
  name: column,
  op: z.literal('z_score'),
  group: z.literal('numeric'),
  type: z.enum(['INT64', 'FLOAT64']),
  mean: z.number(),
  std: z.number().nonnegative(),
  /** Non-NULL train values the constants were computed from. */
  count: z.int().positive(),
});

/** tft.compute_and_apply_vocabulary(num_oov_buckets=1): index in the vocabulary, `vocabulary.length` when absent. */
const vocabularyFeature = z.object({
  name: column,
  op: z.literal('vocabulary'),
  /** `embedding` when the vocabulary has more than `groups.embeddingThreshold` entries. */
  group: z.enum(['categorical', 'embedding']),
  type: z.enum(['INT64', 'STRING']),
  /** Most frequent first; equal counts: the larger byte string first. INT64 values in decimal form. */
  vocabulary: z.array(z.string()),
  numOovBuckets: z.literal(1),
});

export const transformFeatureSchema = z.discriminatedUnion('op', [zScoreFeature, vocabularyFeature]);
export const LABEL_TYPES = ['INT64', 'FLOAT64', 'BOOL', 'STRING'] as const;

export const transformArtifactSchema = z.object({
  format: z.literal(TRANSFORM_FORMAT),
  version: z.literal(TRANSFORM_VERSION),
  /** The table analysed (`project.dataset.table`). */
  source: z.string(),
  label: z.object({ name: column, type: z.enum(LABEL_TYPES) }),
  /** In output column order; the label follows them. */
  features: z.array(transformFeatureSchema).min(1),
  groups: z.object({
    numeric: z.array(column),
    categorical: z.array(column),
    embedding: z.array(column),
    vocabularySizes: z.record(column, z.int().nonnegative()),
    embeddingThreshold: z.int().nonnegative(),
  }),
  split: splitDefinitionSchema,
  analysis: z.object({
    split: z.literal('train'),
    rows: z.object({ train: z.int().positive(), val: z.int().positive(), test: z.int().positive() }),
  }),
}).superRefine((a, ctx) => {
  const issue = (path: (string | number)[], message: string, input: unknown) => ctx.addIssue({ code: 'custom', path, message, input });
  const names = a.features.map((f) => f.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) issue(['features', i, 'name'], 'duplicate feature', n);
  });
  if (names.includes(a.label.name)) issue(['label', 'name'], 'the label is also a feature', a.label.name);
  // The groups restate the features (consumers read them without walking the operations): they must agree.
  for (const group of ['numeric', 'categorical', 'embedding'] as const) {
    const want = a.features.filter((f) => f.group === group).map((f) => f.name);
    if (JSON.stringify(a.groups[group]) !== JSON.stringify(want)) issue(['groups', group], `expected the ${group} features in feature order ${JSON.stringify(want)}`, a.groups[group]);
  }
  a.features.forEach((f, i) => {
    if (f.op !== 'vocabulary') return;
    if (a.groups.vocabularySizes[f.name] !== f.vocabulary.length) issue(['groups', 'vocabularySizes', f.name], `expected ${f.vocabulary.length} (the vocabulary's length)`, a.groups.vocabularySizes[f.name]);
    const embedding = f.vocabulary.length > a.groups.embeddingThreshold;
    if ((f.group === 'embedding') !== embedding) issue(['features', i, 'group'], `expected ${embedding ? 'embedding' : 'categorical'} for a vocabulary of ${f.vocabulary.length} (threshold ${a.groups.embeddingThreshold})`, f.group);
    const seen = new Set<string>();
    f.vocabulary.forEach((t, j) => {
      if (seen.has(t)) issue(['features', i, 'vocabulary', j], 'duplicate vocabulary entry', t);
      seen.add(t);
    });
  });
  const sized = Object.keys(a.groups.vocabularySizes).filter((n) => !a.features.some((f) => f.op === 'vocabulary' && f.name === n));
  if (sized.length) issue(['groups', 'vocabularySizes'], `sizes of features without a vocabulary: ${sized.join(', ')}`, a.groups.vocabularySizes);
});

export type TransformArtifact = z.output<typeof transformArtifactSchema>;
export type TransformFeature = z.output<typeof transformFeatureSchema>;

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Validates a transform artifact (parsed JSON); `source` names it in errors. The result is deeply frozen. */
export function parseTransformArtifact(value: unknown, source = 'transform artifact'): TransformArtifact {
  const r = transformArtifactSchema.safeParse(value, { reportInput: true });
  if (!r.success) throw new ContractError(zodProblems('', r.error, value).map((p) => `${source}: ${p}`));
  return deepFreeze(r.data);
}

/** Reads and validates the transform artifact JSON at `path`. */
export async function readTransformArtifact(path: string): Promise<TransformArtifact> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ContractError([`${path}: cannot read the transform artifact (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ContractError([`${path}: the transform artifact is not JSON (${(err as Error).message})`]);
  }
  return parseTransformArtifact(json, path);
}
