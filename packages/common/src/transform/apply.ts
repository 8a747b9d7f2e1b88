// The one transform function. Preprocessing writes its Parquet rows with it, training reads those rows, and
// serving applies it to each request, so a raw row becomes the same numbers everywhere (no training/serving
// skew). Pure: no I/O, no state but a per-artifact cache of lookup tables.
import { describeValue } from '../executor/errors.ts';
import type { TransformArtifact, TransformFeature } from './artifact.ts';

/** A raw row: values as the warehouse returns them or as a JSON serving request carries them. */
export type RawRow = Readonly<Record<string, unknown>>;
/** Features: z-scores (number) and vocabulary indices (integer number); the label as it came in, when present. */
export type TransformedRow = Record<string, number | bigint | string | boolean | null>;

export class TransformInputError extends Error {
  override name = 'TransformInputError';
  readonly field: string;
  constructor(field: string, expectation: string, received: unknown) {
    super(`${field}: ${expectation}, received ${describeValue(received)}`);
    this.field = field;
  }
}

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/** An INT64 value: a safe integer, a bigint, or (for values beyond 2^53, which JSON numbers cannot carry) its decimal string. */
function int64(v: unknown): bigint | number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && DECIMAL.test(v)) {
    const n = BigInt(v);
    return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
  }
  return undefined;
}

/** The vocabulary entry a categorical value is looked up as: the string itself, or an integer's decimal form. */
export function categoryKey(f: TransformFeature, v: unknown): string {
  if (f.type === 'STRING') {
    if (typeof v !== 'string') throw new TransformInputError(f.name, 'expected a string or null', v);
    return v;
  }
  const n = int64(v);
  if (n === undefined) throw new TransformInputError(f.name, 'expected an integer or null (beyond 2^53: a bigint or its decimal string)', v);
  return String(n);
}

type Step = (raw: RawRow) => number;

function zScore(f: Extract<TransformFeature, { op: 'z_score' }>): Step {
  const { name, mean, std, type } = f;
  return (raw) => {
    const v = raw[name];
    if (v === undefined) throw new TransformInputError(name, 'missing (expected a number or null)', v);
    // NULL is imputed with the train mean, i.e. z = 0.
    if (v === null) return 0;
    let x: number;
    if (typeof v === 'number' && Number.isFinite(v) && (type === 'FLOAT64' || Number.isInteger(v))) x = v;
    else if (type === 'INT64' && (typeof v === 'bigint' || (typeof v === 'string' && DECIMAL.test(v)))) x = Number(BigInt(v));
    else throw new TransformInputError(name, type === 'INT64' ? 'expected an integer or null' : 'expected a finite number or null', v);
    // As tft.scale_to_z_score: a constant feature (std 0) is only centred.
    return std > 0 ? (x - mean) / std : x - mean;
  };
}

function vocabulary(f: Extract<TransformFeature, { op: 'vocabulary' }>): Step {
  const { name } = f;
  const index = new Map(f.vocabulary.map((token, i) => [token, i]));
  const oov = f.vocabulary.length;
  return (raw) => {
    const v = raw[name];
    if (v === undefined) throw new TransformInputError(name, `missing (expected ${f.type === 'STRING' ? 'a string' : 'an integer'} or null)`, v);
    if (v === null) return oov;
    return index.get(categoryKey(f, v)) ?? oov;
  };
}

interface Compiled { names: string[]; steps: Step[]; label: string }

function compile(artifact: TransformArtifact): Compiled {
  return {
    names: artifact.features.map((f) => f.name),
    steps: artifact.features.map((f) => (f.op === 'z_score' ? zScore(f) : vocabulary(f))),
    label: artifact.label.name,
  };
}

// Frozen artifacts (as parseTransformArtifact returns them) cannot change, so their lookup tables are built once.
const cache = new WeakMap<TransformArtifact, Compiled>();

/**
 * Transforms one raw row: every feature of the artifact must be present (null for a missing value); other
 * keys are ignored; the label passes through unchanged when the row has it.
 */
export function applyTransform(artifact: TransformArtifact, raw: RawRow): TransformedRow {
  let c = cache.get(artifact);
  if (!c) {
    c = compile(artifact);
    if (Object.isFrozen(artifact)) cache.set(artifact, c);
  }
  const out: TransformedRow = {};
  for (let i = 0; i < c.steps.length; i++) out[c.names[i]!] = c.steps[i]!(raw);
  const label = raw[c.label];
  if (label !== undefined) out[c.label] = label as TransformedRow[string];
  return out;
}

export type TransformedColumnType = 'FLOAT64' | 'INT64' | 'BOOL' | 'STRING';

/** The columns applyTransform produces, in order, with their types (the label last). */
export function transformedColumns(artifact: TransformArtifact): { name: string; type: TransformedColumnType }[] {
  return [
    ...artifact.features.map((f) => ({ name: f.name, type: (f.op === 'z_score' ? 'FLOAT64' : 'INT64') as TransformedColumnType })),
    { name: artifact.label.name, type: artifact.label.type },
  ];
}
