// Which DatasetFeatureStatistics of an input TFDV reads (validation_api.py _get_default_dataset_statistics):
// the only one, or the default slice "All Examples" among several.
import { isMessage } from '@bufbuild/protobuf';
import { fieldError } from '@formalize/common';
import { type DatasetFeatureStatistics, type DatasetFeatureStatisticsList, DatasetFeatureStatisticsListSchema, DatasetFeatureStatisticsSchema } from '../protos.ts';

/** Statistics as TFDV's Python API takes them (a list, possibly sliced) or as its C++ API does (one dataset). */
export type StatisticsInput = DatasetFeatureStatisticsList | DatasetFeatureStatistics;

export const DEFAULT_SLICE = 'All Examples';

export interface SelectedDataset {
  dataset: DatasetFeatureStatistics;
  /** Where the dataset is in the input, for error messages, e.g. `statistics.datasets[1]`. */
  label: string;
}

export function defaultDataset(stats: StatisticsInput, field: string): SelectedDataset {
  if (isMessage(stats, DatasetFeatureStatisticsSchema)) return { dataset: stats, label: field };
  if (!isMessage(stats, DatasetFeatureStatisticsListSchema)) {
    throw fieldError(field, 'a DatasetFeatureStatisticsList or DatasetFeatureStatistics message', (stats as { $typeName?: unknown } | undefined)?.$typeName ?? stats);
  }
  if (stats.datasets.length === 1) return { dataset: stats.datasets[0]!, label: `${field}.datasets[0]` };
  const i = stats.datasets.findIndex((d) => d.name === DEFAULT_SLICE);
  if (i < 0) {
    throw fieldError(
      `${field}.datasets`,
      `exactly one dataset, or one named "${DEFAULT_SLICE}" (the default slice) among several`,
      stats.datasets.map((d) => d.name),
    );
  }
  return { dataset: stats.datasets[i]!, label: `${field}.datasets[${i}]` };
}
