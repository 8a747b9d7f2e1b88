// BigQuery table names (`project.dataset.table`), validated before they reach any SQL: a name that passes here
// is safe to quote, and one that does not is refused with the field and the value, never interpolated.
export interface TableRef {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
}

export class InvalidTableRefError extends Error {
  override name = 'InvalidTableRefError';
}

// BigQuery's rules (cloud.google.com/bigquery/docs/tables#table_naming, datasets#dataset-naming, and
// resource-manager project ids): project ids are lowercase letters, digits and hyphens (6-30 chars, with an
// optional `domain.com:` prefix; we accept 1-63 so local names like `p` work), dataset ids letters, digits and
// underscores, table ids letters/marks/numbers/connectors/dashes/spaces up to 1024 characters.
const PROJECT = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z][a-z0-9-]{0,61}[a-z0-9]$|^[a-z]$/;
const DATASET = /^[A-Za-z0-9_]{1,1024}$/;
const TABLE = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd} ]{1,1024}$/u;

function check(kind: string, re: RegExp, value: string, field: string, whole: string): string {
  if (!re.test(value)) {
    throw new InvalidTableRefError(`${field}: invalid ${kind} "${value}" in "${whole}" (BigQuery naming rules: ${
      kind === 'project id' ? 'lowercase letters, digits and hyphens' : kind === 'dataset id' ? 'letters, digits and underscores' : 'letters, digits, underscores, dashes and spaces'})`);
  }
  return value;
}

/** Parses `project.dataset.table`, also written `bq://project.dataset.table` or `` `project.dataset.table` ``. */
export function parseTableRef(input: string, field = 'table', defaultProject?: string): TableRef {
  if (typeof input !== 'string' || input.trim() === '') throw new InvalidTableRefError(`${field}: expected a table name "project.dataset.table" (got ${JSON.stringify(input)})`);
  let s = input.trim();
  if (s.startsWith('bq://')) s = s.slice('bq://'.length);
  if (s.length >= 2 && s.startsWith('`') && s.endsWith('`')) s = s.slice(1, -1);
  const parts = s.split('.');
  // A project id may itself contain dots only in its `domain.com:` prefix.
  const colon = s.indexOf(':');
  let project: string | undefined;
  let rest: string[];
  if (colon >= 0) {
    const after = s.slice(colon + 1).split('.');
    project = s.slice(0, colon + 1) + after[0];
    rest = after.slice(1);
  } else if (parts.length === 3) {
    project = parts[0];
    rest = parts.slice(1);
  } else if (parts.length === 2 && defaultProject) {
    project = defaultProject;
    rest = parts;
  } else {
    throw new InvalidTableRefError(`${field}: expected "project.dataset.table" (got "${input}")`);
  }
  if (rest.length !== 2) throw new InvalidTableRefError(`${field}: expected "project.dataset.table" (got "${input}")`);
  return Object.freeze({
    projectId: check('project id', PROJECT, project!, field, input),
    datasetId: check('dataset id', DATASET, rest[0]!, field, input),
    tableId: check('table id', TABLE, rest[1]!, field, input),
  });
}

export function formatTableRef(ref: TableRef): string {
  return `${ref.projectId}.${ref.datasetId}.${ref.tableId}`;
}

/** The URI GCPC gives a `google.BQTable` artifact (`bigquery/v2` REST resource of the table). */
export function bqTableUri(ref: TableRef): string {
  return `https://www.googleapis.com/bigquery/v2/projects/${ref.projectId}/datasets/${ref.datasetId}/tables/${ref.tableId}`;
}

/** The metadata GCPC writes on a `google.BQTable` artifact. */
export function bqTableMetadata(ref: TableRef): { projectId: string; datasetId: string; tableId: string } {
  return { projectId: ref.projectId, datasetId: ref.datasetId, tableId: ref.tableId };
}

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;

/** BigQuery column names: a letter or underscore, then letters, digits, underscores (max 300). */
export function checkColumnName(name: string, field = 'column'): string {
  if (typeof name !== 'string' || !COLUMN.test(name)) {
    throw new InvalidTableRefError(`${field}: invalid column name ${JSON.stringify(name)} (letters, digits and underscores, not starting with a digit)`);
  }
  return name;
}
