// Wiring checks: wrong types are TypeScript compile errors (checked by `tsc` in the typecheck target)
// and, for loosely typed (loaded) components, errors when the pipeline is defined.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { artifact } from '@formalize/common';
import { If, componentFromIR, containerComponent, pipeline } from '../src/index.ts';

const makeDataset = containerComponent({ name: 'make-dataset', image: 'busybox', outputs: { data: artifact('system.Dataset'), rows: z.int() } });
const makeModel = containerComponent({ name: 'make-model', image: 'busybox', outputs: { model: artifact('system.Model') } });
const train = containerComponent({ name: 'train', image: 'busybox', inputs: { data: artifact('system.Dataset'), epochs: z.int().default(3) } });
const anyArtifact = containerComponent({ name: 'inspect', image: 'busybox', inputs: { thing: artifact('system.Artifact'), label: z.string() } });

describe('typed wiring', () => {
  it('accepts matching types and rejects mismatches at compile time', () => {
    const spec = pipeline({ name: 'typed' }, () => {
      const d = makeDataset({});
      const m = makeModel({});
      train({ data: d.outputs.data, epochs: d.outputs.rows });
      anyArtifact({ thing: m.outputs.model, label: 'model' });
      // @ts-expect-error a Model is not a Dataset
      expect(() => train({ data: m.outputs.model })).toThrow(/expects system.Dataset, got system.Model/);
      // @ts-expect-error an int output is not a string input
      anyArtifact({ thing: d.outputs.data, label: d.outputs.rows });
      // @ts-expect-error missing required input
      expect(() => anyArtifact({ label: 'x' })).toThrow(/missing required artifact input 'thing'/);
      // @ts-expect-error a literal of the wrong type
      expect(() => train({ data: d.outputs.data, epochs: 'three' })).toThrow(/expects NUMBER_INTEGER, got "three"/);
    }).compile();
    expect(Object.keys(spec.root.dag!.tasks).sort()).toEqual(['inspect', 'inspect-2', 'make-dataset', 'make-model', 'train']);
  });

  it('checks loaded (untyped) components when the pipeline is defined', () => {
    const loaded = componentFromIR(train.ir);
    expect(() => pipeline({ name: 'bad' }, () => { loaded({ data: 'not-a-channel', nope: 1 }); })).toThrow(/no input 'nope'|is an artifact/);
  });

  it('rejects using a task output outside the group that produced it', () => {
    expect(() => pipeline({ name: 'leak', inputs: { n: z.int() } }, ({ n }) => {
      let inner!: ReturnType<typeof makeDataset>;
      If(n.gt(3), () => { inner = makeDataset({}); });
      train({ data: inner.outputs.data });
    }).compile()).toThrow(/'make-dataset-data' is not visible here/);
  });
});
