// run() of the tfdv-stats component: check the inputs against the table, compute the statistics in the
// warehouse, infer the schema, type the features, render the report; write the three artifacts only once all of
// them are ready (each folder or file under a temp name, then renamed).
import { writeFileAtomic } from '@formalize/common';
import { ContractError, describeValue } from '@formalize/common';
import type { TableRef, Warehouse } from '@formalize/common/warehouse';
import { formatTableRef, InvalidTableRefError, openWarehouse, parseTableRef } from '@formalize/common/warehouse';
import type { StatsContext, StatsResult } from '../components/stats.ts';
import { writeSchemaFolder, writeFolderAtomic, STATISTICS_FILES } from '../io/artifacts.ts';
import { encodeMessage } from '../io/formats.ts';
import type { DatasetFeatureStatisticsList } from '../protos.ts';
import { DatasetFeatureStatisticsListSchema, FeatureNameStatistics_Type } from '../protos.ts';
import { renderFacetsHtml, renderStatisticsHtml } from '../report/index.ts';
import { inferSchema } from '../schema/index.ts';
import { StatsInputError } from './features.ts';
import { generateStatistics } from './generate.ts';
import type { StatsOptionsInput } from './options.ts';

const P = 'inputs.parameterValues';

function parseRef(name: string, field: string): TableRef {
  try {
    return parseTableRef(name, field);
  } catch (err) {
    if (err instanceof InvalidTableRefError) throw new ContractError([err.message]);
    throw err;
  }
}

/** The table named by `bq_table` or the `table` artifact (exactly one of them). */
export function resolveTableRef(inputs: Pick<StatsContext['inputs'], 'bq_table' | 'table'>): TableRef {
  if (inputs.bq_table !== undefined && inputs.table !== undefined) {
    throw new ContractError([`${P}.bq_table: give either bq_table or the table artifact, not both, received ${describeValue(inputs.bq_table)}`]);
  }
  if (inputs.table) {
    const { projectId, datasetId, tableId } = inputs.table.metadata;
    if (typeof projectId !== 'string' || typeof datasetId !== 'string' || typeof tableId !== 'string') {
      throw new ContractError([`inputs.artifacts.table.metadata: expected projectId, datasetId and tableId strings, received ${describeValue(inputs.table.metadata)}`]);
    }
    return parseRef(`${projectId}.${datasetId}.${tableId}`, 'inputs.artifacts.table.metadata');
  }
  if (inputs.bq_table === undefined) throw new ContractError([`${P}.bq_table: expected a table "project.dataset.table" or the table artifact, received nothing`]);
  return parseRef(inputs.bq_table, `${P}.bq_table`);
}

/** The seed's feature typing (stage 1 data_analysis): FLOAT numeric, INT and STRING categorical; label and weight left out. */
export function featureGroups(stats: DatasetFeatureStatisticsList, exclude: readonly string[]): { numeric_features: string[]; categorical_features: string[] } {
  const numeric: string[] = [];
  const categorical: string[] = [];
  for (const f of stats.datasets[0]?.features ?? []) {
    const name = f.fieldId.case === 'path' ? f.fieldId.value.step.join('.') : String(f.fieldId.value ?? '');
    if (exclude.includes(name)) continue;
    if (f.type === FeatureNameStatistics_Type.FLOAT) numeric.push(name);
    else if (f.type === FeatureNameStatistics_Type.INT || f.type === FeatureNameStatistics_Type.STRING) categorical.push(name);
  }
  return { numeric_features: numeric, categorical_features: categorical };
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

async function checkTable(wh: Warehouse, ref: TableRef, inputs: StatsContext['inputs']): Promise<number> {
  const info = await wh.getTable(ref);
  const where = inputs.table ? 'inputs.artifacts.table.metadata' : `${P}.bq_table`;
  if (!info) throw new ContractError([`${where}: no such table in the warehouse, received ${describeValue(formatTableRef(ref))}`]);
  const columns = info.columns.map((c) => c.name);
  const known = `a column of ${formatTableRef(ref)} (${columns.join(', ')})`;
  if (!columns.includes(inputs.label_column)) throw new ContractError([`${P}.label_column: expected ${known}, received ${describeValue(inputs.label_column)}`]);
  if (inputs.weight_feature !== undefined && !columns.includes(inputs.weight_feature)) {
    throw new ContractError([`${P}.weight_feature: expected ${known}, received ${describeValue(inputs.weight_feature)}`]);
  }
  // An empty table gives empty statistics and a schema that expects nothing: surely a broken upstream step.
  if (info.numRows === 0) throw new ContractError([`${where}: the table ${formatTableRef(ref)} has no rows; statistics need at least one example, received ${describeValue(formatTableRef(ref))}`]);
  return info.numRows;
}

export async function runStatsComponent({ inputs, outputs, log, signal }: StatsContext): Promise<StatsResult> {
  const ref = resolveTableRef(inputs);
  const options = Object.fromEntries(Object.entries(inputs.stats_options).map(([k, v]) => [camel(k), v])) as StatsOptionsInput;
  if (inputs.weight_feature !== undefined) options.weightFeature = inputs.weight_feature;
  const wh = await openWarehouse({ onWait: (m) => log.info(m) });
  let result;
  try {
    const rows = await checkTable(wh, ref, inputs);
    log.info('computing statistics', { table: formatTableRef(ref), rows });
    result = await generateStatistics(wh, ref, options, {
      signal,
      onProgress: (done, total) => log.progress('features', done, total),
    });
  } catch (err) {
    if (err instanceof StatsInputError) {
      const field = err.message.startsWith('weightFeature') ? `${P}.weight_feature` : `${P}.stats_options`;
      throw new ContractError([`${field}: ${err.message}`]);
    }
    throw err;
  } finally {
    await wh.close();
  }
  const { statistics, quantiles, queries } = result;
  const schema = inferSchema(statistics, { inferFeatureShape: inputs.infer_feature_shape });
  const groups = featureGroups(statistics, [inputs.label_column, ...(inputs.weight_feature ? [inputs.weight_feature] : [])]);
  const title = `Statistics of ${formatTableRef(ref)}`;
  const html = renderStatisticsHtml({ statistics, title });

  const files = Object.entries(STATISTICS_FILES).map(([format, name]) => ({ name, content: encodeMessage(DatasetFeatureStatisticsListSchema, statistics, format as 'binary' | 'text' | 'json') }));
  files.push({ name: 'facets.html', content: new TextEncoder().encode(renderFacetsHtml(statistics, title)) });
  await writeFolderAtomic(outputs.statistics.path, files);
  await writeSchemaFolder(outputs.schema.path, schema);
  await writeFileAtomic(outputs.report.path, html);

  const dataset = statistics.datasets[0]!;
  const sampled = Object.entries(quantiles).filter(([, m]) => m === 'sampled').map(([f]) => f);
  Object.assign(outputs.statistics.metadata, {
    format: 'tensorflow.metadata.v0.DatasetFeatureStatisticsList', files: files.map((f) => f.name), table: formatTableRef(ref),
    num_examples: Number(dataset.numExamples), num_features: dataset.features.length, queries, sampled_quantiles: sampled,
  });
  Object.assign(outputs.schema.metadata, { format: 'tensorflow.metadata.v0.Schema', files: ['schema.pbtxt', 'schema.json'], num_features: schema.feature.length });
  outputs.report.metadata['title'] = title;
  log.info('statistics written', { features: dataset.features.length, examples: Number(dataset.numExamples), queries, sampledQuantiles: sampled });
  return groups;
}
