// `@formalize/tfdv-stats/lib`: the TFDV-compatible library behind the components, for code that computes,
// validates or renders statistics itself. Loads protobuf and (on first use) DuckDB: pipelines wire the
// components through the light `@formalize/tfdv-stats` module instead.

// Statistics of a warehouse table (tfdv.generate_statistics_*), and CSV loading into the warehouse.
export { generateStatistics, parseStatsOptions } from './stats/generate.ts';
export type { GenerateHooks, GenerateResult, QuantilesMethod } from './stats/generate.ts';
export { statsOptionsSchema } from './stats/options.ts';
export type { StatsOptions, StatsOptionsInput } from './stats/options.ts';
export { StatsInputError } from './stats/features.ts';
export { featureGroups } from './stats/run-component.ts';
export { loadCsv } from './io/csv-loader.ts';
export type { CsvColumnType, LoadCsvOptions, LoadedCsv } from './io/csv-loader.ts';

// Reading and writing statistics, schemas and anomalies in every form TFDV, TFX and Facets use.
export {
  ANOMALIES_FILES,
  readAnomalies,
  readSchema,
  readStatistics,
  SCHEMA_FILES,
  STATISTICS_FILES,
  writeAnomaliesFolder,
  writeFolderAtomic,
  writeSchemaFolder,
  writeStatisticsFolder,
} from './io/artifacts.ts';
export { decodeMessage, detectFormat, encodeMessage, formatOfName, PROTO_FORMATS, ProtoFormatError, readMessageFile, writeMessageFile } from './io/formats.ts';
export type { ProtoFormat } from './io/formats.ts';
export { decodeTfRecords, encodeTfRecords, TfRecordError } from '@formalize/common/tfrecord';

// tfdv.infer_schema / update_schema; validate_statistics, drift/skew metrics, TFX DistributionValidator, drift reports.
export * from './schema/index.ts';
export * from './validate/index.ts';
export { anomalyCount, anomalyLines } from './validate/anomaly-summary.ts';

// Offline HTML report and Facets Overview page.
export * from './report/index.ts';

// The tensorflow_metadata (and TFX DistributionValidator) message types and their schemas.
export * from './protos.ts';
