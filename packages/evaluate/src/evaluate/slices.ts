// Where a slice column's values come from: the raw test rows when they have the column (the value a person
// reads, e.g. "Credit Card"), else the vocabulary token behind a transformed column's index.
import { ContractError, describeValue } from '@formalize/common';
import type { TransformArtifact, TransformedRow } from '@formalize/common/transform';
import type { SliceValue } from '../metrics/slices.ts';

function scalar(v: unknown): SliceValue {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
}

export function sliceValues(column: string, index: number, rows: readonly TransformedRow[], raw: readonly Record<string, unknown>[] | undefined, transform: TransformArtifact): SliceValue[] {
  if (raw && raw.every((r) => column in r)) return raw.map((r) => scalar(r[column]));
  const feature = transform.features.find((f) => f.name === column);
  if (feature?.op === 'vocabulary') {
    // The out-of-vocabulary index (vocabulary length) stands for values unseen in training and for NULL alike.
    return rows.map((r) => feature.vocabulary[Number(r[column])] ?? null);
  }
  const where = raw ? 'the exported test rows' : 'the dataset (it exported no raw test rows)';
  throw new ContractError([`inputs.parameterValues.slice_columns[${index}]: not a column of ${where}, nor a vocabulary feature of the transform, received ${describeValue(column)}`]);
}
