// The data pipeline (pipelines/compiled/data-preprocessing.yaml) run twice with `formalize run` on fresh
// pipeline roots: once by the process launcher (the checkout's entrypoints), once by the docker launcher
// pulling every component image from the local registry (--pull always) and running it as the task user.
// The outputs must be the same: statistics, schema, anomalies, split row counts, transform constants
// (floating point within a relative 1e-9: DuckDB's parallel sums may add in another order), dataset metadata.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, dockerStatus, pushedImage, ROOT, tempDir } from './harness.ts';

const SPEC = join(ROOT, 'pipelines/compiled/data-preprocessing.yaml');
const YEAR = 2014;

interface Task { id: string; state: string; image?: string; imageId?: string; imageDigest?: string; dir: string }
interface Run {
  state: string;
  runDir: string;
  pipelineRoot: string;
  tasks: Task[];
  outputs: { parameters: Record<string, unknown>; artifacts: Record<string, { uri: string; metadata: Record<string, unknown> }[]> };
}

function formalizeRun(root: string, ...flags: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, 'run', SPEC, '--pipeline-root', root, '-p', `year=${YEAR}`, '--json', ...flags], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`formalize run ${flags.join(' ')} exited ${r.status}: ${r.stderr}\n${r.stdout.slice(-3000)}`);
  return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { run: Run }).run;
}

/** A JSON value with this run's own paths (pipeline root, run folder) replaced, so two runs compare. */
function portable(value: unknown, run: Run): unknown {
  const text = JSON.stringify(value).replaceAll(run.runDir, '<run>').replaceAll(run.pipelineRoot, '<root>');
  return JSON.parse(text);
}

/** Deep equality with numbers equal within a relative tolerance; throws naming the first difference. */
function expectClose(a: unknown, b: unknown, path = '$', rel = 1e-9): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Math.abs(a - b) > rel * Math.max(Math.abs(a), Math.abs(b), 1e-12)) throw new Error(`${path}: ${a} != ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) throw new Error(`${path}: ${a.length} items != ${b.length}`);
    a.forEach((x, i) => expectClose(x, b[i], `${path}[${i}]`, rel));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    expect(Object.keys(b).sort(), `${path}: keys`).toEqual(ka);
    for (const k of ka) expectClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, rel);
    return;
  }
  expect(b, path).toEqual(a);
}

const readJson = (...parts: string[]) => JSON.parse(readFileSync(join(...parts), 'utf8')) as unknown;
const readText = (...parts: string[]) => readFileSync(join(...parts), 'utf8');

describe('data pipeline: docker launcher (images pulled from the registry) against the process launcher', () => {
  let proc: Run;
  let dock: Run;
  beforeAll(() => {
    proc = formalizeRun(tempDir('formalize-data-process-'), '--launcher', 'process');
    dock = formalizeRun(tempDir('formalize-data-docker-'), '--launcher', 'docker', '--pull', 'always');
  });

  it('both succeed, every docker task running the pushed image by digest', () => {
    expect(proc.state).toBe('SUCCEEDED');
    expect(dock.state).toBe('SUCCEEDED');
    expect(dock.tasks.map((t) => t.id).sort()).toEqual(proc.tasks.map((t) => t.id).sort());
    for (const t of dock.tasks) {
      const component = t.image!.split('/').at(-1)!.split(':')[0]!;
      const pushed = pushedImage(component);
      const repository = pushed.image.split('@')[0]!.replace(/:[^:/]+$/, '');
      expect(t.imageDigest, t.id).toBe(`${repository}@${pushed.digest}`);
      expect(t.imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
    expect(proc.tasks.every((t) => t.imageId === undefined)).toBe(true);
  });

  it('same output parameters: row count, anomaly count, split row counts', () => {
    expect(dock.outputs.parameters).toEqual(proc.outputs.parameters);
    for (const f of ['train_rows', 'val_rows', 'test_rows']) expect(readText(dock.runDir, 'dataflow-preprocess', f)).toBe(readText(proc.runDir, 'dataflow-preprocess', f));
    expect(readText(dock.runDir, 'tfdv-validate/anomaly_count')).toBe(readText(proc.runDir, 'tfdv-validate/anomaly_count'));
  });

  it('same statistics and schema', () => {
    const stats = (r: Run) => r.outputs.artifacts['statistics']![0]!.uri;
    expectClose(readJson(stats(proc), 'FeatureStats.json'), readJson(stats(dock), 'FeatureStats.json'));
    const schema = (r: Run) => join(r.runDir, 'tfdv-stats', 'schema');
    const files = readdirSync(schema(proc)).sort();
    expect(readdirSync(schema(dock)).sort()).toEqual(files);
    for (const f of files) expect(readText(schema(dock), f), f).toBe(readText(schema(proc), f));
  });

  it('same transform constants (z-score means and deviations, vocabularies) and dataset metadata', () => {
    const dataset = (r: Run) => portable(readJson(r.outputs.artifacts['dataset']![0]!.uri, 'metadata.json'), r) as Record<string, unknown>;
    expectClose(dataset(proc), dataset(dock));
    const transform = (r: Run) => {
      const meta = readJson(r.outputs.artifacts['dataset']![0]!.uri, 'metadata.json') as { transform_artifacts_dir: string };
      return portable(readJson(meta.transform_artifacts_dir), r);
    };
    expectClose(transform(proc), transform(dock));
  });

  it('the registry was asked for every image: they are all there under their pinned digests', () => {
    for (const t of dock.tasks) expect(dockerStatus(['manifest', 'inspect', '--insecure', t.imageDigest!]).code, t.imageDigest).toBe(0);
  });
});
