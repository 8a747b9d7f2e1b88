import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { artifact, ComponentDefinitionError, defineComponent, taskFinalStatus } from '../src/index.ts';

const minimal = { version: '0.1.0', description: 'd', run: () => {} };

describe('defineComponent', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('defaults image, command and args from name, version and FORMALIZE_REGISTRY', () => {
    const c = defineComponent({ name: 'bq-extract', ...minimal });
    expect(c.image).toBe('localhost:5000/formalize/bq-extract:0.1.0');
    expect(c.command).toEqual(['node', '--conditions=formalize-dist', '/app/packages/bq-extract/dist/main.js']);
    expect(c.args).toEqual(['--component', 'bq-extract', '--executor_input', '{{$}}']);
    vi.stubEnv('FORMALIZE_REGISTRY', 'europe-docker.pkg.dev/p/r/');
    expect(defineComponent({ name: 'bq-extract', ...minimal }).image).toBe('europe-docker.pkg.dev/p/r/formalize/bq-extract:0.1.0');
  });

  it('entrypoint, image, command and args can be overridden', () => {
    expect(defineComponent({ name: 'noop', ...minimal, entrypoint: '/app/packages/hello/dist/main.js' }).command)
      .toEqual(['node', '--conditions=formalize-dist', '/app/packages/hello/dist/main.js']);
    const c = defineComponent({ name: 'x', ...minimal, image: 'img:1', command: ['sh'], args: ['-c', 'true'] });
    expect(c.toIR().executor).toEqual({ container: { image: 'img:1', command: ['sh'], args: ['-c', 'true'] } });
    expect(defineComponent({ name: 'y', ...minimal, image: 'img:1', command: [], args: [] }).toIR().executor).toEqual({ container: { image: 'img:1' } });
  });

  it('builds the container component IR from the schemas', () => {
    const c = defineComponent({
      name: 'train',
      version: '1.2.3-rc.1+build.5',
      description: 'Trains.',
      inputs: {
        data: artifact('system.Dataset', { description: 'training split' }),
        base: artifact('google.VertexModel', { optional: true }),
        shards: artifact('system.Dataset', { list: true }),
        epochs: z.int().default(10),
        status: taskFinalStatus(),
      },
      outputs: { model: artifact('system.Model'), Output: z.number().describe('final loss') },
      run: () => ({ Output: 0.1 }),
    });
    expect(c.toIR()).toEqual({
      kind: 'container',
      name: 'train',
      description: 'Trains.',
      inputDefinitions: {
        parameters: {
          epochs: { parameterType: 'NUMBER_INTEGER', defaultValue: 10, isOptional: true },
          status: { parameterType: 'TASK_FINAL_STATUS', isOptional: true },
        },
        artifacts: {
          data: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, description: 'training split' },
          base: { artifactType: { schemaTitle: 'google.VertexModel', schemaVersion: '0.0.1' }, isOptional: true },
          shards: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, isArtifactList: true },
        },
      },
      outputDefinitions: {
        parameters: { Output: { parameterType: 'NUMBER_DOUBLE', description: 'final loss' } },
        artifacts: { model: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } } },
      },
      executor: { container: { image: 'localhost:5000/formalize/train:1.2.3-rc.1+build.5', command: ['node', '--conditions=formalize-dist', '/app/packages/train/dist/main.js'], args: ['--component', 'train', '--executor_input', '{{$}}'] } },
    });
  });

  it('omits empty interfaces and hands out copies', () => {
    const c = defineComponent({ name: 'empty', ...minimal });
    const ir = c.toIR();
    expect(ir).not.toHaveProperty('inputDefinitions');
    expect(ir).not.toHaveProperty('outputDefinitions');
    ir.executor.container!.image = 'changed';
    expect(c.toIR().executor.container!.image).toBe('localhost:5000/formalize/empty:0.1.0');
    expect(c.toPipelineSpec().pipelineInfo).toEqual({ name: 'empty' });
    expect(c.toYaml()).toMatch(/^# PIPELINE DEFINITION\n# Name: empty\n# Description: d\n/);
  });

  it('allows the same name as an input and an output (separate namespaces, e.g. GCPC gcp_resources)', () => {
    const c = defineComponent({ name: 'wait', ...minimal, inputs: { gcp_resources: z.string() }, outputs: { gcp_resources: z.string() }, run: () => ({ gcp_resources: '' }) });
    expect(Object.keys(c.toIR().outputDefinitions!.parameters!)).toEqual(['gcp_resources']);
  });

  it.each([
    ['a bad name', { name: 'Hello_World' }, /defineComponent\(Hello_World\): name must match/],
    ['a non-semver version', { name: 'x', version: '1.0' }, /version "1.0" is not semver/],
    ['a bad input name', { name: 'x', inputs: { 'my-input': z.string() } }, /inputs\.my-input: name must match/],
    ['a non-zod input', { name: 'x', inputs: { n: 3 as unknown as z.ZodString } }, /inputs\.n: expected a zod schema/],
    ['an unsupported schema', { name: 'x', inputs: { when: z.date() } }, /defineComponent\(x\): inputs\.when: zod type "date"/],
    ['an optional output parameter', { name: 'x', outputs: { n: z.int().optional() } }, /outputs\.n: an output parameter cannot be optional/],
    ['a list output artifact', { name: 'x', outputs: { d: artifact('system.Dataset', { list: true }) } }, /outputs\.d: an output artifact cannot be a list/],
  ] as const)('rejects %s', (_, patch, message) => {
    expect(() => defineComponent({ ...minimal, ...patch } as never)).toThrow(ComponentDefinitionError);
    expect(() => defineComponent({ ...minimal, ...patch } as never)).toThrow(message);
  });
});
