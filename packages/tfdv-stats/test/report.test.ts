// The report's markup without a browser: self-contained (nothing external), escaped, TFDV's empty-dataset text,
// anomaly descriptions taken from reasons, and the Facets page carrying the binary statistics as base64.
import { readFile } from 'node:fs/promises';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { readStatistics } from '../src/io/artifacts.ts';
import { readMessageFile } from '../src/io/formats.ts';
import { AnomaliesSchema, DatasetFeatureStatisticsListSchema } from '../src/protos.ts';
import { driftEntrySchema, renderFacetsHtml, renderStatisticsHtml } from '../src/report/index.ts';
import { formatNumber, formatPercent } from '../src/report/format.ts';

const SAMPLE = '/work/shared/conformance/tfdv/samples/tfx_chicago_taxi_Split-train';
const ANOMALIES = '/work/shared/conformance/tfx-taxi/components/distribution_validator/executor_test_cases/testAnomaliesGenerated_multiple_features/expected_anomalies.pbtxt';

describe('report.html', () => {
  it('is one self-contained file: no external scripts, styles, fonts, images or links', async () => {
    const html = renderStatisticsHtml({ statistics: await readStatistics(SAMPLE) });
    expect(html).not.toMatch(/<script|<link|@import|url\(|src=|https?:\/\/(?!www\.w3\.org)/i);
    expect(html.match(/<article class="feature/g)).toHaveLength(18);
    expect(html).toContain('<dd>10,036</dd>');
  });

  it('escapes names and values, and says "Empty dataset." as TFDV does', () => {
    const statistics = create(DatasetFeatureStatisticsListSchema, { datasets: [{ numExamples: 0n, features: [{ fieldId: { case: 'path', value: { step: ['<b>'] } } }] }] });
    const html = renderStatisticsHtml({ statistics, title: '"x" & <y>' });
    expect(html).toContain('<title>&quot;x&quot; &amp; &lt;y&gt;</title>');
    expect(html).toContain('Empty dataset.');
    const one = create(DatasetFeatureStatisticsListSchema, { datasets: [{ numExamples: 1n, features: [{ fieldId: { case: 'path', value: { step: ['a<b'] } }, stats: { case: 'stringStats', value: { commonStats: { numNonMissing: 1n, minNumValues: 1n, maxNumValues: 1n, totNumValues: 1n }, unique: 1n, topValues: [{ value: '<script>', frequency: 1 }] } } }] }] });
    const escaped = renderStatisticsHtml({ statistics: one });
    expect(escaped).toContain('data-feature="a&lt;b"');
    expect(escaped).toContain('&lt;script&gt;');
    expect(escaped).not.toContain('<script>');
  });

  it('lists anomalies with their reasons (validators may clear the top-level descriptions), and drift', async () => {
    const anomalies = await readMessageFile(ANOMALIES, AnomaliesSchema);
    const statistics = await readStatistics(SAMPLE);
    const drift = [driftEntrySchema.parse({ feature: 'company', metric: 'L-infinity', value: 0.0122771, threshold: 0, drifted: true })];
    const html = renderStatisticsHtml({ statistics, anomalies, drift });
    expect(html).toContain('Anomalies (2)');
    expect(html).toContain('High Linfty distance between current and previous');
    expect(html).toContain('Drift and skew (1 of 1 over threshold)');
    expect(renderStatisticsHtml({ statistics, anomalies: create(AnomaliesSchema) })).toContain('No anomalies found.');
    expect(() => driftEntrySchema.parse({ feature: 'x', metric: 'jsd', value: 'high', threshold: 0, drifted: true })).toThrow(/value/);
  });

  it('formats numbers for reading', () => {
    expect([formatNumber(10036), formatNumber(2.896740730757), formatNumber(17031345095.35), formatNumber(0.000123), formatNumber(Number.NaN), formatNumber(-Infinity)])
      .toEqual(['10,036', '2.897', '1.703e+10', '1.230e-4', 'NaN', '−∞']);
    expect([formatPercent(0, 10), formatPercent(1, 3), formatPercent(1, 2000), formatPercent(3361, 9909)]).toEqual(['0%', '33%', '0.05%', '34%']);
  });
});

describe('Facets page', () => {
  it('carries the binary statistics as base64 for <facets-overview>, and says it needs internet', async () => {
    const statistics = await readStatistics(SAMPLE);
    const html = renderFacetsHtml(statistics);
    const base64 = /protoInput = "([A-Za-z0-9+/=]+)"/.exec(html)?.[1];
    expect(base64).toBeDefined();
    const bytes = new Uint8Array(Buffer.from(base64!, 'base64'));
    expect(bytes).toEqual(new Uint8Array(await readFile(`${SAMPLE}/FeatureStats.pb`)));
    expect(toBinary(DatasetFeatureStatisticsListSchema, fromBinary(DatasetFeatureStatisticsListSchema, bytes))).toEqual(bytes);
    expect(html).toContain('<facets-overview id="overview">');
    expect(html).toContain('webcomponents-lite.js');
    expect(html).toMatch(/Needs internet/);
  });
});
