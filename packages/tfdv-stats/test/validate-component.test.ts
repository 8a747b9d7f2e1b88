// The tfdv-validate component end to end, as the KFP launcher drives the container: tfdv-stats on a baseline and a
// drifted synthetic taxi table, then tfdv-validate on its outputs; anomalies, drift metrics and report checked on
// disk against the library (driftReport, the statistics read back) and TFDV's texts.
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { fromText } from '@bufbuild/protobuf/txtpb';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatistics } from '../src/io/artifacts.ts';
import type { Anomalies, DatasetFeatureStatisticsList } from '../src/protos.ts';
import { AnomaliesSchema, AnomalyInfo_Severity, AnomalyInfo_Type, DatasetFeatureStatisticsListSchema, DriftSkewInfo_Measurement_Type } from '../src/protos.ts';
import { formatNumber } from '../src/report/format.ts';
import { sixDigits } from '../src/validate/absl-format.ts';
import { type DriftReport, driftReport } from '../src/validate/index.ts';
import { launchChromium, openFile, pngSize, VIEWPORT } from './report-browser.ts';
import { type Fixture, type Launch, createFixture, localPath, ROWS, VALIDATE_OUTPUT_ARTIFACTS } from './validate-component-fixture.ts';

let fx: Fixture;
let baselineStats: DatasetFeatureStatisticsList;
let driftedStats: DatasetFeatureStatisticsList;
beforeAll(async () => {
  fx = await createFixture();
  baselineStats = await readStatistics(localPath(fx.baseline.statistics.uri));
  driftedStats = await readStatistics(localPath(fx.drifted.statistics.uri));
});

async function anomaliesOf(r: Launch): Promise<Anomalies> {
  return fromText(AnomaliesSchema, await readFile(join(r.out('anomalies'), 'anomalies.pbtxt'), 'utf8'));
}

const drifted = (rep: DriftReport) => rep.features.filter((f) => f.drifted).map((f) => f.name).sort();

function expectSucceeded(r: Launch): void {
  expect(r.errors).toEqual([]);
  expect(r.code).toBe(0);
}

async function expectNoOutputs(r: Launch): Promise<void> {
  expect(existsSync(join(r.dir, 'executor_output.json'))).toBe(false);
  for (const o of VALIDATE_OUTPUT_ARTIFACTS) expect(existsSync(r.out(o)), o).toBe(false);
  expect(existsSync(join(r.dir, 'kfp'))).toBe(false);
}

describe('tfdv-validate component', () => {
  it('finds no anomaly and no drift in the baseline against itself', async () => {
    const r = await fx.validate({}, { statistics: fx.baseline.statistics, schema: fx.baseline.schema, baseline_statistics: fx.baseline.statistics });
    expectSucceeded(r);
    const out = await r.output();
    expect(out.parameterValues).toEqual({ drift_detected: false, anomaly_count: 0 });
    expect(JSON.parse(await readFile(join(r.dir, 'kfp/drift_detected'), 'utf8'))).toBe(false);
    expect(JSON.parse(await readFile(join(r.dir, 'kfp/anomaly_count'), 'utf8'))).toBe(0);

    expect((await readdir(r.out('anomalies'))).sort()).toEqual(['anomalies.json', 'anomalies.pb', 'anomalies.pbtxt']);
    const anomalies = await anomaliesOf(r);
    expect(anomalies.anomalyInfo).toEqual({});
    // All three files hold the same message.
    const binary = fromBinary(AnomaliesSchema, new Uint8Array(await readFile(join(r.out('anomalies'), 'anomalies.pb'))));
    expect(toBinary(AnomaliesSchema, binary)).toEqual(toBinary(AnomaliesSchema, anomalies));
    // Every categorical and numeric feature (all 15 taxi columns) was compared, at distance 0.
    expect(anomalies.driftSkewInfo.map((d) => d.path!.step.join('.')).sort()).toEqual(baselineStats.datasets[0]!.features.map((f) => (f.fieldId.value as { step: string[] }).step[0]).sort());
    for (const d of anomalies.driftSkewInfo) expect(d.driftMeasurements.map((m) => m.value), d.path!.step[0]).toEqual([0]);

    const metrics = out.artifacts['drift']!.artifacts[0]!.metadata;
    expect(metrics['drifted_features']).toBe(0);
    expect(Object.keys(metrics).filter((k) => k.startsWith('drift.'))).toHaveLength(15);
    expect(Object.entries(metrics).filter(([k, v]) => k.startsWith('drift.') && v !== 0)).toEqual([]);
    expect(out.artifacts['anomalies']!.artifacts[0]!.metadata).toMatchObject({ format: 'tensorflow.metadata.v0.Anomalies', anomaly_count: 0, anomalous_features: [], schema: fx.baseline.schema.uri });
    const driftFile = JSON.parse(await readFile(r.out('drift'), 'utf8'));
    expect(driftFile).toMatchObject({ baseline: fx.baseline.statistics.uri, serving: null, driftDetected: false, skew: [] });
  });

  it('flags the drifted features with driftReport\'s distances, and the new category against the baseline schema', async () => {
    const r = await fx.validate({}, { statistics: fx.drifted.statistics, schema: fx.baseline.schema, baseline_statistics: fx.baseline.statistics });
    expectSucceeded(r);
    const expected = driftReport(driftedStats, baselineStats);
    expect(drifted(expected)).toEqual(['payment_type', 'trip_miles']);
    const out = await r.output();
    expect(out.parameterValues).toEqual({ drift_detected: true, anomaly_count: 2 });

    // Metrics: one distance per feature, equal to the library's.
    const metrics = out.artifacts['drift']!.artifacts[0]!.metadata;
    const key = (f: DriftReport['features'][number]) => `drift.${f.name}.${f.metric === 'L_INFTY' ? 'l_infinity' : 'jensen_shannon'}`;
    expect(metrics).toEqual({ ...Object.fromEntries(expected.features.map((f) => [key(f), f.value])), drifted_features: 2 });
    expect(metrics['drift.payment_type.l_infinity']).toBeGreaterThan(0.3);
    expect(metrics['drift.trip_miles.jensen_shannon']).toBeGreaterThan(0.15);
    // Untouched columns come from the same seed: identical values.
    expect(metrics['drift.fare.jensen_shannon']).toBe(0);
    const driftFile = JSON.parse(await readFile(r.out('drift'), 'utf8'));
    expect(driftFile.features).toEqual(expected.features);
    expect(driftFile.thresholds).toEqual({ categoricalLInfinity: 0.1, numericJensenShannon: 0.1, features: {} });

    // Anomalies: TFDV's drift comparators recorded the same distances, and fired for the drifted features.
    const anomalies = await anomaliesOf(r);
    expect(Object.keys(anomalies.anomalyInfo).sort()).toEqual(['payment_type', 'trip_miles']);
    for (const f of expected.features) {
      const info = anomalies.driftSkewInfo.find((d) => d.path!.step[0] === f.name)!;
      expect(info.driftMeasurements.map((m) => [m.type, m.value, m.threshold]), f.name).toEqual([[
        f.metric === 'L_INFTY' ? DriftSkewInfo_Measurement_Type.L_INFTY : DriftSkewInfo_Measurement_Type.JENSEN_SHANNON_DIVERGENCE, f.value, 0.1,
      ]]);
    }
    const linf = expected.features.find((f) => f.name === 'payment_type')!.value!;
    const jsd = expected.features.find((f) => f.name === 'trip_miles')!.value!;
    const payment = anomalies.anomalyInfo['payment_type']!;
    expect(payment.severity).toBe(AnomalyInfo_Severity.ERROR);
    expect(payment.reason.map((x) => x.type)).toEqual([AnomalyInfo_Type.ENUM_TYPE_UNEXPECTED_STRING_VALUES, AnomalyInfo_Type.COMPARATOR_L_INFTY_HIGH]);
    expect(payment.shortDescription).toBe('Multiple errors');
    const bitcoin = paymentCount(driftedStats, 'Bitcoin');
    expect(payment.reason[0]!.description).toBe(`Examples contain values missing from the schema: Bitcoin (~${Math.floor((100 * bitcoin) / ROWS)}%). `);
    // Cash lost the most share (1 - 0.3 of the mix went elsewhere).
    expect(payment.reason[1]!.description).toBe(`The Linfty distance between current and previous is ${sixDigits(linf)} (up to six significant digits), above the threshold 0.1. The feature value with maximum difference is: Cash`);
    expect(anomalies.anomalyInfo['trip_miles']!.description).toBe(`The approximate Jensen-Shannon divergence between current and previous is ${sixDigits(jsd)} (up to six significant digits), above the threshold 0.1.`);
    expect(out.artifacts['anomalies']!.artifacts[0]!.metadata).toMatchObject({ anomaly_count: 2, anomalous_features: ['payment_type', 'trip_miles'] });

    // The report lists both anomalies and every drift row.
    const html = await readFile(r.out('report'), 'utf8');
    expect(html).toContain('<title>Validation of my-project.taxi.drifted</title>');
    expect(html).toContain('<h2>Anomalies (2)</h2>');
    expect(html).toContain(`<h2>Drift and skew (2 of ${expected.features.length} over threshold)</h2>`);
    expect(html).toContain(escape(payment.reason[0]!.description));
    expect(html).toContain(escape(anomalies.anomalyInfo['trip_miles']!.description));
    expect(html).toContain(`<tr class="drifted" data-feature="trip_miles"><td class="feature-name"><a href="#feature-trip_miles">trip_miles</a></td><td>Jensen-Shannon drift</td><td class="num">${formatNumber(jsd)}</td><td class="num">0.1</td><td>drifted</td></tr>`);
    expect(html).toContain(`<tr class="" data-feature="fare"><td class="feature-name"><a href="#feature-fare">fare</a></td><td>Jensen-Shannon drift</td><td class="num">0</td><td class="num">0.1</td><td>ok</td></tr>`);
    expect(html).toContain(`Drift against ${fx.baseline.statistics.uri}`);
  });

  it('infers the schema when none is given and applies the thresholds, per feature too', async () => {
    const strict = await fx.validate({}, { statistics: fx.drifted.statistics, baseline_statistics: fx.baseline.statistics });
    expectSucceeded(strict);
    // The schema comes from the drifted statistics themselves: drift is the only anomaly.
    const anomalies = await anomaliesOf(strict);
    expect(Object.fromEntries(Object.entries(anomalies.anomalyInfo).map(([k, v]) => [k, v.reason.map((x) => x.type)]))).toEqual({
      payment_type: [AnomalyInfo_Type.COMPARATOR_L_INFTY_HIGH], trip_miles: [AnomalyInfo_Type.COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH],
    });
    expect((await strict.output()).artifacts['anomalies']!.artifacts[0]!.metadata['schema']).toBe('inferred');
    expect(await readFile(strict.out('report'), 'utf8')).toContain('Schema: inferred from these statistics (none given)');

    const thresholds = { drift_threshold_categorical: 0.5, feature_thresholds: { trip_miles: 0.9 } };
    const lenient = await fx.validate(thresholds, { statistics: fx.drifted.statistics, baseline_statistics: fx.baseline.statistics });
    expectSucceeded(lenient);
    expect((await lenient.output()).parameterValues).toEqual({ drift_detected: false, anomaly_count: 0 });
    const driftFile = JSON.parse(await readFile(lenient.out('drift'), 'utf8'));
    const expected = driftReport(driftedStats, baselineStats, { categoricalLInfinity: 0.5, features: { trip_miles: 0.9 } });
    expect(drifted(expected)).toEqual([]);
    expect(driftFile.features).toEqual(expected.features);
    expect(driftFile.features.find((f: { name: string }) => f.name === 'trip_miles').threshold).toBe(0.9);
    expect(driftFile.features.find((f: { name: string }) => f.name === 'fare').threshold).toBe(0.1);
  });

  it('counts a feature the baseline lacks as drifted (TFDV: previous data missing)', async () => {
    const columns = baselineStats.datasets[0]!.features.map((f) => (f.fieldId.value as { step: string[] }).step[0]!);
    const partial = await fx.stats('my-project.taxi.baseline', { feature_allowlist: columns.filter((c) => c !== 'company') });
    const r = await fx.validate({}, { statistics: fx.baseline.statistics, baseline_statistics: partial.statistics });
    expectSucceeded(r);
    expect((await r.output()).parameterValues).toEqual({ drift_detected: true, anomaly_count: 1 });
    const info = (await anomaliesOf(r)).anomalyInfo['company']!;
    expect([info.reason.map((x) => x.type), info.shortDescription, info.description]).toEqual([[AnomalyInfo_Type.COMPARATOR_CONTROL_DATA_MISSING], 'previous data missing', 'previous data is missing.']);
    const driftFile = JSON.parse(await readFile(r.out('drift'), 'utf8'));
    expect(driftFile.features.find((f: { name: string }) => f.name === 'company')).toEqual({
      name: 'company', type: 'categorical', metric: 'L_INFTY', value: null, threshold: 0.1, drifted: true, reason: 'the baseline statistics lack this feature',
    });
    const metrics = (await r.output()).artifacts['drift']!.artifacts[0]!.metadata;
    expect(metrics['drifted_features']).toBe(1);
    expect(metrics['drift.company.l_infinity']).toBeUndefined();
    expect(await readFile(r.out('report'), 'utf8')).toContain('<td>L-infinity drift</td><td class="num" title="the baseline statistics lack this feature">—</td>');
  });

  it('reports a schema anomaly without a baseline: no drift measured, and says so', async () => {
    const r = await fx.validate({}, { statistics: fx.drifted.statistics, schema: fx.baseline.schema });
    expectSucceeded(r);
    const out = await r.output();
    expect(out.parameterValues).toEqual({ drift_detected: false, anomaly_count: 1 });
    const anomalies = await anomaliesOf(r);
    expect(Object.keys(anomalies.anomalyInfo)).toEqual(['payment_type']);
    const info = anomalies.anomalyInfo['payment_type']!;
    expect([info.shortDescription, info.reason.map((x) => x.type)]).toEqual(['Unexpected string values', [AnomalyInfo_Type.ENUM_TYPE_UNEXPECTED_STRING_VALUES]]);
    expect(info.description).toMatch(/^Examples contain values missing from the schema: Bitcoin \(~2%\)\. $/);
    expect(anomalies.driftSkewInfo).toEqual([]);
    expect(out.artifacts['drift']!.artifacts[0]!.metadata).toEqual({});
    expect(JSON.parse(await readFile(r.out('drift'), 'utf8'))).toMatchObject({ baseline: null, driftDetected: false, features: [], skew: [] });
    const html = await readFile(r.out('report'), 'utf8');
    expect(html).toContain('<p class="note">No baseline statistics: drift not measured.</p>');
    expect(html).toContain('<h2>Anomalies (1)</h2>');
    expect(html).not.toContain('<section class="drift">');
  });

  it('measures training/serving skew with the same thresholds; skew is not drift', async () => {
    const r = await fx.validate({}, { statistics: fx.baseline.statistics, schema: fx.baseline.schema, serving_statistics: fx.drifted.statistics });
    expectSucceeded(r);
    const out = await r.output();
    expect(out.parameterValues).toEqual({ drift_detected: false, anomaly_count: 2 });
    const anomalies = await anomaliesOf(r);
    expect(anomalies.anomalyInfo['payment_type']!.shortDescription).toBe('High Linfty distance between training and serving');
    expect(anomalies.anomalyInfo['trip_miles']!.shortDescription).toBe('High approximate Jensen-Shannon divergence between training and serving');
    // Skew of training vs serving is the drift of serving vs training: the same distances for L-infinity and the
    // (symmetric) Jensen-Shannon divergence.
    const expected = driftReport(driftedStats, baselineStats);
    const metrics = out.artifacts['drift']!.artifacts[0]!.metadata;
    for (const f of expected.features) expect(metrics[`skew.${f.name}.${f.metric === 'L_INFTY' ? 'l_infinity' : 'jensen_shannon'}`], f.name).toBeCloseTo(f.value!, 12);
    expect(metrics['skewed_features']).toBe(2);
    expect(metrics['drifted_features']).toBeUndefined();
    const driftFile = JSON.parse(await readFile(r.out('drift'), 'utf8'));
    expect(driftFile.skew.filter((f: { skewed: boolean }) => f.skewed).map((f: { name: string }) => f.name).sort()).toEqual(['payment_type', 'trip_miles']);
    expect(await readFile(r.out('report'), 'utf8')).toContain('L-infinity skew');
  });

  it('fail_on_anomalies fails the task listing every anomaly, and writes no output', async () => {
    const r = await fx.validate({ fail_on_anomalies: true }, { statistics: fx.drifted.statistics, schema: fx.baseline.schema, baseline_statistics: fx.baseline.statistics });
    expect(r.code).toBe(1);
    expect(r.errors[0]).toBe(`error: inputs.artifacts.statistics: 2 anomalies found and fail_on_anomalies is true (no outputs written), received "${fx.drifted.statistics.uri}"`);
    expect(r.errors.slice(1)).toHaveLength(2);
    expect(r.errors[1]).toMatch(/^error: anomaly payment_type \(ERROR, ENUM_TYPE_UNEXPECTED_STRING_VALUES, COMPARATOR_L_INFTY_HIGH\): Examples contain values missing from the schema: Bitcoin \(~2%\)\.  The Linfty distance between current and previous is 0\.\d+ /);
    expect(r.errors[2]).toMatch(/^error: anomaly trip_miles \(ERROR, COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH\): The approximate Jensen-Shannon divergence between current and previous is 0\.\d+ \(up to six significant digits\), above the threshold 0\.1\.$/);
    await expectNoOutputs(r);
    // Without anomalies the same setting passes.
    const ok = await fx.validate({ fail_on_anomalies: true }, { statistics: fx.baseline.statistics, schema: fx.baseline.schema, baseline_statistics: fx.baseline.statistics });
    expectSucceeded(ok);
  });

  describe('report in headless Chromium', () => {
    let tmp: string;
    let context: BrowserContext | undefined;
    beforeAll(async () => {
      tmp = await mkdtemp(join(tmpdir(), 'validate-browser-'));
    });
    afterAll(async () => {
      await context?.close();
      if (!process.env['REPORT_KEEP_OUTPUT']) await rm(tmp, { recursive: true, force: true });
    });

    it('shows the anomalies, the drift rows and badges on the drifted features, offline, and screenshots it', async () => {
      const r = await fx.validate({}, { statistics: fx.drifted.statistics, schema: fx.baseline.schema, baseline_statistics: fx.baseline.statistics });
      expectSucceeded(r);
      const expected = driftReport(driftedStats, baselineStats);
      context ??= await launchChromium(tmp);
      // The artifact file has no extension (its URI is the output's); saved as .html, as a reader downloads it.
      const path = join(tmp, 'report.html');
      await cp(r.out('report'), path);
      const { page, problems } = await openFile(context, path);
      expect(await page.title()).toBe('Validation of my-project.taxi.drifted');
      expect(await page.locator('p.note').allTextContents()).toEqual([
        `Schema: ${fx.baseline.schema.uri}.`,
        `Drift against ${fx.baseline.statistics.uri}: L-infinity above 0.1 for categorical features, Jensen-Shannon divergence above 0.1 for numeric ones.`,
      ]);
      expect(await page.locator('section.anomalies tbody tr').evaluateAll((rows) => rows.map((e) => e.getAttribute('data-feature')))).toEqual(['payment_type', 'trip_miles']);
      expect(await page.locator('section.anomalies tr[data-feature="payment_type"] td').nth(2).textContent()).toBe('Multiple errors');
      expect(await page.locator('section.drift tbody tr').count()).toBe(expected.features.length);
      expect(await page.locator('section.drift tbody tr.drifted').evaluateAll((rows) => rows.map((e) => e.getAttribute('data-feature')))).toEqual(['trip_miles', 'payment_type']);
      const jsd = expected.features.find((f) => f.name === 'trip_miles')!.value!;
      expect(await page.locator('article[data-feature="trip_miles"] .badge.drift.drifted').textContent()).toBe(`Jensen-Shannon drift ${formatNumber(jsd)}`);
      expect(await page.locator('article.has-anomaly').evaluateAll((els) => els.map((e) => e.getAttribute('data-feature')).sort())).toEqual(['payment_type', 'trip_miles']);

      const png = join(tmp, 'validation-report.png');
      await page.screenshot({ path: png, fullPage: true });
      const size = pngSize(await readFile(png));
      expect(size?.width).toBe(VIEWPORT.width);
      expect(size!.height).toBeGreaterThan(VIEWPORT.height);
      expect((await stat(png)).size).toBeGreaterThan(50_000);
      if (process.env['REPORT_KEEP_OUTPUT']) console.log(`screenshot kept in ${png}`);
      expect(problems).toEqual([]);
      await page.close();
    });
  });

  describe('bad input exits 1 naming the input, leaving no outputs', () => {
    let broken: string;
    beforeAll(async () => {
      broken = await mkdtemp(join(tmpdir(), 'validate-broken-'));
      const stats = localPath(fx.baseline.statistics.uri);
      await mkdir(join(broken, 'empty-stats'));
      await writeFile(join(broken, 'empty-stats/README'), 'no statistics here');
      await cp(stats, join(broken, 'corrupt'), { recursive: true });
      // A length-delimited field running past the end: not a DatasetFeatureStatisticsList.
      await writeFile(join(broken, 'corrupt/FeatureStats.pb'), new Uint8Array([0x0a, 0xff, 0x01, 0x02]));
      await mkdir(join(broken, 'no-datasets'));
      await writeFile(join(broken, 'no-datasets/FeatureStats.pb'), toBinary(DatasetFeatureStatisticsListSchema, fromBinary(DatasetFeatureStatisticsListSchema, new Uint8Array())));
    });
    const at = (name: string) => ({ uri: `${broken}/${name}` });

    it.each([
      ['a statistics folder without its file', () => ({ statistics: at('empty-stats') }), {},
        /^error: inputs\.artifacts\.statistics: cannot read statistics: .*\/empty-stats: a folder without FeatureStats\.pb, stats_tfrecord, FeatureStats\.pbtxt, FeatureStats\.json \(has: README\), received ".*\/empty-stats"$/],
      ['a missing statistics folder', () => ({ statistics: at('nothing-here') }), {},
        /^error: inputs\.artifacts\.statistics: cannot read statistics: ENOENT .*\/nothing-here, received ".*\/nothing-here"$/],
      ['a corrupt FeatureStats.pb', () => ({ statistics: at('corrupt') }), {},
        /^error: inputs\.artifacts\.statistics: cannot read statistics: .*\/corrupt\/FeatureStats\.pb: cannot read tensorflow\.metadata\.v0\.DatasetFeatureStatisticsList as binary: .+, received ".*\/corrupt"$/],
      ['a baseline with no datasets', () => ({ statistics: fx.drifted.statistics, baseline_statistics: at('no-datasets') }), {},
        /^error: inputs\.artifacts\.baseline_statistics\.datasets: exactly one dataset, or one named "All Examples" \(the default slice\) among several, received \[\]$/],
      ['a schema folder without a schema', () => ({ statistics: fx.drifted.statistics, schema: fx.baseline.statistics }), {},
        /^error: inputs\.artifacts\.schema: cannot read a schema: .*: a folder without schema\.pbtxt, schema\.json, schema\.pb \(has: FeatureStats\.json, FeatureStats\.pb, FeatureStats\.pbtxt, facets\.html\), received "gs:\/\/root\/.*\/statistics"$/],
      ['an unknown feature in feature_thresholds', () => ({ statistics: fx.drifted.statistics, baseline_statistics: fx.baseline.statistics }), { feature_thresholds: { trip_miles: 0.2, fares: 0.1 } },
        /^error: inputs\.parameterValues\.feature_thresholds: names of categorical or numeric features of the statistics \(trip_start_timestamp, trip_seconds, trip_miles, .*\), received \["fares"\]$/],
      ['a negative threshold', () => ({ statistics: fx.drifted.statistics }), { drift_threshold_numeric: -0.1 },
        /^error: inputs\.parameterValues\.drift_threshold_numeric: too small: expected number to be >=0, received -0\.1$/],
      ['an environment the schema lacks', () => ({ statistics: fx.drifted.statistics, schema: fx.baseline.schema }), { environment: 'SERVING' },
        /^error: inputs\.parameterValues\.environment: one of the schema's default_environment \[\], received "SERVING"$/],
    ])('%s', async (_, artifacts, params, message) => {
      const r = await fx.validate(params, artifacts());
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(message);
      await expectNoOutputs(r);
    });
  });
});

function paymentCount(stats: DatasetFeatureStatisticsList, value: string): number {
  const f = stats.datasets[0]!.features.find((x) => x.fieldId.case === 'path' && x.fieldId.value.step[0] === 'payment_type')!;
  if (f.stats.case !== 'stringStats') throw new Error('payment_type has no string statistics');
  return f.stats.value.rankHistogram!.buckets.find((b) => b.label === value)!.sampleCount;
}

function escape(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}
