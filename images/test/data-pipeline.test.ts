// The data pipeline (pipelines/compiled/data-preprocessing.yaml) run twice with `formalize run` on fresh
// pipeline roots: once by the process launcher (the checkout's entrypoints), once by the docker launcher
// pulling every component image from the local registry (--pull always) and running it as the task user.
// The outputs must be the same: statistics, schema, anomalies, split row counts, transform constants
// (floating point within a relative 1e-9: DuckDB's parallel sums may add in another order), dataset metadata.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@formalize/runner';
import { dockerStatus, expectClose, expectPushedImagesRan, formalizeRun, portable, readJson, readText, tempDir } from './harness.ts';

const SPEC = 'data-preprocessing.yaml';
const YEAR = 2014;

const folders = (r: RunRecord) => ({ run: r.runDir, root: r.pipelineRoot });

describe('data pipeline: docker launcher (images pulled from the registry) against the process launcher', () => {
  let proc: RunRecord;
  let dock: RunRecord;
  beforeAll(() => {
    proc = formalizeRun(SPEC, tempDir('formalize-data-process-'), 'process', { year: YEAR });
    dock = formalizeRun(SPEC, tempDir('formalize-data-docker-'), 'docker', { year: YEAR });
  });

  it('both succeed, every docker task running the pushed image by digest', () => {
    expectPushedImagesRan(dock, proc);
  });

  it('same output parameters: row count, anomaly count, split row counts', () => {
    expect(dock.outputs.parameters).toEqual(proc.outputs.parameters);
    for (const f of ['train_rows', 'val_rows', 'test_rows']) expect(readText(dock.runDir, 'dataflow-preprocess', f)).toBe(readText(proc.runDir, 'dataflow-preprocess', f));
    expect(readText(dock.runDir, 'tfdv-validate/anomaly_count')).toBe(readText(proc.runDir, 'tfdv-validate/anomaly_count'));
  });

  it('same statistics and schema', () => {
    const stats = (r: RunRecord) => r.outputs.artifacts['statistics']![0]!.uri;
    expectClose(readJson(stats(proc), 'FeatureStats.json'), readJson(stats(dock), 'FeatureStats.json'));
    const schema = (r: RunRecord) => join(r.runDir, 'tfdv-stats', 'schema');
    const files = readdirSync(schema(proc)).sort();
    expect(readdirSync(schema(dock)).sort()).toEqual(files);
    for (const f of files) expect(readText(schema(dock), f), f).toBe(readText(schema(proc), f));
  });

  it('same transform constants (z-score means and deviations, vocabularies) and dataset metadata', () => {
    const dataset = (r: RunRecord) => portable(readJson(r.outputs.artifacts['dataset']![0]!.uri, 'metadata.json'), folders(r)) as Record<string, unknown>;
    expectClose(dataset(proc), dataset(dock));
    const transform = (r: RunRecord) => {
      const meta = readJson(r.outputs.artifacts['dataset']![0]!.uri, 'metadata.json') as { transform_artifacts_dir: string };
      return portable(readJson(meta.transform_artifacts_dir), folders(r));
    };
    expectClose(transform(proc), transform(dock));
  });

  it('the registry was asked for every image: they are all there under their pinned digests', () => {
    for (const t of dock.tasks) expect(dockerStatus(['manifest', 'inspect', '--insecure', t.imageDigest!]).code, t.imageDigest).toBe(0);
  });
});
