// End-to-end fixtures for the train component: the data pipeline run into a temp pipeline root (`formalize run`
// of the compiled data-preprocessing IR), model-build run through the executor protocol for the base model, and a
// launcher that drives the train component as the KFP launcher does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const PKG = resolve(import.meta.dirname, '..');
const REPO = resolve(PKG, '../..');
export const MAIN = join(PKG, 'src/main.ts');

export interface Artifact { name: string; type: { schemaTitle: string; schemaVersion?: string }; uri: string; metadata: Record<string, unknown> }

export interface Pipeline {
  root: string;
  store: string;
  dataset: Artifact;
  baseModel: Artifact;
}

/** The data pipeline into a fresh pipeline root, then model-build for its dataset (family `family`). */
export async function preparePipeline(family = 'taxi-train', extraParams: string[] = []): Promise<Pipeline> {
  const root = await mkdtemp(join(tmpdir(), 'train-e2e-'));
  const r = spawnSync(process.execPath, [join(REPO, 'packages/cli/src/main.ts'), 'run', join(REPO, 'pipelines/compiled/data-preprocessing.yaml'), '--pipeline-root', join(root, 'pipeline'), '--json', ...extraParams],
    { encoding: 'utf8', cwd: REPO, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`the data pipeline failed (${r.status}): ${r.stderr}\n${r.stdout.slice(-2000)}`);
  const run = JSON.parse(r.stdout.trim().split('\n').at(-1)!).run as { state: string; outputs: { artifacts: Record<string, Artifact[]> } };
  if (run.state !== 'SUCCEEDED') throw new Error(`the data pipeline ended ${run.state}`);
  const dataset = run.outputs.artifacts['dataset']![0]!;
  const store = join(root, 'pipeline', 'metadata.sqlite');
  const built = await launch({ root, store }, 'model-build', { model_family: family, seed: 7 }, { dataset: ['google.VertexDataset', dataset] }, { model: 'system.Model' }, ['architecture', 'initialization', 'model_resource_name', 'model_version']);
  if (built.code !== 0) throw new Error(`model-build failed: ${built.stderr}`);
  return { root, store, dataset, baseModel: built.outputs['model']! };
}

export interface Launch {
  code: number | null;
  stderr: string;
  errors: string[];
  logs: Record<string, unknown>[];
  dir: string;
  /** Output artifacts as ExecutorOutput reports them (metadata included). */
  outputs: Record<string, Artifact>;
  parameters: Record<string, unknown>;
}

let launches = 0;

/** Runs one component of the package's entrypoint with an ExecutorInput, as the KFP launcher does. */
export async function launch(p: { root: string; store: string }, component: string, parameterValues: Record<string, unknown>,
  inputArtifacts: Record<string, [string, Artifact]>, outputArtifacts: Record<string, string>, outputParameters: string[], env: Record<string, string | undefined> = {}): Promise<Launch> {
  const dir = join(p.root, `task-${++launches}-${component}`);
  await mkdir(dir, { recursive: true });
  const ei = {
    inputs: {
      parameterValues,
      artifacts: Object.fromEntries(Object.entries(inputArtifacts).map(([k, [type, a]]) => [k, { artifacts: [{ ...a, type: { schemaTitle: type, schemaVersion: '0.0.1' } }] }])),
    },
    outputs: {
      artifacts: Object.fromEntries(Object.entries(outputArtifacts).map(([k, type]) => [k, { artifacts: [{ name: k, type: { schemaTitle: type, schemaVersion: '0.0.1' }, uri: join(dir, k), metadata: {} }] }])),
      parameters: Object.fromEntries(outputParameters.map((k) => [k, { outputFile: join(dir, 'params', k) }])),
      outputFile: join(dir, 'executor_output.json'),
    },
  };
  const r = spawnSync(process.execPath, [MAIN, '--component', component, '--executor_input', JSON.stringify(ei)], {
    env: { ...process.env, FORMALIZE_METADATA_STORE: p.store, FORMALIZE_TF_BACKEND: 'wasm', ...env }, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  const outFile = join(dir, 'executor_output.json');
  const out = existsSync(outFile) ? JSON.parse(await readFile(outFile, 'utf8')) as { artifacts?: Record<string, { artifacts: Artifact[] }>; parameterValues?: Record<string, unknown> } : {};
  const lines = r.stderr.split('\n');
  return {
    code: r.status, stderr: r.stderr, dir,
    errors: lines.filter((l) => l.startsWith('error: ')),
    logs: lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    outputs: Object.fromEntries(Object.entries(out.artifacts ?? {}).map(([k, v]) => [k, v.artifacts[0]!])),
    parameters: out.parameterValues ?? {},
  };
}

export const TRAIN_OUTPUT_ARTIFACTS = { model: 'system.Model', metrics: 'system.Metrics', tensorboard: 'system.Artifact', report: 'system.HTML' };
export const TRAIN_OUTPUT_PARAMETERS = ['val_loss', 'val_auc', 'hyperparameters', 'hyperparameters_source'];

/** The train component on the pipeline's dataset and base model. */
export function launchTrain(p: Pipeline, parameterValues: Record<string, unknown>, env: Record<string, string | undefined> = {}, artifacts: { dataset?: Artifact; baseModel?: Artifact } = {}): Promise<Launch> {
  return launch(p, 'train', parameterValues,
    { dataset: ['google.VertexDataset', artifacts.dataset ?? p.dataset], base_model: ['system.Model', artifacts.baseModel ?? p.baseModel] },
    TRAIN_OUTPUT_ARTIFACTS, TRAIN_OUTPUT_PARAMETERS, env);
}
