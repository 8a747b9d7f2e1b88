// report.html in a real browser (Debian's Chromium, headless, offline): one card per feature showing the values of
// the statistics it renders, the anomalies and drift sections, no request leaving the file, and a screenshot.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckdbWarehouse } from '@formalize/common/warehouse';
import { readMessageFile } from '../src/io/formats.ts';
import { loadCsv } from '../src/io/csv-loader.ts';
import type { DatasetFeatureStatisticsList } from '../src/protos.ts';
import { AnomaliesSchema, Histogram_HistogramType } from '../src/protos.ts';
import { featureName, renderStatisticsHtml } from '../src/report/index.ts';
import type { DriftEntry } from '../src/report/index.ts';
import { formatCount, formatNumber, formatPercent } from '../src/report/format.ts';
import { generateStatistics } from '../src/stats/generate.ts';
import { launchChromium, openFile, pngSize, VIEWPORT } from './report-browser.ts';
import { openScratchWarehouse, testTable } from './stats-helpers.ts';

const TFX = '/work/shared/conformance/tfx-taxi/components';

let tmp: string;
let context: BrowserContext | undefined;
let wh: DuckdbWarehouse;
let stats: DatasetFeatureStatisticsList;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'report-browser-'));
  wh = await openScratchWarehouse();
  // csv_example_gen rows: empty cells are missing, so several features have missing values to highlight.
  await loadCsv(wh, testTable('taxi'), `${TFX}/testdata/csv_example_gen/train.csv`);
  stats = (await generateStatistics(wh, testTable('taxi'))).statistics;
});

afterAll(async () => {
  await context?.close();
  await wh.close();
  if (!process.env['REPORT_KEEP_OUTPUT']) await rm(tmp, { recursive: true, force: true });
});

describe('report.html in headless Chromium', () => {
  it('shows one card per feature with its values, the anomalies and drift, offline, and screenshots it', async () => {
    const anomalies = await readMessageFile(`${TFX}/distribution_validator/executor_test_cases/testAnomaliesGenerated_multiple_features/expected_anomalies.pbtxt`, AnomaliesSchema);
    const drift: DriftEntry[] = [
      { feature: 'company', metric: 'L-infinity', value: 0.0123, threshold: 0.01, drifted: true },
      { feature: 'fare', metric: 'Jensen-Shannon divergence', value: 0.0009, threshold: 0.01, drifted: false },
    ];
    const path = join(tmp, 'report.html');
    await writeFile(path, renderStatisticsHtml({ statistics: stats, title: 'taxi train <split>', anomalies, drift }));
    context ??= await launchChromium(tmp);
    const { page, problems } = await openFile(context, path);

    expect(await page.title()).toBe('taxi train <split>');
    const ds = stats.datasets[0]!;
    const numExamples = Number(ds.numExamples);
    expect(await page.locator('article.feature').count()).toBe(ds.features.length);
    expect((await page.locator('article.feature').evaluateAll((els) => els.map((e) => e.getAttribute('data-feature')))).sort())
      .toEqual(ds.features.map(featureName).sort());
    expect(await page.locator('dl.summary dd').first().textContent()).toBe(formatCount(ds.numExamples));

    for (const f of ds.features) {
      const card = page.locator(`article.feature[data-feature="${featureName(f)}"]`);
      const common = f.stats.value!.commonStats!;
      expect(await card.locator('.stat-count').textContent(), featureName(f)).toBe(formatCount(common.numNonMissing));
      expect(await card.locator('.stat-missing').textContent(), featureName(f)).toBe(formatPercent(Number(common.numMissing), numExamples));
      if (f.stats.case === 'numStats' && Number(common.numNonMissing) > 0) {
        const s = f.stats.value;
        expect(await card.locator('.stat-mean').textContent(), featureName(f)).toBe(formatNumber(s.mean));
        expect(await card.locator('.stat-median').textContent(), featureName(f)).toBe(formatNumber(s.median));
        expect(await card.locator('.stat-max').textContent(), featureName(f)).toBe(formatNumber(s.max));
        const standard = s.histograms.find((h) => h.type === Histogram_HistogramType.STANDARD)!;
        expect(await card.locator('svg.histogram rect.bar').count(), featureName(f)).toBe(standard.buckets.length);
      }
      if (f.stats.case === 'stringStats' && f.stats.value.topValues.length > 0) {
        const s = f.stats.value;
        expect(await card.locator('.stat-unique').textContent(), featureName(f)).toBe(formatCount(s.unique));
        expect(await card.locator('table.top tbody tr').first().locator('td.value').textContent(), featureName(f)).toBe(s.topValues[0]!.value);
        expect(await card.locator('svg.top-values rect.bar').count(), featureName(f)).toBe(Math.min(10, s.topValues.length));
      }
    }
    // High missing is highlighted: company is empty in a third of these rows.
    expect(await page.locator('article[data-feature="company"] tr.warn .stat-missing').textContent()).toBe('34%');
    expect(await page.locator('article[data-feature="fare"] tr.warn').count()).toBe(0);

    // Anomalies and drift: their tables, and badges on the features they concern.
    expect(await page.locator('section.anomalies tbody tr').count()).toBe(Object.keys(anomalies.anomalyInfo).length);
    expect(await page.locator('article[data-feature="company"] .badge.anomaly').count()).toBe(1);
    expect(await page.locator('article[data-feature="company"].has-anomaly').count()).toBe(1);
    expect(await page.locator('section.drift tbody tr.drifted').count()).toBe(1);
    expect(await page.locator('article[data-feature="company"] .badge.drift.drifted').textContent()).toBe('L-infinity 0.0123');
    await page.locator('section.drift a[href="#feature-fare"]').click();
    expect(page.url()).toMatch(/#feature-fare$/);

    const png = join(tmp, 'report.png');
    await page.screenshot({ path: png, fullPage: true });
    const size = pngSize(await readFile(png));
    expect(size?.width).toBe(VIEWPORT.width);
    expect(size!.height).toBeGreaterThan(VIEWPORT.height);
    expect((await stat(png)).size).toBeGreaterThan(50_000);
    if (process.env['REPORT_KEEP_OUTPUT']) console.log(`report and screenshot kept in ${tmp}`);

    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
