// Rows -> model inputs. Rows are what readTransformedRows yields or applyTransform returns: z-scores as numbers,
// vocabulary indices as integers (bigint when DuckDB could not narrow them), the label when present. Every value
// is checked before any tensor exists, so a bad row throws a message naming the row, the field and the value,
// and leaks nothing.
import { describeValue } from '../executor/errors.ts';
import type { ModelSpec } from './spec.ts';
import type { Tensor, Tf } from './tf.ts';

export type ModelRow = Readonly<Record<string, unknown>>;

export interface EncodedBatch {
  /** One [rows, 1] tensor per model input, by input name: float32 for numeric, int32 for vocabulary indices. */
  xs: Record<string, Tensor>;
  /** [rows, 1] float32 0/1 labels, when the rows carry the label. */
  ys?: Tensor;
  rows: number;
  /** Disposes xs and ys. */
  dispose(): void;
}

export class EncodeError extends Error {
  override name = 'EncodeError';
}

function index(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return undefined;
}

/** A binary label as 0 or 1: 0/1 numbers or bigints, booleans. */
function label(v: unknown): number | undefined {
  if (v === true || v === 1 || v === 1n) return 1;
  if (v === false || v === 0 || v === 0n) return 0;
  return undefined;
}

/** The typed arrays of a batch, checked; no tensor is made. */
export function encodeArrays(spec: ModelSpec, rows: readonly ModelRow[]): { xs: Record<string, Float32Array | Int32Array>; ys?: Float32Array } {
  const n = rows.length;
  const xs: Record<string, Float32Array | Int32Array> = {};
  for (const input of spec.inputs) {
    const { name } = input;
    if (input.kind === 'numeric') {
      const a = new Float32Array(n);
      for (let r = 0; r < n; r++) {
        const v = rows[r]![name];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new EncodeError(`rows[${r}].${name}: expected a finite number (a z-score), received ${describeValue(v)}`);
        a[r] = v;
      }
      xs[name] = a;
    } else {
      const size = input.vocabularySize;
      const a = new Int32Array(n);
      for (let r = 0; r < n; r++) {
        const v = rows[r]![name];
        const i = index(v);
        if (i === undefined || i < 0 || i > size) throw new EncodeError(`rows[${r}].${name}: expected a vocabulary index 0..${size} (${size} = out of vocabulary), received ${describeValue(v)}`);
        a[r] = i;
      }
      xs[name] = a;
    }
  }
  if (n === 0 || !(spec.label in rows[0]!)) {
    const withLabel = rows.findIndex((row) => spec.label in row);
    if (withLabel >= 0) throw new EncodeError(`rows[0].${spec.label}: missing, but rows[${withLabel}] has it (a batch has labels on every row or on none)`);
    return { xs };
  }
  const ys = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const row = rows[r]!;
    if (!(spec.label in row)) throw new EncodeError(`rows[${r}].${spec.label}: missing, but rows[0] has it (a batch has labels on every row or on none)`);
    const y = label(row[spec.label]);
    if (y === undefined) throw new EncodeError(`rows[${r}].${spec.label}: expected a binary label (0, 1, false or true), received ${describeValue(row[spec.label])}`);
    ys[r] = y;
  }
  return { xs, ys };
}

/** Model inputs (and labels) of a batch of rows; the caller disposes them (`dispose()`). */
export function encodeBatch(tf: Tf, spec: ModelSpec, rows: readonly ModelRow[]): EncodedBatch {
  const arrays = encodeArrays(spec, rows);
  const n = rows.length;
  const xs: Record<string, Tensor> = {};
  for (const input of spec.inputs) xs[input.name] = tf.tensor2d(arrays.xs[input.name]!, [n, 1], input.kind === 'numeric' ? 'float32' : 'int32');
  const ys = arrays.ys && tf.tensor2d(arrays.ys, [n, 1], 'float32');
  return { xs, ...(ys && { ys }), rows: n, dispose: () => tf.dispose([...Object.values(xs), ...(ys ? [ys] : [])]) };
}
