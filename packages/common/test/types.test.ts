// Type-level contract: run()'s arguments and result are inferred from the schemas. The @ts-expect-error
// lines are checked by `tsc` (typecheck target): if the wrong usage ever compiled, tsc would fail.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  artifact, defineComponent, type ArtifactSchema, type Component, type InputArtifact, type OutputArtifact, type ReadonlyJsonObject,
} from '../src/index.ts';

const train = defineComponent({
  name: 'train',
  version: '0.1.0',
  description: 'typed',
  inputs: {
    data: artifact('system.Dataset'),
    base: artifact('system.Model', { optional: true }),
    shards: artifact('system.Dataset', { list: true }),
    anything: artifact('system.Artifact'),
    epochs: z.int().default(3),
    rate: z.number(),
    tags: z.array(z.string()).optional(),
    mode: z.enum(['fast', 'slow']),
  },
  outputs: { model: artifact('system.Model'), loss: z.number(), epochs_run: z.int() },
  run({ inputs, outputs }) {
    expectTypeOf(inputs.data).toEqualTypeOf<InputArtifact<'system.Dataset'>>();
    expectTypeOf(inputs.base).toEqualTypeOf<InputArtifact<'system.Model'> | undefined>();
    expectTypeOf(inputs.shards).toEqualTypeOf<InputArtifact<'system.Dataset'>[]>();
    expectTypeOf(inputs.data.metadata).toEqualTypeOf<ReadonlyJsonObject>();
    expectTypeOf(inputs.data.type.schemaTitle).toEqualTypeOf<'system.Dataset'>();
    expectTypeOf(inputs.epochs).toEqualTypeOf<number>();
    expectTypeOf(inputs.tags).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(inputs.mode).toEqualTypeOf<'fast' | 'slow'>();
    expectTypeOf(outputs.model).toEqualTypeOf<OutputArtifact<'system.Model'>>();
    // @ts-expect-error: not an input of this contract
    void inputs.missing;
    // @ts-expect-error: input artifact metadata is read-only
    inputs.data.metadata['rows'] = 3;
    // @ts-expect-error: output parameters are returned, not output artifacts
    void outputs.loss;
    outputs.model.metadata['accuracy'] = 0.9;
    // @ts-expect-error: artifact metadata must be JSON
    outputs.model.metadata['when'] = new Date();
    return { loss: 0.5, epochs_run: inputs.epochs };
  },
});

describe('contract types', () => {
  it('components with different I/O fit one Component[] list', () => {
    const list: Component[] = [train, defineComponent({ name: 'noop', version: '0.1.0', description: '', run: () => {} })];
    expect(list.map((c) => c.name)).toEqual(['train', 'noop']);
  });

  it('artifact schemas of different types are different types', () => {
    expectTypeOf(artifact('system.Model')).toEqualTypeOf<ArtifactSchema<'system.Model'>>();
    expectTypeOf(artifact('system.Model')).not.toEqualTypeOf<ArtifactSchema<'system.Dataset'>>();
    const takesDataset = (s: ArtifactSchema<'system.Dataset'>) => s.artifactType;
    // @ts-expect-error: a Model schema is not a Dataset schema
    expect(() => takesDataset(artifact('system.Model'))).not.toThrow();
    // @ts-expect-error: unknown artifact type
    expect(() => artifact('acme.Thing')).toThrow();
  });

  it('wrong run() results fail to typecheck', () => {
    const base = { version: '0.1.0', description: '', outputs: { count: z.int(), name: z.string() } };
    // @ts-expect-error: a string for an int output
    defineComponent({ ...base, name: 'a', run: () => ({ count: 'three', name: 'x' }) });
    // @ts-expect-error: a missing output parameter
    defineComponent({ ...base, name: 'b', run: () => ({ count: 3 }) });
    // @ts-expect-error: async results are checked too
    defineComponent({ ...base, name: 'c', run: async () => ({ count: 3, name: 4 }) });
    defineComponent({ ...base, name: 'd', run: async () => ({ count: 3, name: 'ok' }) });
    // @ts-expect-error: the parameter of run() has no such input
    defineComponent({ name: 'e', version: '0.1.0', description: '', inputs: { n: z.int() }, run: ({ inputs }) => void inputs.m });
  });
});
