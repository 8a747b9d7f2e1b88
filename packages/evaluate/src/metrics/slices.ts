// Metrics per slice: the rows grouped by the value of a column (e.g. payment_type), each group evaluated alone,
// as TFMA's slicing specs do. Values are the raw ones (from the exported test rows) or vocabulary tokens.
import { binaryMetrics, type BinaryMetrics } from './binary.ts';

export type SliceValue = string | number | boolean | null;

export interface SliceMetrics extends BinaryMetrics {
  column: string;
  value: SliceValue;
}

/** One entry per distinct value of `values` (row-aligned with labels and scores), most rows first. */
export function sliceMetrics(column: string, values: readonly SliceValue[], labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): SliceMetrics[] {
  if (values.length !== labels.length) throw new RangeError(`slice ${column}: ${values.length} values for ${labels.length} rows`);
  const groups = new Map<string, { value: SliceValue; rows: number[] }>();
  values.forEach((value, i) => {
    const key = JSON.stringify(value);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { value, rows: [] }));
    g.rows.push(i);
  });
  return [...groups.values()]
    .sort((a, b) => b.rows.length - a.rows.length || JSON.stringify(a.value).localeCompare(JSON.stringify(b.value)))
    .map(({ value, rows }) => ({
      column,
      value,
      ...binaryMetrics(rows.map((i) => labels[i]!), rows.map((i) => scores[i]!), threshold),
    }));
}

/** The name of a slice in flat metric keys and reports, as TFMA writes slice keys: `payment_type:Cash`. */
export function sliceName(s: { column: string; value: SliceValue }): string {
  return `${s.column}:${s.value === null ? 'null' : String(s.value)}`;
}
