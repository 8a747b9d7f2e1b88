// The seed's feature extraction (make_chicago_bq_dataset): the trips of one year with all coordinates and
// positive miles, seconds and fare, as date/time parts, grid cells, distance, their cross and the tip label.
// Values travel as query parameters; names are validated table refs; everything else is fixed SQL.
import type { ColumnType, QueryParams, TableRef } from '@formalize/common/warehouse';
import type { ExtractDialect } from './dialect.ts';
import { sampleKeySql } from './sample-order.ts';

/** 0.1-degree cells, as the seed's `ST_SnapToGrid(..., 0.1)`. */
export const GRID_DECIMALS = 1;
/** tips / fare at or above this is a good tip (label 1). */
export const TIP_THRESHOLD = 0.2;

/** Source columns the feature SQL reads, with the types it accepts. */
export const FEATURE_SOURCE_COLUMNS: readonly (readonly [string, readonly ColumnType[]])[] = [
  ['trip_start_timestamp', ['TIMESTAMP']],
  ['trip_seconds', ['INT64', 'FLOAT64', 'NUMERIC']],
  ['trip_miles', ['INT64', 'FLOAT64', 'NUMERIC']],
  ['payment_type', ['STRING']],
  ['pickup_longitude', ['FLOAT64', 'NUMERIC']],
  ['pickup_latitude', ['FLOAT64', 'NUMERIC']],
  ['dropoff_longitude', ['FLOAT64', 'NUMERIC']],
  ['dropoff_latitude', ['FLOAT64', 'NUMERIC']],
  ['tips', ['INT64', 'FLOAT64', 'NUMERIC']],
  ['fare', ['INT64', 'FLOAT64', 'NUMERIC']],
];

/** Output columns, in order, with their BigQuery types. */
export const FEATURE_COLUMNS = [
  ['trip_month', 'INT64'], ['trip_day', 'INT64'], ['trip_day_of_week', 'INT64'], ['trip_hour', 'INT64'],
  ['trip_seconds', 'FLOAT64'], ['trip_miles', 'FLOAT64'], ['payment_type', 'STRING'],
  ['pickup_grid', 'STRING'], ['dropoff_grid', 'STRING'], ['euclidean', 'FLOAT64'], ['loc_cross', 'STRING'],
  ['tip_bin', 'INT64'],
] as const satisfies readonly (readonly [string, ColumnType])[];

/** The row filters, in words, for messages. */
export const FEATURE_FILTERS = 'all four coordinates present, trip_miles > 0, trip_seconds > 0, fare > 0';

export interface FeatureQueryOptions {
  source: TableRef;
  /** Types of the source columns (for the sample key). */
  sourceTypes: ReadonlyMap<string, ColumnType>;
  year: number;
  limit?: number | undefined;
}

export function featureQuery(d: ExtractDialect, o: FeatureQueryOptions): { sql: string; params: QueryParams } {
  const c = (name: string) => d.ident(name);
  const ts = c('trip_start_timestamp');
  const pickup = [c('pickup_longitude'), c('pickup_latitude')] as const;
  const dropoff = [c('dropoff_longitude'), c('dropoff_latitude')] as const;
  const key = sampleKeySql(d, FEATURE_SOURCE_COLUMNS.map(([name]) => ({ expr: c(name), type: o.sourceTypes.get(name) ?? 'STRING' })));
  const params: QueryParams = { year: o.year };
  const features: Record<(typeof FEATURE_COLUMNS)[number][0], string> = {
    trip_month: d.extract('MONTH', ts),
    trip_day: d.extract('DAY', ts),
    trip_day_of_week: d.extract('DAYOFWEEK', ts),
    trip_hour: d.extract('HOUR', ts),
    trip_seconds: d.toFloat64(c('trip_seconds')),
    trip_miles: c('trip_miles'),
    payment_type: c('payment_type'),
    pickup_grid: d.gridPointText(...pickup, GRID_DECIMALS),
    dropoff_grid: d.gridPointText(...dropoff, GRID_DECIMALS),
    euclidean: d.sphericalDistance(...pickup, ...dropoff),
    loc_cross: d.concat(d.gridPointText(...pickup, GRID_DECIMALS), d.gridPointText(...dropoff, GRID_DECIMALS)),
    tip_bin: d.toInt64(d.iif(`${c('tips')} / ${c('fare')} >= ${TIP_THRESHOLD}`, '1', '0')),
  };
  let sql = `WITH taxitrips AS (
  SELECT ${FEATURE_SOURCE_COLUMNS.map(([name]) => c(name)).join(', ')}, ${key} AS sample_key
  FROM ${d.table(o.source)}
  WHERE ${[...pickup, ...dropoff].map((x) => `${x} IS NOT NULL`).join(' AND ')}
    AND ${c('trip_miles')} > 0 AND ${c('trip_seconds')} > 0 AND ${c('fare')} > 0
    AND ${d.extract('YEAR', ts)} = ${d.param('year')}
)
SELECT
  ${FEATURE_COLUMNS.map(([name]) => `${features[name]} AS ${c(name)}`).join(',\n  ')}
FROM taxitrips`;
  if (o.limit !== undefined) {
    // The sample key, then every output column: a total order on what is written (see sample-order.ts).
    sql += `\nORDER BY sample_key, ${FEATURE_COLUMNS.map(([name]) => c(name)).join(', ')}\nLIMIT ${d.param('limit')}`;
    params['limit'] = o.limit;
  }
  return { sql, params };
}

/** Years in which the source has trips passing the filters (for the message when the asked year has none). */
export function featureYearsQuery(d: ExtractDialect, source: TableRef): string {
  const c = (name: string) => d.ident(name);
  const year = d.extract('YEAR', c('trip_start_timestamp'));
  return `SELECT ${year} AS year, COUNT(*) AS trips FROM ${d.table(source)}
WHERE ${['pickup_longitude', 'pickup_latitude', 'dropoff_longitude', 'dropoff_latitude'].map((x) => `${c(x)} IS NOT NULL`).join(' AND ')}
  AND ${c('trip_miles')} > 0 AND ${c('trip_seconds')} > 0 AND ${c('fare')} > 0
GROUP BY 1 ORDER BY 1`;
}
