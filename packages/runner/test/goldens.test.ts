// Compiled KFP goldens (../shared/conformance/kfp-ir) run as they are: the IR the KFP SDK wrote, not one
// byte changed. Their images are mapped to local stand-ins: the host launcher with stand-in programs on
// PATH (test/fixtures/golden-stand-ins), or Docker images built here from formalize/busybox:local.
// Every golden with container components only runs here; the others (lightweight Python components,
// which pip-install the kfp SDK at start, and a GCPC op) cannot: see the runner README.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIrYaml } from '@formalize/common';
import { createDockerLauncher } from '../src/launchers/docker.ts';
import { createHostLauncher } from '../src/launchers/host.ts';
import { runPipeline } from '../src/run.ts';
import type { RunRecord } from '../src/types.ts';
import { task, tempRoot } from './harness.ts';

const GOLDENS = resolve(import.meta.dirname, '../../../../shared/conformance/kfp-ir');
const STAND_INS = resolve(import.meta.dirname, 'fixtures/golden-stand-ins');
const load = (f: string) => parseIrYaml(readFileSync(join(GOLDENS, f), 'utf8')).documents[0];
const log = (r: RunRecord, id: string) => readFileSync(join(r.runDir, task(r, id).log!), 'utf8');
const file = (uri: string) => readFileSync(uri, 'utf8');

const UBI = 'registry.access.redhat.com/ubi9/python-311:latest';
const CLOUD_SDK = 'google/cloud-sdk:slim';
/** The images' commands on this machine, with the stand-in programs (my_program, gsutil) first on PATH. */
const host = (...images: string[]) => createHostLauncher({ images, env: { ...process.env, PATH: `${STAND_INS}:${process.env['PATH']}` } });

describe('KFP goldens on the host launcher', () => {
  it('hello_world.yaml: the task prints its greeting', async () => {
    const r = await runPipeline(load('hello_world.yaml'), { pipelineRoot: tempRoot(), launchers: [host(UBI)] });
    expect(r.state).toBe('SUCCEEDED');
    expect(log(r, 'echo').trim()).toBe('hello world');
  });

  it('container_with_concat_placeholder.yaml: Concat becomes one argument', async () => {
    const r = await runPipeline(load('container_with_concat_placeholder.yaml'), { pipelineRoot: tempRoot(), parameters: { text1: 'abc' }, launchers: [host(UBI)] });
    expect(r.state).toBe('SUCCEEDED');
    const text2 = join(r.runDir, 'container-with-concat-placeholder', 'text2');
    expect(log(r, 'container-with-concat-placeholder').trim().split('\n'))
      .toEqual([`prefix-abc${text2}`, '--output_path', join(r.runDir, 'container-with-concat-placeholder', 'output_path')].map((a) => `arg: ${a}`));
    expect(r.outputs.parameters).toEqual({ output_path: 'written by my_program' });
    expect(r.outputs.artifacts['text2']![0]!.uri).toBe(text2);
  });

  it('container_with_if_placeholder.yaml: IfPresent takes the Then branch with the default and with a given value', async () => {
    for (const [params, value] of [[{}, 'default'], [{ optional_input: 'given' }, 'given']] as const) {
      const r = await runPipeline(load('container_with_if_placeholder.yaml'), { pipelineRoot: tempRoot(), parameters: params, launchers: [host(UBI)] });
      expect(r.state).toBe('SUCCEEDED');
      const dir = join(r.runDir, 'container-with-if-placeholder');
      expect(log(r, 'container-with-if-placeholder').trim().split('\n'))
        .toEqual([value, '--dataset', join(dir, 'dataset'), '--output_path', join(dir, 'output_path')].map((a) => `arg: ${a}`));
      expect(r.outputs.parameters).toEqual({ output_path: 'written by my_program' });
      expect(file(r.outputs.artifacts['dataset']![0]!.uri)).toBe(`dataset for ${value}`);
    }
  });

  it('two_step_pipeline.yaml: gsutil writes and reads the artifact through a gs:// pipeline root', async () => {
    const mount = tempRoot();
    const r = await runPipeline(load('two_step_pipeline.yaml'), {
      pipelineRoot: 'gs://goldens/root', env: { FORMALIZE_GCS_MOUNT: mount }, parameters: { text: 'through gcs' }, launchers: [host(CLOUD_SDK)],
    });
    expect(r.state).toBe('SUCCEEDED');
    expect(r.tasks.map((t) => [t.id, t.displayName, t.state]).sort()).toEqual([['read-from-gcs', 'Consumer', 'SUCCEEDED'], ['write-to-gcs', 'Producer', 'SUCCEEDED']]);
    const uri = task(r, 'write-to-gcs').outputs.artifacts['output_gcs_path']![0]!.uri;
    expect(uri).toBe(`gs://goldens/root/${r.pipelineName}-${r.runId}/write-to-gcs/output_gcs_path`);
    expect(file(join(mount, uri.slice('gs://'.length)))).toBe('through gcs\n');
    // The consumer got the same gs:// URI and printed the object (after `set -x` traced the command).
    expect(log(r, 'read-from-gcs')).toContain(`+ gsutil cat ${uri}\nthrough gcs\n`);
  });
});

describe('KFP goldens in Docker stand-in images', () => {
  // Images the goldens name, and the local images built from formalize/busybox:local to stand in for them.
  const images = {
    'gcr.io/my-image': { tag: 'formalize-test/golden-my-image:local', dockerfile: 'COPY run.sh /work/run.sh\nWORKDIR /work' },
    'gcr.io/my-project/my-ingestor': { tag: 'formalize-test/golden-ingestor:local', dockerfile: 'COPY ingest.sh /stand-in/ingest.sh\nENTRYPOINT ["/bin/sh", "/stand-in/ingest.sh"]' },
    'gcr.io/my-project/my-fancy-trainer': { tag: 'formalize-test/golden-trainer:local', dockerfile: 'COPY train.sh /stand-in/train.sh\nENTRYPOINT ["/bin/sh", "/stand-in/train.sh"]' },
    'gcr.io/image': { tag: 'formalize-test/golden-io:local', dockerfile: 'COPY io.sh /stand-in/io.sh\nENTRYPOINT ["/bin/sh", "/stand-in/io.sh"]' },
  };
  const standIns = Object.fromEntries(Object.entries(images).map(([image, { tag }]) => [image, tag]));
  const docker = () => createDockerLauncher({ standIns });

  beforeAll(async () => {
    if (!(await createDockerLauncher().canRun('formalize/busybox:local'))) throw new Error('no Docker daemon with formalize/busybox:local: run scripts/ci-services.sh as root');
    for (const { tag, dockerfile } of Object.values(images)) {
      execFileSync('docker', ['build', '--quiet', '--tag', tag, '--file', '-', STAND_INS], { input: `FROM formalize/busybox:local\n${dockerfile}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    }
  });
  afterAll(() => {
    execFileSync('docker', ['image', 'rm', '--force', ...Object.values(images).map((i) => i.tag)], { stdio: 'ignore' });
  });

  it("container_with_artifact_output.yaml: `sh run.sh` from the image's WORKDIR writes the model and its config path", async () => {
    const r = await runPipeline(load('container_with_artifact_output.yaml'), { pipelineRoot: tempRoot(), parameters: { num_epochs: 7 }, launchers: [docker()] });
    expect(r.error).toBeUndefined();
    expect(r.state).toBe('SUCCEEDED');
    const model = r.outputs.artifacts['model']![0]!;
    expect([model.type, file(model.uri)]).toEqual(['system.Model', 'model trained for 7 epochs']);
    expect(r.outputs.parameters).toEqual({ model_config_path: `${model.uri}.config` });
    expect(log(r, 'container-with-artifact-output')).toBe('model metadata: {}\nrunning in /work\n');
  });

  it('pipeline_with_various_io_types.yaml: a pipeline input artifact, eight artifact types through .uri and .path', async () => {
    const root = tempRoot();
    const input3 = join(root, 'input3.txt');
    writeFileSync(input3, 'seed');
    const r = await runPipeline(load('pipeline_with_various_io_types.yaml'), {
      pipelineRoot: root, parameters: { input1: 'abcdef' }, artifacts: { input3: { uri: input3 } }, launchers: [docker()],
    });
    expect(r.error).toBeUndefined();
    expect(r.state).toBe('SUCCEEDED');
    expect(r.inputArtifacts).toEqual({ input3: [{ name: 'input3', type: 'system.Artifact', uri: input3, metadata: {} }] });
    expect(log(r, 'upstream')).toBe('upstream: input_1=abcdef input_2=3.1415926 input_4=\n');
    expect(task(r, 'upstream').outputs.parameters).toEqual({ output_1: 6 });
    expect(Object.entries(task(r, 'upstream').outputs.artifacts).map(([k, [a]]) => [k, a!.type]).sort()).toEqual([
      ['output_2', 'system.Model'], ['output_3', 'system.Artifact'], ['output_4', 'system.Model'], ['output_5', 'system.Artifact'],
      ['output_6', 'system.Artifact'], ['output_7', 'system.Artifact'], ['output_8', 'system.HTML'], ['output_9', 'google.BQMLModel'],
    ]);
    // downstream got output_1 as input_a and read every artifact upstream wrote from the seed.
    expect(log(r, 'downstream').trim().split('\n')).toEqual(['input_a=6', ...[2, 3, 4, 5, 6, 7, 8].map((n) => `output_${n} of seed`)]);
  });

  it('pipeline_with_resource_spec.yaml: ENTRYPOINT images, the trainer reads the ingested examples', async () => {
    const r = await runPipeline(load('pipeline_with_resource_spec.yaml'), { pipelineRoot: tempRoot(), parameters: { optimizer: 'adam' }, launchers: [docker()] });
    expect(r.error).toBeUndefined();
    expect(r.state).toBe('SUCCEEDED');
    expect(r.tasks.map((t) => [t.id, t.state]).sort()).toEqual([['ingestion', 'SUCCEEDED'], ['trainer', 'SUCCEEDED']]);
    // n_epochs keeps its IR default (200.0, an integer parameter), rendered as 200.
    const model = task(r, 'trainer').outputs.artifacts['model']![0]!;
    expect(file(model.uri)).toBe('adam x200 on [examples from gs://test-bucket/pipeline_root]');
  });
});
