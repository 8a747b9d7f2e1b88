// Inputs -> a checked plan: the table exists, every listed column is in it with a type its operation accepts,
// no column is listed twice, the split key is well defined. Every problem is reported at once, naming the input
// field and the value, before any data is read.
import { ContractError, describeValue } from '@formalize/common';
import type { ReadonlyJsonObject } from '@formalize/common';
import type { KeyColumnType, SplitDefinition } from '@formalize/common/transform';
import { KEY_COLUMN_TYPES, makeSplitDefinition } from '@formalize/common/transform';
import type { ColumnType, TableInfo, TableRef, Warehouse } from '@formalize/common/warehouse';
import { InvalidTableRefError, formatTableRef, parseTableRef } from '@formalize/common/warehouse';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
}

export interface PreprocessPlan {
  readonly table: TableRef;
  readonly tableName: string;
  readonly numeric: readonly Column[];
  readonly categorical: readonly Column[];
  readonly label: Column;
  readonly split: SplitDefinition;
  readonly embeddingThreshold: number;
  readonly rowsPerShard: number;
}

export interface PlanInputs {
  readonly bq_table?: string | undefined;
  readonly table?: { readonly metadata: ReadonlyJsonObject } | undefined;
  readonly numeric_features: readonly string[];
  readonly categorical_features: readonly string[];
  readonly label_column: string;
  readonly split_key_columns: readonly string[];
  readonly split_percentages: readonly number[];
  readonly embedding_threshold: number;
  readonly rows_per_shard: number;
}

const P = 'inputs.parameterValues';
const NUMERIC_TYPES: readonly ColumnType[] = ['INT64', 'FLOAT64'];
const CATEGORICAL_TYPES: readonly ColumnType[] = ['INT64', 'STRING'];
const LABEL_TYPES: readonly ColumnType[] = ['INT64', 'FLOAT64', 'BOOL', 'STRING'];

/** The feature table named by `bq_table` or the `table` artifact (exactly one of them). */
export function resolveTableRef(inputs: Pick<PlanInputs, 'bq_table' | 'table'>): TableRef {
  if (inputs.bq_table !== undefined && inputs.table !== undefined) {
    throw new ContractError([`${P}.bq_table: give either bq_table or the table artifact, not both, received ${describeValue(inputs.bq_table)}`]);
  }
  if (inputs.table !== undefined) {
    const { projectId, datasetId, tableId } = inputs.table.metadata;
    if (typeof projectId !== 'string' || typeof datasetId !== 'string' || typeof tableId !== 'string') {
      throw new ContractError([`inputs.artifacts.table.metadata: expected projectId, datasetId and tableId strings, received ${describeValue(inputs.table.metadata)}`]);
    }
    return parseRef(`${projectId}.${datasetId}.${tableId}`, 'inputs.artifacts.table.metadata');
  }
  if (inputs.bq_table === undefined) throw new ContractError([`${P}.bq_table: expected a table "project.dataset.table" or the table artifact, received nothing`]);
  return parseRef(inputs.bq_table, `${P}.bq_table`);
}

function parseRef(name: string, field: string): TableRef {
  try {
    return parseTableRef(name, field);
  } catch (err) {
    if (err instanceof InvalidTableRefError) throw new ContractError([err.message]);
    throw err;
  }
}

/** Checks the inputs against the table's columns (and reads a sample value to show in a type error). */
export async function makePlan(wh: Warehouse, info: TableInfo, inputs: PlanInputs): Promise<PreprocessPlan> {
  const tableName = formatTableRef(info.ref);
  const byName = new Map(info.columns.map((c) => [c.name, c]));
  const columnList = info.columns.map((c) => c.name).join(', ');
  const problems: string[] = [];
  const listedAs = new Map<string, string>();
  // A STRING column listed as numeric usually means the feature SQL forgot a cast: its problem shows a value.
  const wantSample: { problem: number; column: string }[] = [];

  const lookup = (field: string, name: string, accepted: readonly ColumnType[], role: string): Column | undefined => {
    const first = listedAs.get(name);
    if (first !== undefined) {
      problems.push(`${field}: already listed as ${first}, received ${describeValue(name)}`);
      return undefined;
    }
    listedAs.set(name, field.slice(P.length + 1));
    const col = byName.get(name);
    if (!col) {
      problems.push(`${field}: no such column in ${tableName} (columns: ${columnList}), received ${describeValue(name)}`);
      return undefined;
    }
    if (!accepted.includes(col.type)) {
      if (accepted === NUMERIC_TYPES && col.type === 'STRING') wantSample.push({ problem: problems.length, column: name });
      problems.push(`${field}: column ${name} is ${col.type} in ${tableName}, expected ${accepted.join(' or ')} for ${role}, received ${describeValue(name)}`);
      return undefined;
    }
    return { name, type: col.type };
  };

  const label = lookup(`${P}.label_column`, inputs.label_column, LABEL_TYPES, 'the label');
  const numeric = inputs.numeric_features.map((n, i) => lookup(`${P}.numeric_features[${i}]`, n, NUMERIC_TYPES, 'a numeric feature'));
  const categorical = inputs.categorical_features.map((n, i) => lookup(`${P}.categorical_features[${i}]`, n, CATEGORICAL_TYPES, 'a categorical feature'));
  if (inputs.numeric_features.length + inputs.categorical_features.length === 0) {
    problems.push(`${P}.numeric_features: expected at least one numeric or categorical feature, received []`);
  }
  for (const { problem, column } of wantSample) problems[problem] += ` (sample value ${describeValue(await sampleValue(wh, info.ref, column))})`;

  const keyNames = inputs.split_key_columns.length > 0 ? inputs.split_key_columns
    : [...inputs.numeric_features, ...inputs.categorical_features, inputs.label_column].sort(byBytes);
  const keyColumns: { name: string; type: KeyColumnType }[] = [];
  for (const [i, name] of keyNames.entries()) {
    const field = inputs.split_key_columns.length > 0 ? `${P}.split_key_columns[${i}]` : `${P}.split_key_columns`;
    const col = byName.get(name);
    if (inputs.split_key_columns.indexOf(name) !== i && inputs.split_key_columns.length > 0) problems.push(`${field}: listed twice, received ${describeValue(name)}`);
    else if (!col) {
      if (inputs.split_key_columns.length > 0) problems.push(`${field}: no such column in ${tableName} (columns: ${columnList}), received ${describeValue(name)}`);
    } else if (!(KEY_COLUMN_TYPES as readonly string[]).includes(col.type)) {
      problems.push(`${field}: column ${name} is ${col.type}, expected ${KEY_COLUMN_TYPES.join(', ')} for a split key, received ${describeValue(name)}`);
    } else keyColumns.push({ name, type: col.type as KeyColumnType });
  }
  if (problems.length) throw new ContractError(problems);
  const [train, val, test] = inputs.split_percentages as [number, number, number];
  return {
    table: info.ref,
    tableName,
    numeric: numeric as Column[],
    categorical: categorical as Column[],
    label: label!,
    split: makeSplitDefinition(keyColumns, [train, val, test]),
    embeddingThreshold: inputs.embedding_threshold,
    rowsPerShard: inputs.rows_per_shard,
  };
}

function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** The least value of `column` that does not read as a number (else the least non-NULL value). */
async function sampleValue(wh: Warehouse, ref: TableRef, column: string): Promise<unknown> {
  const d = wh.dialect;
  const c = d.ident(column);
  const notNumber = d.name === 'duckdb' ? `TRY_CAST(${c} AS DOUBLE) IS NULL` : `SAFE_CAST(${c} AS FLOAT64) IS NULL`;
  const [row] = await wh.query(`SELECT ${c} AS v FROM ${d.table(ref)} WHERE ${c} IS NOT NULL ORDER BY ${notNumber} DESC, ${c} LIMIT 1`);
  return row?.['v'] ?? null;
}
