// The seed's dataset metadata from what the pipeline wired in: locations are the URIs of upstream artifacts; feature
// groups come from, in order, the explicit inputs, the transform artifact's metadata (where the embedding split
// happens), the statistics' and the schema's metadata, and finally the table's column types with the seed's rule
// (TFDV FLOAT -> numeric; INT and STRING -> categorical; the label and other types left out).
import type { InputArtifact } from '@formalize/common';
import { fieldError } from '@formalize/common';
import type { ColumnType, TableInfo } from '@formalize/common/warehouse';
import { formatTableRef } from '@formalize/common/warehouse';
import type { DatasetMetadata } from './metadata-contract.ts';

type Group = 'numeric_features' | 'categorical_features' | 'embedding_features';

export interface MetadataInputs {
  label_column: string;
  statistics?: InputArtifact | undefined;
  schema?: InputArtifact | undefined;
  transform?: InputArtifact | undefined;
  transformed_data?: InputArtifact | undefined;
  exported_jsonl?: InputArtifact | undefined;
  numeric_features?: string[] | undefined;
  categorical_features?: string[] | undefined;
  embedding_features?: string[] | undefined;
}

const NUMERIC: ReadonlySet<ColumnType> = new Set(['FLOAT64', 'NUMERIC']);
const CATEGORICAL: ReadonlySet<ColumnType> = new Set(['INT64', 'STRING', 'BOOL']);
const F = (name: string) => `inputs.parameterValues.${name}`;

export function datasetMetadata(i: MetadataInputs, table: TableInfo): DatasetMetadata {
  const columns = new Map(table.columns.map((c) => [c.name, c.type]));
  if (!columns.has(i.label_column)) {
    throw fieldError(F('label_column'), `a column of ${formatTableRef(table.ref)} (${[...columns.keys()].join(', ')})`, i.label_column);
  }
  const features = table.columns.filter((c) => c.name !== i.label_column);
  const fromTypes: Record<Group, string[]> = {
    numeric_features: features.filter((c) => NUMERIC.has(c.type)).map((c) => c.name),
    categorical_features: features.filter((c) => CATEGORICAL.has(c.type)).map((c) => c.name),
    embedding_features: [],
  };
  const upstream: [string, InputArtifact | undefined][] = [['transform', i.transform], ['statistics', i.statistics], ['schema', i.schema]];
  const group = (g: Group): string[] => {
    const given = i[g];
    if (given) return check(given, F(g), g);
    for (const [name, a] of upstream) {
      if (g === 'embedding_features' && name !== 'transform') continue;
      const v = a?.metadata[g];
      if (v === undefined) continue;
      const field = `inputs.artifacts.${name}.metadata.${g}`;
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw fieldError(field, 'a list of column names', v);
      return check(v as string[], field, g);
    }
    return fromTypes[g];
  };
  const check = (names: readonly string[], field: string, g: Group): string[] => {
    names.forEach((n, k) => {
      if (!columns.has(n)) throw fieldError(`${field}[${k}]`, `a column of ${formatTableRef(table.ref)}`, n);
      if (n === i.label_column) throw fieldError(`${field}[${k}]`, `a feature, not the label column`, n);
    });
    if (new Set(names).size !== names.length) throw fieldError(field, `each ${g.replace('_', ' ')} once`, names);
    return [...names];
  };
  const numeric = group('numeric_features');
  const embedding = group('embedding_features');
  // An embedded feature is a categorical one the transform moved out of the categorical group, as the seed does.
  const categorical = group('categorical_features').filter((n) => !embedding.includes(n));
  const overlap = numeric.filter((n) => categorical.includes(n) || embedding.includes(n));
  if (overlap.length) throw fieldError(F('numeric_features'), 'features in one group only', overlap);

  const uri = (a: InputArtifact | undefined) => a?.uri ?? null;
  const fromTransform = (key: string) => {
    const v = i.transform?.metadata[key];
    return typeof v === 'string' ? v : null;
  };
  return {
    label_column: i.label_column,
    statistics: uri(i.statistics),
    schema: uri(i.schema),
    numeric_features: numeric,
    categorical_features: categorical,
    embedding_features: embedding,
    transformed_data_prefix: uri(i.transformed_data) ?? fromTransform('transformed_data_prefix'),
    transform_artifacts_dir: uri(i.transform),
    exported_jsonl_prefix: uri(i.exported_jsonl) ?? fromTransform('exported_jsonl_prefix'),
  };
}
