// The training image as a Vertex AI custom training container and the evaluate image's serving entrypoint as a
// Vertex AI custom serving container, started with the variables Vertex sets:
// - train: AIP_MODEL_DIR, AIP_TENSORBOARD_LOG_DIR, AIP_CHECKPOINT_DIR, CLOUD_ML_HP_METRIC_FILE + CLOUD_ML_TRIAL_ID
//   (hypertune); the container must write the model, the TensorBoard events, the per-epoch checkpoint and the
//   tuning metrics where they say (on Vertex the metrics file is the default /tmp/hypertune/output.metrics inside
//   the container; here it is moved into the mounted task folder so the test can read it);
// - serve: AIP_HTTP_PORT, AIP_PREDICT_ROUTE, AIP_HEALTH_ROUTE; the container must answer health and predictions
//   for the raw test rows the data pipeline exported, and drain on SIGTERM.
// Inputs: the data pipeline (process launcher) into a fresh pipeline root, then model-build in the train image.
// Containers run through the docker launcher as a root runner runs them (uid 65532, --network none); the
// test holds the metadata store open, as the runner does for a run.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIrYaml, type PipelineSpec } from '@formalize/common';
import { openSqliteStore, type MetadataStore } from '@formalize/common/metadata';
import { createDockerLauncher } from '@formalize/runner';
import { CLI, docker, dockerStatus, pushedImage, ROOT, tempDir } from './harness.ts';

interface Artifact { name: string; type?: unknown; uri: string; metadata: Record<string, unknown> }
interface Launched { code: number | null; log: string; outputs: Record<string, Artifact>; parameters: Record<string, unknown>; dir: string }

const never = new AbortController().signal;
let root = '';
let store: MetadataStore;
let dataset: Artifact;
let runDir = '';

/** The output artifacts (name -> schema title) and output parameters the component's component.yaml declares. */
function declaredOutputs(component: string): { outputs: Record<string, string>; outputParams: string[] } {
  const spec = parseIrYaml(readFileSync(join(ROOT, 'packages/train/components', component, 'component.yaml'), 'utf8')).documents[0] as PipelineSpec;
  const defs = spec.root.outputDefinitions ?? {};
  return {
    outputs: Object.fromEntries(Object.entries(defs.artifacts ?? {}).map(([k, a]) => [k, a.artifactType.schemaTitle!])),
    outputParams: Object.keys(defs.parameters ?? {}),
  };
}

/**
 * One component of the train image, through the docker launcher, with an ExecutorInput built as the KFP launcher
 * builds it from the component.yaml: every declared output provisioned.
 */
async function launch(component: string, params: Record<string, unknown>, inputs: Record<string, [string, Artifact]>, env: (dir: string) => Record<string, string> = () => ({})): Promise<Launched> {
  const { outputs, outputParams } = declaredOutputs(component);
  const dir = join(root, `${component}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const ei = {
    inputs: {
      parameterValues: params,
      artifacts: Object.fromEntries(Object.entries(inputs).map(([k, [type, a]]) => [k, { artifacts: [{ ...a, type: { schemaTitle: type, schemaVersion: '0.0.1' } }] }])),
    },
    outputs: {
      artifacts: Object.fromEntries(Object.entries(outputs).map(([k, type]) => [k, { artifacts: [{ name: k, type: { schemaTitle: type, schemaVersion: '0.0.1' }, uri: join(dir, k), metadata: {} }] }])),
      parameters: Object.fromEntries(outputParams.map((k) => [k, { outputFile: join(dir, 'params', k) }])),
      outputFile: join(dir, 'executor_output.json'),
    },
  };
  const launcher = createDockerLauncher({ pull: 'missing' });
  const result = await launcher.launch({
    taskId: `vertex-${component}`, image: pushedImage('train').image, logFile: join(dir, 'task.log'), cwd: dir, mounts: [root],
    argv: ['node', '--conditions=formalize-dist', '/app/packages/train/dist/main.js', '--component', component, '--executor_input', JSON.stringify(ei)],
    env: { FORMALIZE_METADATA_STORE: join(root, 'pipeline', 'metadata.sqlite'), FORMALIZE_TF_BACKEND: 'wasm', ...env(dir) },
  }, never);
  const log = readFileSync(join(dir, 'task.log'), 'utf8');
  const out = result.exitCode === 0 ? JSON.parse(readFileSync(join(dir, 'executor_output.json'), 'utf8')) as { artifacts?: Record<string, { artifacts: Artifact[] }>; parameterValues?: Record<string, unknown> } : {};
  return {
    code: result.exitCode, log, dir,
    outputs: Object.fromEntries(Object.entries(out.artifacts ?? {}).map(([k, v]) => [k, v.artifacts[0]!])),
    parameters: out.parameterValues ?? {},
  };
}

beforeAll(async () => {
  root = tempDir('formalize-vertex-');
  const r = spawnSync(process.execPath, [CLI, 'run', join(ROOT, 'pipelines/compiled/data-preprocessing.yaml'), '--pipeline-root', join(root, 'pipeline'), '--launcher', 'process', '--json'], { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`the data pipeline failed (${r.status}): ${r.stderr}\n${r.stdout.slice(-2000)}`);
  const run = (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { run: { runDir: string; outputs: { artifacts: Record<string, Artifact[]> } } }).run;
  dataset = run.outputs.artifacts['dataset']![0]!;
  runDir = run.runDir;
  store = await openSqliteStore(join(root, 'pipeline', 'metadata.sqlite'));
});
afterAll(async () => { await store?.close(); });

describe('train image as a Vertex AI custom training container', () => {
  let trained: Launched;
  beforeAll(async () => {
    const built = await launch('model-build', { model_family: 'vertex-container', seed: 7 }, { dataset: ['google.VertexDataset', dataset] });
    if (built.code !== 0) throw new Error(`model-build failed:\n${built.log}`);
    trained = await launch('train', { hyperparameter_overrides: { epochs: 3 }, seed: 1 }, { dataset: ['google.VertexDataset', dataset], base_model: ['system.Model', built.outputs['model']!] },
      (dir) => ({
        AIP_MODEL_DIR: join(dir, 'aip', 'model'), AIP_TENSORBOARD_LOG_DIR: join(dir, 'aip', 'logs'), AIP_CHECKPOINT_DIR: join(dir, 'aip', 'checkpoints'),
        CLOUD_ML_HP_METRIC_FILE: join(dir, 'aip', 'hypertune', 'output.metrics'), CLOUD_ML_TRIAL_ID: '7',
      }));
  });

  it('trains, and writes the model to AIP_MODEL_DIR, events to AIP_TENSORBOARD_LOG_DIR, checkpoints to AIP_CHECKPOINT_DIR', () => {
    expect(trained.code, trained.log).toBe(0);
    const aip = join(trained.dir, 'aip');
    expect(readdirSync(join(aip, 'model')).sort()).toEqual(['metrics.txt', 'model.json', 'transform.json', 'weights.bin']);
    expect(trained.outputs['tensorboard']!.uri).toBe(join(aip, 'logs'));
    expect(readdirSync(join(aip, 'logs')).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);
    const ckpt = JSON.parse(readFileSync(join(aip, 'checkpoints', 'latest', 'model.json'), 'utf8')) as { userDefinedMetadata: { formalize: { epoch: number } } };
    expect(ckpt.userDefinedMetadata.formalize.epoch).toBe(3);
  });

  it('reports val_loss and val_auc per epoch in the hypertune file, as cloudml-hypertune writes it', () => {
    const lines = readFileSync(join(trained.dir, 'aip', 'hypertune', 'output.metrics'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^\{"global_step": "1", "timestamp": [0-9.]+, "trial": "7", "val_loss": "\d+\.\d+(e-?\d+)?"\}$/);
    const last = lines.filter((l) => l.includes('val_loss')).map((l) => Number((JSON.parse(l) as { val_loss: string }).val_loss));
    expect(last).toHaveLength(3);
    expect(Number.isFinite(trained.parameters['val_loss'] as number)).toBe(true);
  });

  describe('evaluate image serving that model as a Vertex AI custom serving container', () => {
    const PREDICT = '/v1/endpoints/1/deployedModels/2:predict';
    const HEALTH = '/v1/endpoints/1/deployedModels/2';
    let port = 0;
    let name = '';
    const call = (method: string, path: string, body?: unknown) => new Promise<{ status: number; json: unknown }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) as unknown : undefined }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

    beforeAll(async () => {
      port = await new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); }); });
      name = `formalize-serve-${randomBytes(4).toString('hex')}`;
      docker('run', '--detach', '--name', name, '--network', 'host', '--mount', `type=bind,source=${root},target=${root},readonly`,
        '-e', `AIP_HTTP_PORT=${port}`, '-e', `AIP_PREDICT_ROUTE=${PREDICT}`, '-e', `AIP_HEALTH_ROUTE=${HEALTH}`, '-e', `AIP_STORAGE_URI=${join(trained.dir, 'aip', 'model')}`, '-e', 'FORMALIZE_TF_BACKEND=wasm',
        pushedImage('evaluate').image, 'node', '--conditions=formalize-dist', '/app/packages/evaluate/dist/serve.js', '--host', '127.0.0.1');
      for (let i = 0; i < 600; i++) {
        const health = await call('GET', HEALTH).catch(() => undefined);
        if (health?.status === 200) return;
        await delay(100);
      }
      throw new Error(`the serving container never became healthy:\n${dockerStatus(['logs', name]).stderr}`);
    });
    afterAll(() => { dockerStatus(['rm', '--force', name]); });

    it('answers the health route and scores the exported raw test rows on the predict route', async () => {
      expect((await call('GET', HEALTH)).status).toBe(200);
      const dir = join(runDir, 'dataflow-preprocess', 'test_requests');
      const instances = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n')).slice(0, 8).map((l) => JSON.parse(l) as unknown);
      const first = await call('POST', PREDICT, { instances });
      expect(first.status).toBe(200);
      const predictions = (first.json as { predictions: { scores: number }[] }).predictions;
      expect(predictions).toHaveLength(instances.length);
      for (const p of predictions) expect(p.scores > 0 && p.scores < 1).toBe(true);
      expect((await call('POST', PREDICT, { instances })).json).toEqual(first.json);
      expect((await call('POST', PREDICT, { rows: instances })).status).toBe(400);
    });

    it('drains and exits 0 on SIGTERM (Vertex undeploying)', () => {
      docker('stop', '--time', '30', name);
      expect(docker('wait', name)).toBe('0');
      expect(dockerStatus(['logs', name]).stderr).toContain('stopping: finishing requests in flight');
    });
  });
});
