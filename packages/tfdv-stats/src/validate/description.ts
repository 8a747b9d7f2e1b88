// An anomaly reason as TFDV's C++ carries it (internal_types.h Description), and how an AnomalyInfo's own
// description is derived from its reasons (schema_anomalies.cc FilterDescriptions / UnifyDescriptions).
import { AnomalyInfo_Type } from '../protos.ts';

export interface Description {
  type: AnomalyInfo_Type;
  shortDescription: string;
  longDescription: string;
}

export function description(type: AnomalyInfo_Type, shortDescription: string, longDescription = ''): Description {
  return { type, shortDescription, longDescription };
}

/** A new STRUCT column reports one SCHEMA_NEW_COLUMN per created field; only the first is kept. */
export function filterDescriptions(ds: readonly Description[]): Description[] {
  if (ds.length > 0 && ds.every((d) => d.type === AnomalyInfo_Type.SCHEMA_NEW_COLUMN)) return [ds[0]!];
  return [...ds];
}

/**
 * One reason stands for itself; several are joined with a single space (so a reason ending in ". " gives two
 * spaces) under "Multiple errors". Reasons without a long description are skipped, as TFDV's fold does.
 */
export function unifyDescriptions(ds: readonly Description[]): Description {
  return ds.reduce<Description>(
    (a, b) => {
      if (a.longDescription === '') return b;
      if (b.longDescription === '') return a;
      return { type: AnomalyInfo_Type.MULTIPLE_REASONS, shortDescription: 'Multiple errors', longDescription: `${a.longDescription} ${b.longDescription}` };
    },
    { type: AnomalyInfo_Type.UNKNOWN_TYPE, shortDescription: '', longDescription: '' },
  );
}
