export { driftEntrySchema, featureName, renderStatisticsHtml, type DriftEntry, type StatisticsReport } from './html.ts';
export { FACETS_SCRIPTS, renderFacetsHtml } from './facets.ts';
