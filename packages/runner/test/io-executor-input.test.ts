// ExecutorInput provisioning: the shape the KFP driver hands to a container, on kfp.local's layout.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComponentSpec } from '@formalize/common';
import { buildExecutorInput, executorInputJson, outputArtifactUri, resolveCommand } from '../src/io/index.ts';
import type { ArtifactRecord } from '../src/types.ts';

const spec: ComponentSpec = {
  executorLabel: 'exec-train',
  inputDefinitions: {
    parameters: {
      lr: { parameterType: 'NUMBER_DOUBLE' },
      epochs: { parameterType: 'NUMBER_INTEGER', isOptional: true, defaultValue: 10 },
      tag: { parameterType: 'STRING', isOptional: true },
      flags: { parameterType: 'STRUCT', isOptional: true, defaultValue: { b: 1, a: 2 } },
    },
    artifacts: {
      data: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.2' } },
      extra: { artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' }, isArtifactList: true, isOptional: true },
    },
  },
  outputDefinitions: {
    parameters: { loss: { parameterType: 'NUMBER_DOUBLE' }, best: { parameterType: 'STRING' } },
    artifacts: { model: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } }, metrics: { artifactType: { schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' } } },
  },
};
const data: ArtifactRecord = { name: 'data', type: 'system.Dataset', uri: '/runs/p/prep/data', metadata: { z: 1, a: { y: 2, b: 3 } } };

describe('buildExecutorInput', () => {
  it('provisions inputs (with defaults) and outputs under the task folder', () => {
    const ei = buildExecutorInput({
      componentSpec: spec, taskDir: '/runs/p/train',
      parameterValues: { lr: 0.1, 'pipelinechannel--up-Output': 'x' },
      inputArtifacts: { data: [data], extra: [] },
    });
    expect(ei).toEqual({
      inputs: {
        artifacts: { data: { artifacts: [{ name: 'data', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.2' }, uri: '/runs/p/prep/data', metadata: { a: { b: 3, y: 2 }, z: 1 } }] } },
        // Given values (also task inputs beyond the interface), plus defaults of unset inputs; `tag` has none.
        parameterValues: { epochs: 10, flags: { a: 2, b: 1 }, lr: 0.1, 'pipelinechannel--up-Output': 'x' },
      },
      outputs: {
        parameters: { best: { outputFile: '/runs/p/train/best' }, loss: { outputFile: '/runs/p/train/loss' } },
        artifacts: {
          metrics: { artifacts: [{ name: 'metrics', type: { schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' }, uri: '/runs/p/train/metrics', metadata: {} }] },
          model: { artifacts: [{ name: 'model', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, uri: '/runs/p/train/model', metadata: {} }] },
        },
        outputFile: '/runs/p/train/executor_output.json',
      },
    });
  });

  it('keeps a given value over the default, including null', () => {
    const ei = buildExecutorInput({ componentSpec: spec, taskDir: '/t', parameterValues: { lr: 1, epochs: 2, flags: null }, inputArtifacts: {} });
    expect(ei.inputs.parameterValues).toEqual({ epochs: 2, flags: null, lr: 1 });
  });

  it('serializes like protojson: proto field order, sorted map keys, empty maps omitted', () => {
    const ei = buildExecutorInput({ componentSpec: spec, taskDir: '/runs/p/train', parameterValues: { lr: 0.1 }, inputArtifacts: { data: [data] } });
    const text = executorInputJson(ei);
    expect(text).toBe(JSON.stringify(ei));
    expect(text.startsWith('{"inputs":{"artifacts":{"data":{"artifacts":[{"name":"data","type":{"schemaTitle":"system.Dataset","schemaVersion":"0.0.2"},"uri":"/runs/p/prep/data","metadata":{"a":{"b":3,"y":2},"z":1}}]}},"parameterValues":{"epochs":10,')).toBe(true);
    const bare = buildExecutorInput({ componentSpec: {}, taskDir: '/t', parameterValues: {}, inputArtifacts: {} });
    expect(executorInputJson(bare)).toBe('{"inputs":{},"outputs":{"outputFile":"/t/executor_output.json"}}');
  });

  it('takes the schema version of an input artifact from the interface only for the same type', () => {
    const model: ArtifactRecord = { name: 'm', type: 'system.Model', uri: '/m', metadata: {} };
    const ei = buildExecutorInput({ componentSpec: spec, taskDir: '/t', parameterValues: {}, inputArtifacts: { data: [model], extra: [model, data] } });
    expect(ei.inputs.artifacts?.data?.artifacts[0]?.type).toEqual({ schemaTitle: 'system.Model', schemaVersion: '0.0.1' });
    expect(ei.inputs.artifacts?.extra?.artifacts.map((a) => a.uri)).toEqual(['/m', '/runs/p/prep/data']);
  });

  it('makes the task folder absolute', () => {
    const ei = buildExecutorInput({ componentSpec: spec, taskDir: 'rel/task', parameterValues: {}, inputArtifacts: {} });
    expect(ei.outputs.outputFile).toBe(resolve('rel/task/executor_output.json'));
  });

  it('gives output artifacts gs:// URIs under a gs:// pipeline root mounted at FORMALIZE_GCS_MOUNT', () => {
    const mount = mkdtempSync(join(tmpdir(), 'gcs-'));
    const env = { FORMALIZE_GCS_MOUNT: mount };
    const taskDir = join(mount, 'bucket/root/p-1/train');
    const ei = buildExecutorInput({ componentSpec: spec, taskDir, pipelineRoot: 'gs://bucket/root/', parameterValues: { lr: 1 }, inputArtifacts: {}, env });
    expect(ei.outputs.artifacts?.model?.artifacts[0]?.uri).toBe('gs://bucket/root/p-1/train/model');
    // Files the container writes stay local paths.
    expect(ei.outputs.parameters?.loss?.outputFile).toBe(join(taskDir, 'loss'));
    expect(ei.outputs.outputFile).toBe(join(taskDir, 'executor_output.json'));
    // .path maps the URI back to the mount; .uri keeps gs://.
    expect(resolveCommand(["{{$.outputs.artifacts['model'].uri}}", "{{$.outputs.artifacts['model'].path}}"], { executorInput: ei, env }))
      .toEqual(['gs://bucket/root/p-1/train/model', join(taskDir, 'model')]);
  });

  it('maps output artifact paths to URIs', () => {
    const env = { FORMALIZE_GCS_MOUNT: '/mnt/gcs' };
    expect(outputArtifactUri('/mnt/gcs/b/r/t/model', 'gs://b/r', env)).toBe('gs://b/r/t/model');
    expect(outputArtifactUri('/mnt/gcs/b/other/model', 'gs://b/r', env)).toBe('gs://b/other/model'); // outside the root, still mounted
    expect(outputArtifactUri('/local/runs/t/model', 'gs://b/r', env)).toBe('/local/runs/t/model');
    expect(outputArtifactUri('/local/runs/t/model', '/local/runs', env)).toBe('/local/runs/t/model');
    expect(outputArtifactUri('/local/runs/t/model', undefined, env)).toBe('/local/runs/t/model');
    expect(outputArtifactUri('/s3/b/r/t/model', 's3://b/r', env)).toBe('s3://b/r/t/model');
  });
});
