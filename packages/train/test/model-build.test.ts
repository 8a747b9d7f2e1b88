// model-build end to end, as the KFP launcher drives the container: the entrypoint in a child process with an
// ExecutorInput naming the dataset the data pipeline registered (the pipeline is run into a temp pipeline root
// first), the registry in that root's ML Metadata store; outputs checked on disk, in the registry, and by
// loading the model back on WASM and CPU.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@formalize/common/metadata';
import { loadModelBundle, loadTf, predictRows, type Tf } from '@formalize/common/model';
import { openRegistry } from '@formalize/common/registry';
import { readTransformArtifact, readTransformedRows, type TransformArtifact } from '@formalize/common/transform';

const PKG = resolve(import.meta.dirname, '..');
const ROOT = resolve(PKG, '../..');
const MAIN = join(PKG, 'test/model-build-main.ts');
const CLI = join(ROOT, 'packages/cli/src/main.ts');
const DATA_PIPELINE = join(ROOT, 'pipelines/compiled/data-preprocessing.yaml');

interface Artifact { name: string; type: { schemaTitle: string; schemaVersion?: string } | string; uri: string; metadata: Record<string, unknown> }

let root: string;
let store: string;
let dataset: Artifact;
let transform: TransformArtifact;
let tf: Tf;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'model-build-'));
  const r = spawnSync(process.execPath, [CLI, 'run', DATA_PIPELINE, '--pipeline-root', join(root, 'pipeline'), '-p', 'year=2014', '--json'], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`the data pipeline failed (${r.status}): ${r.stderr}\n${r.stdout.slice(-2000)}`);
  const run = JSON.parse(r.stdout.trim().split('\n').at(-1)!).run as { state: string; outputs: { artifacts: Record<string, Artifact[]> } };
  expect(run.state).toBe('SUCCEEDED');
  dataset = run.outputs.artifacts['dataset']![0]!;
  transform = await readTransformArtifact(dataset.metadata['transform_artifacts_dir'] as string);
  store = join(root, 'pipeline', 'metadata.sqlite');
  expect(existsSync(store)).toBe(true);
  ({ tf } = await loadTf({ prefer: ['wasm'] }));
}, 300_000);

interface Launch { code: number | null; stderr: string; errors: string[]; dir: string; model: string; output?: { artifacts: Record<string, { artifacts: Artifact[] }>; parameterValues?: Record<string, unknown> } }

let launches = 0;
async function launch(parameterValues: Record<string, unknown>, datasetArtifact: Artifact = dataset, env: Record<string, string | undefined> = {}): Promise<Launch> {
  const dir = join(root, `task-${++launches}`);
  const model = join(dir, 'model');
  const ei = {
    inputs: { parameterValues, artifacts: { dataset: { artifacts: [{ ...datasetArtifact, type: { schemaTitle: 'google.VertexDataset', schemaVersion: '0.0.1' } }] } } },
    outputs: {
      artifacts: { model: { artifacts: [{ name: 'model', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, uri: model, metadata: {} }] } },
      parameters: Object.fromEntries(['architecture', 'initialization', 'model_resource_name', 'model_version'].map((p) => [p, { outputFile: join(dir, p) }])),
      outputFile: join(dir, 'executor_output.json'),
    },
  };
  const r = spawnSync(process.execPath, [MAIN, '--component', 'model-build', '--executor_input', JSON.stringify(ei)], {
    env: { ...process.env, FORMALIZE_METADATA_STORE: store, ...env }, encoding: 'utf8',
  });
  const outFile = join(dir, 'executor_output.json');
  return {
    code: r.status, stderr: r.stderr, errors: r.stderr.split('\n').filter((l) => l.startsWith('error: ')), dir, model,
    ...(existsSync(outFile) && { output: JSON.parse(await readFile(outFile, 'utf8')) }),
  };
}

const familyVersions = async (family: string) => {
  const s = await openSqliteStore(store);
  try {
    return await openRegistry(s).listVersions(family, { label: 'base_model' });
  } finally {
    await s.close();
  }
};

describe('model-build', () => {
  let first: Launch;
  beforeAll(async () => {
    first = await launch({ model_family: 'taxi-a', seed: 7, display_name: 'chicago base', serving_image: 'localhost:5000/formalize/serve:0.1.0' });
  }, 120_000);

  it('saves the untrained model with the transform artifact and the Seam 1 metadata', async () => {
    expect(first.errors).toEqual([]);
    expect(first.code).toBe(0);
    expect((await readdir(first.model)).sort()).toEqual(['model.json', 'transform.json', 'weights.bin']);
    expect(JSON.parse(await readFile(join(first.model, 'transform.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(transform)));
    const [artifact] = first.output!.artifacts['model']!.artifacts;
    const m = artifact!.metadata;
    expect(m).toMatchObject({
      framework: 'tfjs-layers', model_family: 'taxi-a', labels: { base_model: '1' },
      transform: dataset.metadata['transform_artifacts_dir'], dataset: dataset.metadata['resourceName'],
      displayName: 'chicago base', seed: 7, containerSpec: { imageUri: 'localhost:5000/formalize/serve:0.1.0' },
      resourceName: 'projects/formalize-local/locations/local/models/taxi-a@1', version: 1,
    });
    expect(m['architecture']).toMatch(/^[0-9a-f]{64}$/);
    expect(m['initialization']).toMatch(/^[0-9a-f]{64}$/);
    const params = Object.fromEntries(await Promise.all(['architecture', 'initialization', 'model_resource_name', 'model_version'].map(async (p) => [p, await readFile(join(first.dir, p), 'utf8')])));
    expect(params).toEqual({ architecture: m['architecture'], initialization: m['initialization'], model_resource_name: 'projects/formalize-local/locations/local/models/taxi-a@1', model_version: '1' });
    // model.json carries the same metadata, so the folder describes itself.
    const json = JSON.parse(await readFile(join(first.model, 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.formalize).toMatchObject({ architecture: m['architecture'], labels: { base_model: '1' } });
  });

  it('registers it as a base model version (label base_model, no default alias: it is untrained)', async () => {
    const versions = await familyVersions('taxi-a');
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({ family: 'taxi-a', version: 1, uri: first.model, labels: { base_model: '1' }, aliases: [], description: 'chicago base' });
    expect(versions[0]!.metadata).toMatchObject({ architecture: first.output!.artifacts['model']!.artifacts[0]!.metadata['architecture'] });
  });

  it('builds the seed architecture from the dataset\'s feature groups and vocabulary sizes', async () => {
    const { model, spec } = await loadModelBundle(tf, first.model);
    const features = transform.features.map((f) => f.name);
    expect(model.inputNames).toEqual(features);
    const sizes = transform.groups.vocabularySizes;
    for (const f of transform.groups.numeric) expect(model.getLayer(f).batchInputShape).toEqual([null, 1]);
    for (const f of transform.groups.categorical) {
      expect(model.getLayer(`${f}_onehot`).getClassName()).toBe('CategoryEncoding');
      expect(model.getLayer(`${f}_onehot`).outputShape).toEqual([null, sizes[f]! + 1]);
    }
    let width = transform.groups.numeric.length;
    for (const f of transform.groups.categorical) width += sizes[f]! + 1;
    for (const f of transform.groups.embedding) {
      const table = model.getLayer(`${f}_embedding`).getWeights()[0]!;
      expect(table.shape).toEqual([sizes[f]! + 1, Math.floor(Math.sqrt(sizes[f]!))]);
      width += Math.floor(Math.sqrt(sizes[f]!));
    }
    expect(model.getLayer('combines_inputs').outputShape).toEqual([null, width]);
    expect(['feedforward_1', 'feedforward_2', 'logits', 'probabilities'].map((n) => model.getLayer(n).outputShape)).toEqual([[null, 128], [null, 64], [null, 1], [null, 1]]);
    expect(spec.inputs).toHaveLength(features.length);
    model.dispose();
  });

  it('loads back and predicts the same test rows on WASM and CPU (within 1e-5)', async () => {
    const rows: Record<string, unknown>[] = [];
    for await (const row of readTransformedRows(join(dataset.metadata['transformed_data_prefix'] as string, 'test'))) rows.push(row);
    expect(rows.length).toBeGreaterThan(100);
    const score = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      const { model, spec } = await loadModelBundle(tf, first.model);
      const p = predictRows(tf, model, spec, rows);
      model.dispose();
      return p;
    };
    const [wasm, cpu] = [await score('wasm'), await score('cpu')];
    expect(wasm).toHaveLength(rows.length);
    wasm.forEach((p, i) => expect(Math.abs(p - cpu[i]!)).toBeLessThanOrEqual(1e-5));
    // An untrained sigmoid output: probabilities, not all the same.
    expect(new Set(wasm).size).toBeGreaterThan(rows.length / 2);
    await tf.setBackend('wasm');
  });

  it('is deterministic per seed: the same seed rebuilds the same weights, another seed other ones', async () => {
    const again = await launch({ model_family: 'taxi-a', seed: 7 });
    const other = await launch({ model_family: 'taxi-a', seed: 8 });
    expect([again.code, other.code]).toEqual([0, 0]);
    const meta = (l: Launch) => l.output!.artifacts['model']!.artifacts[0]!.metadata;
    expect(await readFile(join(again.model, 'weights.bin'))).toEqual(await readFile(join(first.model, 'weights.bin')));
    expect(meta(again)['initialization']).toBe(meta(first)['initialization']);
    expect(await readFile(join(other.model, 'weights.bin'))).not.toEqual(await readFile(join(first.model, 'weights.bin')));
    expect(meta(other)['initialization']).not.toBe(meta(first)['initialization']);
    // Same dataset, same architecture, whatever the seed.
    expect(meta(other)['architecture']).toBe(meta(first)['architecture']);
    expect((await familyVersions('taxi-a')).map((v) => v.version)).toEqual([1, 2, 3]);
  }, 120_000);
});

describe('model-build refuses bad input, leaving no outputs and no registry entry', () => {
  const expectNothing = async (l: Launch, family: string) => {
    expect(l.code).toBe(1);
    expect(existsSync(l.model)).toBe(false);
    expect(l.output).toBeUndefined();
    expect(await familyVersions(family)).toEqual([]);
  };

  it('a dataset without a transform artifact, naming the key', async () => {
    const { transform_artifacts_dir: _, ...metadata } = dataset.metadata;
    const l = await launch({ model_family: 'bad-a' }, { ...dataset, uri: join(root, 'no-such-dataset'), metadata });
    expect(l.errors).toEqual([
      'error: inputs.artifacts.dataset.metadata.transform_artifacts_dir: expected the URI of the dataset\'s transform artifact (the data pipeline\'s dataflow-preprocess `transform` output), received nothing',
    ]);
    await expectNothing(l, 'bad-a');
  });

  it('a transform artifact that is not there, naming the file', async () => {
    const missing = join(root, 'gone', 'transform');
    const l = await launch({ model_family: 'bad-b' }, { ...dataset, metadata: { ...dataset.metadata, transform_artifacts_dir: missing } });
    expect(l.errors).toEqual([`error: ${missing}: cannot read the transform artifact (ENOENT)`]);
    await expectNothing(l, 'bad-b');
  });

  it('a dataset whose feature groups are not its transform artifact\'s', async () => {
    const l = await launch({ model_family: 'bad-c' }, { ...dataset, metadata: { ...dataset.metadata, embedding_features: ['loc_cross'] } });
    expect(l.errors).toEqual([expect.stringMatching(/^error: inputs\.artifacts\.dataset\.metadata\.embedding_features: expected \[.*\] \(the embedding group of .*\), received \["loc_cross"\]$/)]);
    await expectNothing(l, 'bad-c');
  });

  it('a bad family name or seed, and no metadata store to register in', async () => {
    const bad = await launch({ model_family: 'Taxi A', seed: -1 });
    expect(bad.errors).toEqual([
      expect.stringMatching(/^error: inputs\.parameterValues\.model_family: expected a model family.*, received "Taxi A"$/),
      expect.stringMatching(/^error: inputs\.parameterValues\.seed: .*received -1$/),
    ]);
    expect(existsSync(bad.model)).toBe(false);
    const noStore = await launch({ model_family: 'bad-d' }, dataset, { FORMALIZE_METADATA_STORE: '' });
    expect(noStore.errors).toEqual(['error: FORMALIZE_METADATA_STORE: expected the path of the ML Metadata store holding the model registry (the local runner sets it to <pipeline root>/metadata.sqlite), received nothing']);
    await expectNothing(noStore, 'bad-d');
  });
});
