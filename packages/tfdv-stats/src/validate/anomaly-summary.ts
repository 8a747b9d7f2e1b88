// An Anomalies result summed up for a pipeline: how many problems (the `anomaly_count` output) and one line per
// problem (the log, and the message of a task failed by fail_on_anomalies).
import { type Anomalies, type AnomalyInfo, AnomalyInfo_Severity, AnomalyInfo_Type } from '../protos.ts';

/** Features with anomalies, plus one for dataset-level anomalies and one for statistics without examples. */
export function anomalyCount(a: Anomalies): number {
  return Object.keys(a.anomalyInfo).length + (a.datasetAnomalyInfo ? 1 : 0) + (a.dataMissing ? 1 : 0);
}

const SEVERITY: Record<number, string> = {
  [AnomalyInfo_Severity.UNKNOWN]: 'UNKNOWN', [AnomalyInfo_Severity.WARNING]: 'WARNING', [AnomalyInfo_Severity.ERROR]: 'ERROR',
};

const TYPE_NAMES = new Map(Object.entries(AnomalyInfo_Type).map(([k, v]) => [v, k]));

function line(where: string, info: AnomalyInfo): string {
  const types = info.reason.map((r) => TYPE_NAMES.get(r.type) ?? String(r.type)).join(', ');
  const text = info.description || info.reason.map((r) => r.description).join(' ');
  return `${where} (${SEVERITY[info.severity] ?? info.severity}, ${types}): ${text.trim()}`;
}

/** `<feature> (<severity>, <types>): <description>` per anomaly, features in key order, then the dataset's. */
export function anomalyLines(a: Anomalies): string[] {
  const lines = Object.keys(a.anomalyInfo).sort().map((k) => line(k, a.anomalyInfo[k]!));
  if (a.datasetAnomalyInfo) lines.push(line('(dataset)', a.datasetAnomalyInfo));
  if (a.dataMissing) lines.push('(dataset): the statistics hold no examples (data_missing); nothing was checked');
  return lines;
}
