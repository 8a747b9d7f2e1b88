// bq-extract's work: check the inputs of the chosen mode, build its query, write the rows to the destination
// table atomically, and describe the table as GCPC does (google.BQTable: REST URI + projectId/datasetId/tableId).
import type { RunContext } from '@formalize/common';
import { ContractError, fieldError } from '@formalize/common';
import type { QueryParams, TableInfo, TableRef, Warehouse } from '@formalize/common/warehouse';
import {
  bqTableMetadata, bqTableUri, formatTableRef, InvalidTableRefError, openWarehouse, parseTableRef, PUBLIC_PROJECT, WarehouseError,
} from '@formalize/common/warehouse';
import type { extractInputs, extractOutputs } from '../components.ts';
import type { ExtractDialect } from './dialect.ts';
import { extractDialectFor } from './dialect.ts';
import { FEATURE_FILTERS, FEATURE_SOURCE_COLUMNS, featureQuery, featureYearsQuery } from './feature-query.ts';
import { materialize } from './materialize.ts';
import { plainQuery } from './plain-query.ts';
import { assertSingleSelect, rawQuery } from './raw-query.ts';

type Ctx = RunContext<typeof extractInputs, typeof extractOutputs>;
type Inputs = Ctx['inputs'];
type Mode = Inputs['mode'];

const F = (name: string) => `inputs.parameterValues.${name}`;

/** Inputs each mode reads; any other mode-specific input given is refused rather than silently ignored. */
const MODE_INPUTS: Record<Mode, readonly (keyof Inputs)[]> = {
  features: ['bq_table', 'year', 'limit'],
  columns: ['bq_table', 'columns', 'filters', 'limit'],
  query: ['query'],
};
const REQUIRED: Record<Mode, readonly (keyof Inputs)[]> = { features: ['bq_table', 'year'], columns: ['bq_table'], query: ['query', 'destination'] };

export async function runExtract({ inputs, outputs, log }: Ctx): Promise<{ row_count: number }> {
  const mode = inputs.mode;
  for (const name of new Set(Object.values(MODE_INPUTS).flat())) {
    if (inputs[name] !== undefined && !MODE_INPUTS[mode].includes(name)) throw fieldError(F(name), `not an input of ${mode} mode (it is read in ${modesReading(name)} mode)`, inputs[name]);
  }
  for (const name of REQUIRED[mode]) if (inputs[name] === undefined) throw fieldError(F(name), `required in ${mode} mode`, undefined);

  const source = inputs.bq_table === undefined ? undefined : tableRef(inputs.bq_table, F('bq_table'));
  const dest = destinationOf(inputs, source);

  const wh = await openWarehouse({ writeProjects: [dest.projectId], onWait: (m) => log.info(m) });
  let rows: number;
  const started = Date.now();
  try {
    const d = extractDialectFor(wh.dialect);
    const { query, empty } = await plan(wh, d, inputs, source);
    if (source && formatTableRef(source) === formatTableRef(dest)) {
      throw fieldError(F('destination'), `a table other than the source ${formatTableRef(source)} (give a destination)`, inputs.destination ?? formatTableRef(dest));
    }
    rows = await materialize(wh, d, dest, query, empty);
  } finally {
    await wh.close();
  }
  log.info('extracted', { mode, table: formatTableRef(dest), rows, durationMs: Date.now() - started });
  outputs.destination_table.uri = bqTableUri(dest);
  outputs.destination_table.metadata = bqTableMetadata(dest);
  return { row_count: rows };
}

const modesReading = (name: keyof Inputs) => (Object.keys(MODE_INPUTS) as Mode[]).filter((m) => MODE_INPUTS[m].includes(name)).join(' or ');

function tableRef(value: string, field: string, defaultProject?: string): TableRef {
  try {
    return parseTableRef(value, field, defaultProject);
  } catch (err) {
    if (err instanceof InvalidTableRefError) throw new ContractError([err.message]);
    throw err;
  }
}

function destinationOf(inputs: Inputs, source: TableRef | undefined): TableRef {
  const project = () => {
    if (inputs.project.includes('{{$')) {
      throw fieldError(F('project'), 'a Google Cloud project id (the pipeline project placeholder was not resolved: pass project, or run with GOOGLE_CLOUD_PROJECT set)', inputs.project);
    }
    try {
      return parseTableRef('dataset.table', F('project'), inputs.project).projectId;
    } catch {
      throw fieldError(F('project'), 'a project id (lowercase letters, digits and hyphens)', inputs.project);
    }
  };
  const dest = inputs.destination !== undefined
    ? tableRef(inputs.destination, F('destination'), inputs.destination.split('.').length === 2 ? project() : undefined)
    : { projectId: project(), datasetId: source!.datasetId, tableId: source!.tableId };
  if (dest.projectId === PUBLIC_PROJECT) {
    const field = inputs.destination !== undefined ? F('destination') : F('project');
    throw fieldError(field, `a table in your own project (${PUBLIC_PROJECT} is the read-only public project)`, inputs.destination ?? inputs.project);
  }
  return dest;
}

interface Plan {
  query: { sql: string; params?: QueryParams };
  /** The error for an empty result, naming what to change. */
  empty: () => Promise<Error>;
}

async function plan(wh: Warehouse, d: ExtractDialect, inputs: Inputs, source: TableRef | undefined): Promise<Plan> {
  if (inputs.mode === 'query') return planQuery(wh, d, inputs.query!);
  const info = await wh.getTable(source!);
  if (!info) throw fieldError(F('bq_table'), 'an existing table (not found in the warehouse)', inputs.bq_table);
  if (inputs.mode === 'columns') {
    const query = plainQuery(d, { table: info, field: 'inputs.parameterValues', columns: inputs.columns, filters: inputs.filters, limit: inputs.limit });
    return {
      query,
      empty: async () => inputs.filters?.length
        ? fieldError(F('filters'), `filters that keep at least one row of ${formatTableRef(info.ref)}`, inputs.filters)
        : fieldError(F('bq_table'), 'a table with rows (it is empty)', inputs.bq_table),
    };
  }
  return planFeatures(wh, d, info, inputs.year!, inputs.limit);
}

function planFeatures(wh: Warehouse, d: ExtractDialect, info: TableInfo, year: number, limit: number | undefined): Plan {
  const types = new Map(info.columns.map((c) => [c.name, c.type]));
  for (const [name, accepted] of FEATURE_SOURCE_COLUMNS) {
    const t = types.get(name);
    if (!t) throw fieldError(F('bq_table'), `a table with column ${name} (features mode reads ${FEATURE_SOURCE_COLUMNS.map(([n]) => n).join(', ')})`, formatTableRef(info.ref));
    if (!accepted.includes(t)) throw fieldError(F('bq_table'), `column ${name} of type ${accepted.join(' or ')} (it is ${t})`, formatTableRef(info.ref));
  }
  return {
    query: featureQuery(d, { source: info.ref, sourceTypes: types, year, limit }),
    empty: async () => {
      const years = await wh.query(featureYearsQuery(d, info.ref));
      const have = years.length ? years.map((r) => `${String(r['year'])} (${Number(r['trips'])} trips)`).join(', ') : 'none';
      return fieldError(F('year'), `a year with trips in ${formatTableRef(info.ref)} passing the filters (${FEATURE_FILTERS}); years with such trips: ${have}`, year);
    },
  };
}

async function planQuery(wh: Warehouse, d: ExtractDialect, query: string): Promise<Plan> {
  const field = F('query');
  const { sql, tables } = rawQuery(d, query, field);
  await assertSingleSelect(wh, d, sql, field);
  for (const t of tables) {
    if (!(await wh.getTable(t))) throw fieldError(field, `existing tables (${formatTableRef(t)} is not in the warehouse)`, query);
  }
  // Refusals of the query itself (unknown columns, type errors) name the input, not the wrapping statement.
  try {
    await wh.query(`SELECT * FROM (${sql}) AS q LIMIT 0`);
  } catch (err) {
    if (err instanceof WarehouseError) throw fieldError(field, `a query the ${d.name} warehouse accepts (${err.message.replace(/^warehouse: /, '')})`, query);
    throw err;
  }
  return { query: { sql }, empty: async () => fieldError(field, 'a query returning at least one row', query) };
}
