// Pipeline inputs: parameters and input artifacts are checked against the pipeline's inputDefinitions.
import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '@formalize/common';
import { ParameterError, resolveInputArtifacts } from '../src/params.ts';

const spec = {
  pipelineInfo: { name: 'takes-artifacts' },
  root: {
    dag: { tasks: {} },
    inputDefinitions: {
      artifacts: {
        data: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' } },
        shards: { artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' }, isArtifactList: true, isOptional: true },
      },
    },
  },
} as unknown as PipelineSpec;

describe('pipeline input artifacts', () => {
  it('types them by the pipeline inputs; a list input takes several', () => {
    expect(resolveInputArtifacts(spec, { data: { uri: '/d', metadata: { rows: 3 } }, shards: [{ uri: '/s0' }, { uri: '/s1' }] })).toEqual({
      data: [{ name: 'data', type: 'system.Dataset', uri: '/d', metadata: { rows: 3 } }],
      shards: [{ name: 'shards', type: 'system.Artifact', uri: '/s0', metadata: {} }, { name: 'shards', type: 'system.Artifact', uri: '/s1', metadata: {} }],
    });
  });

  it.each([
    [{}, "missing required input artifact 'data' (system.Dataset)"],
    [{ data: { uri: '/d' }, other: { uri: '/o' } }, "unknown input artifact 'other' (pipeline 'takes-artifacts' takes: data, shards)"],
    [{ data: [{ uri: '/a' }, { uri: '/b' }] }, "input artifact 'data': expected one artifact, received 2"],
    [{ data: { uri: '' } }, "input artifact 'data': uri must be a non-empty string, received \"\""],
  ])('rejects %j', (given, message) => {
    expect(() => resolveInputArtifacts(spec, given as never)).toThrow(ParameterError);
    expect(() => resolveInputArtifacts(spec, given as never)).toThrow(message);
  });
});
