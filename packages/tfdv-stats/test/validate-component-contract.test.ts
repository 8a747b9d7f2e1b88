// The package's entry points: the contract module (both components, nothing heavy loaded), the container
// entrypoint serving both, the tfdv-validate interface as KFP sees it, and the `./lib` library entry.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { components, stats, validate } from '@formalize/tfdv-stats';
import { DEFAULT_CATEGORICAL_L_INFINITY, DEFAULT_NUMERIC_JENSEN_SHANNON } from '../src/validate/index.ts';

const PKG = resolve(import.meta.dirname, '..');

describe('tfdv-stats package entry points', () => {
  it('lists both components and the entrypoint serves them', () => {
    expect(components.map((c) => c.name)).toEqual(['tfdv-stats', 'tfdv-validate']);
    expect(components).toEqual([stats, validate]);
    const r = spawnSync(process.execPath, [join(PKG, 'src/main.ts'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`components: tfdv-stats@${stats.version}, tfdv-validate@${validate.version}`);
  });

  it('declares tfdv-validate\'s interface: inputs, outputs, KFP types and defaults', () => {
    const ir = validate.toIR();
    const params = ir.inputDefinitions!.parameters!;
    expect(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, [v.parameterType, v.isOptional ?? false, v.defaultValue]]))).toEqual({
      environment: ['STRING', true, undefined],
      drift_threshold_categorical: ['NUMBER_DOUBLE', true, DEFAULT_CATEGORICAL_L_INFINITY],
      drift_threshold_numeric: ['NUMBER_DOUBLE', true, DEFAULT_NUMERIC_JENSEN_SHANNON],
      feature_thresholds: ['STRUCT', true, {}],
      fail_on_anomalies: ['BOOLEAN', true, false],
    });
    const artifacts = ir.inputDefinitions!.artifacts!;
    expect(Object.fromEntries(Object.entries(artifacts).map(([k, v]) => [k, [v.artifactType.schemaTitle, v.isOptional ?? false]]))).toEqual({
      statistics: ['system.Artifact', false],
      schema: ['system.Artifact', true],
      baseline_statistics: ['system.Artifact', true],
      serving_statistics: ['system.Artifact', true],
    });
    expect(Object.fromEntries(Object.entries(ir.outputDefinitions!.artifacts!).map(([k, v]) => [k, v.artifactType.schemaTitle]))).toEqual({
      anomalies: 'system.Artifact', drift: 'system.Metrics', report: 'system.HTML',
    });
    expect(Object.fromEntries(Object.entries(ir.outputDefinitions!.parameters!).map(([k, v]) => [k, v.parameterType]))).toEqual({
      drift_detected: 'BOOLEAN', anomaly_count: 'NUMBER_INTEGER',
    });
    expect(validate.image).toMatch(/\/formalize\/tfdv-validate:\d+\.\d+\.\d+$/);
    expect(validate.command).toEqual(['node', '--conditions=formalize-dist', '/app/packages/tfdv-stats/dist/main.js']);
  });

  it('loads nothing heavy to start: the contracts import only node builtins, zod and workspace sources', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'validate-trace-'));
    const trace = join(dir, 'imports.txt');
    const r = spawnSync(process.execPath, ['--import', join(PKG, 'test/stats-component-trace.ts'), '--input-type=module', '-e', `await import(${JSON.stringify(join(PKG, 'src/components.ts'))})`], {
      env: { ...process.env, TRACE_IMPORTS_FILE: trace }, encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const urls = [...new Set((await readFile(trace, 'utf8')).trim().split('\n'))];
    expect(urls).toContain(`file://${PKG}/src/components/validate.ts`);
    const repo = resolve(PKG, '../..');
    expect(urls.filter((u) => !u.startsWith('node:') && !u.startsWith(`file://${repo}/packages/`) && !/\/node_modules\/zod\//.test(u))).toEqual([]);
    expect(urls.filter((u) => /duckdb|bufbuild|\/protos?\b|_pb\.ts|\/validate\/(?!drift-thresholds)/.test(u))).toEqual([]);
  });

  it('exposes the library as @formalize/tfdv-stats/lib', async () => {
    const lib = await import('@formalize/tfdv-stats/lib');
    for (const name of [
      'generateStatistics', 'loadCsv', 'readStatistics', 'readSchema', 'readAnomalies', 'writeStatisticsFolder', 'writeSchemaFolder',
      'writeAnomaliesFolder', 'readMessageFile', 'writeMessageFile', 'inferSchema', 'updateSchema', 'validateStatistics', 'driftReport',
      'lInftyDistance', 'jensenShannonDivergence', 'normalizedAbsoluteDifference', 'validateDistribution', 'renderStatisticsHtml',
      'renderFacetsHtml', 'anomalyCount', 'AnomaliesSchema', 'SchemaSchema', 'DatasetFeatureStatisticsListSchema',
    ] as const) {
      expect(typeof lib[name], name).toMatch(/^(function|object)$/);
    }
  });
});
