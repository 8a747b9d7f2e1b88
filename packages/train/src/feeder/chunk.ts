// Decoded rows, column by column: what a shard read produces, what the shuffle pools hold and what a batch is.
// Typed arrays throughout, so a batch becomes tensors without touching a row object.
import type { FeederSpec } from './spec.ts';

export type Column = Float32Array | Int32Array;

/** A run of decoded rows. `columns` follow `spec.features`; `strata` is each row's stratum value. */
export interface ColumnChunk {
  readonly rows: number;
  readonly columns: readonly Column[];
  readonly labels: Float32Array;
  readonly strata: Int32Array;
}

/** Rows [start, end) of a chunk, as views (no copy). */
export function sliceChunk(c: ColumnChunk, start: number, end: number): ColumnChunk {
  return {
    rows: end - start,
    columns: c.columns.map((col) => col.subarray(start, end)),
    labels: c.labels.subarray(start, end),
    strata: c.strata.subarray(start, end),
  };
}

export function allocColumns(spec: FeederSpec, n: number): Column[] {
  return spec.features.map((f) => (f.dtype === 'float32' ? new Float32Array(n) : new Int32Array(n)));
}

/**
 * Rows of one stratum waiting to be drawn. Growable columns; taking a row swaps the last one into its
 * place, so a draw is O(columns).
 */
export class RowPool {
  size = 0;
  private cols: Column[];
  private labels: Float32Array;
  private strata: Int32Array;

  constructor(spec: FeederSpec, capacity = 256) {
    this.cols = allocColumns(spec, capacity);
    this.labels = new Float32Array(capacity);
    this.strata = new Int32Array(capacity);
  }

  private grow(): void {
    const cap = this.labels.length * 2;
    this.cols = this.cols.map((c) => {
      const next = c instanceof Float32Array ? new Float32Array(cap) : new Int32Array(cap);
      next.set(c);
      return next;
    });
    const labels = new Float32Array(cap);
    labels.set(this.labels);
    this.labels = labels;
    const strata = new Int32Array(cap);
    strata.set(this.strata);
    this.strata = strata;
  }

  /** Appends row `r` of `c`. */
  push(c: ColumnChunk, r: number): void {
    if (this.size === this.labels.length) this.grow();
    this.write(this.size++, c, r);
  }

  /** Overwrites row `i` with row `r` of `c` (eviction from a full pool). */
  replace(i: number, c: ColumnChunk, r: number): void {
    this.write(i, c, r);
  }

  private write(i: number, c: ColumnChunk, r: number): void {
    for (let k = 0; k < this.cols.length; k++) this.cols[k]![i] = c.columns[k]![r]!;
    this.labels[i] = c.labels[r]!;
    this.strata[i] = c.strata[r]!;
  }

  /** Moves row `i` into row `j` of `out`, then fills the hole with the last row. */
  take(i: number, out: BatchColumns, j: number): void {
    const last = --this.size;
    for (let k = 0; k < this.cols.length; k++) {
      const col = this.cols[k]!;
      out.columns[k]![j] = col[i]!;
      col[i] = col[last]!;
    }
    out.labels[j] = this.labels[i]!;
    out.strata[j] = this.strata[i]!;
    this.labels[i] = this.labels[last]!;
    this.strata[i] = this.strata[last]!;
  }
}

export interface BatchColumns {
  columns: Column[];
  labels: Float32Array;
  strata: Int32Array;
}

export function allocBatch(spec: FeederSpec, n: number): BatchColumns {
  return { columns: allocColumns(spec, n), labels: new Float32Array(n), strata: new Int32Array(n) };
}
