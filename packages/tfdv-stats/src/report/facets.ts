// A Facets Overview page, as TFDV's `get_statistics_html` builds one: the binary statistics, base64-encoded, given
// to the <facets-overview> web component. Facets and its polyfill load from the internet (cdnjs, GitHub): the page
// says so, and report.html is the offline alternative.
import { toBinary } from '@bufbuild/protobuf';
import type { DatasetFeatureStatisticsList } from '../protos.ts';
import { DatasetFeatureStatisticsListSchema } from '../protos.ts';
import { escapeHtml } from './format.ts';

export const FACETS_SCRIPTS = {
  polyfill: 'https://cdnjs.cloudflare.com/ajax/libs/webcomponentsjs/1.3.3/webcomponents-lite.js',
  facets: 'https://raw.githubusercontent.com/PAIR-code/facets/master/facets-dist/facets-jupyter.html',
} as const;

export function renderFacetsHtml(statistics: DatasetFeatureStatisticsList, title = 'Facets Overview'): string {
  const base64 = Buffer.from(toBinary(DatasetFeatureStatisticsListSchema, statistics)).toString('base64');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<script src="${FACETS_SCRIPTS.polyfill}"></script>
<link rel="import" href="${FACETS_SCRIPTS.facets}">
</head><body>
<p class="note">Needs internet: this page loads Facets Overview from cdnjs.cloudflare.com and raw.githubusercontent.com. The report.html next to it works offline.</p>
<facets-overview id="overview"></facets-overview>
<script>document.querySelector('#overview').protoInput = ${JSON.stringify(base64)};</script>
</body></html>
`;
}
