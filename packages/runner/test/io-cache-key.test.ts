// Cache fingerprint: the KFP CacheKey JSON (Go encoding/json re-marshal) -> SHA-256, stable across key
// order and sensitive to everything that changes what a task computes.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ComponentSpec, ContainerSpec, JsonValue } from '@formalize/common';
import { cacheKey, cacheKeyMessage, goJson, type CacheKeyOptions } from '../src/io/index.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const componentSpec: ComponentSpec = {
  executorLabel: 'exec-train',
  inputDefinitions: { parameters: { lr: { parameterType: 'NUMBER_DOUBLE' } }, artifacts: { data: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' } } } },
  outputDefinitions: {
    parameters: { loss: { parameterType: 'NUMBER_DOUBLE' } },
    artifacts: { model: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } } },
  },
};
const container: ContainerSpec = { image: 'gcr.io/p/train:1', command: ['python', '-m', 'train'], args: ['--lr', "{{$.inputs.parameters['lr']}}"] };
const base: CacheKeyOptions = {
  componentName: 'comp-train', componentSpec, container,
  parameterValues: { lr: 0.1, cfg: { b: [1, 2], a: 'x' } },
  inputArtifacts: { data: [{ name: 'data', type: 'system.Dataset', uri: '/runs/p-1/prep/data', metadata: { rows: 3 } }] },
};

describe('cacheKey', () => {
  it('hashes the CacheKey JSON exactly as the KFP driver re-marshals it', () => {
    const json = goJson(cacheKeyMessage(base));
    expect(json).toBe(
      '{"containerSpec":{"cmdArgs":["python","-m","train","--lr","{{$.inputs.parameters[\'lr\']}}"],"image":"gcr.io/p/train:1"},' +
      '"inputArtifactNames":{"data":{"artifactNames":["/runs/p-1/prep/data"]}},' +
      '"inputParameterValues":{"cfg":{"a":"x","b":[1,2]},"lr":0.1},' +
      '"outputArtifactsSpec":{"model":{"type":{"schemaTitle":"system.Model","schemaVersion":"0.0.1"}}},' +
      '"outputParametersSpec":{"loss":"NUMBER_DOUBLE"}}',
    );
    expect(cacheKey(base)).toBe(sha256(json));
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('omits empty fields as protojson does', () => {
    const msg = cacheKeyMessage({ componentName: 'comp-echo', componentSpec: {}, container: { image: 'alpine' }, parameterValues: {}, inputArtifacts: { x: [] } });
    expect(goJson(msg)).toBe('{"containerSpec":{"image":"alpine"}}');
  });

  it('is stable across the order of keys', () => {
    const reordered: CacheKeyOptions = {
      ...base,
      parameterValues: { cfg: { a: 'x', b: [1, 2] }, lr: 0.1 },
      componentSpec: { outputDefinitions: { artifacts: componentSpec.outputDefinitions!.artifacts!, parameters: componentSpec.outputDefinitions!.parameters! } },
    };
    expect(cacheKey(reordered)).toBe(cacheKey(base));
    // Artifact metadata and input definitions do not take part.
    expect(cacheKey({ ...base, inputArtifacts: { data: [{ ...base.inputArtifacts.data![0]!, metadata: { other: 1 } }] } })).toBe(cacheKey(base));
  });

  it.each<[string, Partial<CacheKeyOptions>]>([
    ['image', { container: { ...container, image: 'gcr.io/p/train:2' } }],
    ['command', { container: { ...container, command: ['python3', '-m', 'train'] } }],
    ['args', { container: { ...container, args: ['--lr', '0.1'] } }],
    ['env', { container: { ...container, env: [{ name: 'SEED', value: '1' }] } }],
    ['a parameter value', { parameterValues: { ...base.parameterValues, lr: 0.2 } }],
    ['a parameter type (1 vs "1")', { parameterValues: { ...base.parameterValues, lr: '0.1' } }],
    ['an extra parameter', { parameterValues: { ...base.parameterValues, seed: 1 } }],
    ['an input artifact URI', { inputArtifacts: { data: [{ ...base.inputArtifacts.data![0]!, uri: '/runs/p-2/prep/data' }] } }],
    ['the output parameters', { componentSpec: { ...componentSpec, outputDefinitions: { ...componentSpec.outputDefinitions, parameters: { loss: { parameterType: 'STRING' } } } } }],
    ['the output artifact types', { componentSpec: { ...componentSpec, outputDefinitions: { ...componentSpec.outputDefinitions, artifacts: { model: { artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' } } } } } }],
  ])('changes with %s', (_what, change) => {
    expect(cacheKey({ ...base, ...change })).not.toBe(cacheKey(base));
  });

  it('hashes command + args as one list, as the driver does', () => {
    expect(cacheKey({ ...base, container: { image: container.image, command: [...container.command!, ...container.args!] } })).toBe(cacheKey(base));
  });

  it('does not depend on the component name without a custom key (as on KFP)', () => {
    expect(cacheKey({ ...base, componentName: 'comp-other' })).toBe(cacheKey(base));
  });

  it('uses SHA-256(component name \\0 custom key) for a custom key, ignoring everything else', () => {
    const key = cacheKey({ ...base, customKey: 'v1' });
    expect(key).toBe(sha256('comp-train\u0000v1'));
    expect(cacheKey({ ...base, customKey: 'v1', container: { image: 'other' }, parameterValues: {} })).toBe(key);
    expect(cacheKey({ ...base, customKey: 'v2' })).not.toBe(key);
    expect(cacheKey({ ...base, customKey: 'v1', componentName: 'comp-x' })).not.toBe(key);
  });
});

describe('goJson (Go encoding/json Marshal)', () => {
  it.each<[JsonValue, string]>([
    [{ b: 1, a: { d: [true, null], c: 'x' } }, '{"a":{"c":"x","d":[true,null]},"b":1}'],
    ['<a href="x">&</a>', '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"'],
    ['line\u2028sep\n\t"', '"line\\u2028sep\\n\\t\\""'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [123456.5, '123456.5'],
    [3, '3'],
  ])('%j -> %s', (v, text) => {
    expect(goJson(v)).toBe(text);
  });
});
