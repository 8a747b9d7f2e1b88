// Rows -> model inputs and scores: shapes and dtypes, every bad value named with its row and field (and no
// tensor left behind), labels in every binary form, chunked prediction equal to one big batch.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBaseModel, encodeBatch, EncodeError, loadTf, modelSpecFromTransform, predictRows, type Tf } from '../src/model/index.ts';
import { applyTransform } from '../src/transform/index.ts';
import { modelTransform, randomRows } from './fixtures/model-transform.ts';

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await loadTf({ prefer: ['wasm'] }));
});

const transform = modelTransform();
const spec = modelSpecFromTransform(transform);

describe('encodeBatch', () => {
  it('makes one [rows, 1] tensor per input (float32 numeric, int32 indices) and float32 labels', () => {
    const rows = randomRows(spec, 5, 1);
    const b = encodeBatch(tf, spec, rows);
    expect(Object.keys(b.xs)).toEqual(spec.inputs.map((i) => i.name));
    expect(Object.values(b.xs).map((t) => [t.shape, t.dtype])).toEqual(spec.inputs.map((i) => [[5, 1], i.kind === 'numeric' ? 'float32' : 'int32']));
    expect(Array.from(b.xs['dow']!.dataSync())).toEqual(rows.map((r) => r['dow']));
    expect(Array.from(b.xs['tripMiles']!.dataSync())).toEqual(rows.map((r) => Math.fround(r['tripMiles']!)));
    expect(b.ys!.shape).toEqual([5, 1]);
    expect(Array.from(b.ys!.dataSync())).toEqual(rows.map((r) => r['tip_bin']));
    const before = tf.memory().numTensors;
    b.dispose();
    expect(tf.memory().numTensors).toBe(before - 7);
  });

  it('takes rows as applyTransform makes them from raw requests, and bigint indices as DuckDB gives them', () => {
    const raw = { tripMiles: 7, pay: 'Mobile', hour: 25, secs: 900, dow: 3, area: 'a76', tip_bin: true };
    const b = encodeBatch(tf, spec, [applyTransform(transform, raw), { ...applyTransform(transform, raw), pay: 2n, tip_bin: 0n }]);
    expect(Array.from(b.xs['pay']!.dataSync())).toEqual([2, 2]);
    expect(Array.from(b.xs['hour']!.dataSync())).toEqual([24, 24]); // 25 is not in the vocabulary: OOV = 24
    expect(Array.from(b.xs['tripMiles']!.dataSync())).toEqual([1, 1]);
    expect(Array.from(b.ys!.dataSync())).toEqual([1, 0]);
    b.dispose();
    const unlabeled = encodeBatch(tf, spec, randomRows(spec, 3, 2, false));
    expect(unlabeled.ys).toBeUndefined();
    unlabeled.dispose();
  });

  it.each([
    ['a vocabulary index past OOV', { pay: 4 }, 'rows[1].pay: expected a vocabulary index 0..3 (3 = out of vocabulary), received 4'],
    ['a negative index', { area: -1 }, 'rows[1].area: expected a vocabulary index 0..77 (77 = out of vocabulary), received -1'],
    ['a raw category instead of its index', { pay: 'Cash' }, 'rows[1].pay: expected a vocabulary index 0..3 (3 = out of vocabulary), received "Cash"'],
    ['a missing feature', { secs: undefined }, 'rows[1].secs: expected a finite number (a z-score), received nothing'],
    ['NaN', { tripMiles: Number.NaN }, 'rows[1].tripMiles: expected a finite number (a z-score), received NaN'],
    ['a non-binary label', { tip_bin: 2 }, 'rows[1].tip_bin: expected a binary label (0, 1, false or true), received 2'],
  ])('refuses %s, naming the row, the field and the value, and makes no tensor', (_what, change, message) => {
    const rows: Record<string, unknown>[] = randomRows(spec, 3, 4);
    rows[1] = { ...rows[1], ...change };
    if ('secs' in change) delete rows[1]!['secs'];
    const before = tf.memory().numTensors;
    expect(() => encodeBatch(tf, spec, rows)).toThrow(new EncodeError(message));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a batch with labels on some rows only', () => {
    const rows: Record<string, unknown>[] = randomRows(spec, 3, 4);
    delete rows[2]!['tip_bin'];
    expect(() => encodeBatch(tf, spec, rows)).toThrow('rows[2].tip_bin: missing, but rows[0] has it (a batch has labels on every row or on none)');
    expect(() => encodeBatch(tf, spec, [rows[2]!, rows[0]!])).toThrow('rows[0].tip_bin: missing, but rows[1] has it');
  });
});

describe('predictRows', () => {
  it('gives probabilities, the same in chunks as in one batch, and leaks no tensor', () => {
    const model = buildBaseModel(tf, spec, { seed: 3 });
    const rows = randomRows(spec, 1000, 9, false);
    const before = tf.memory().numTensors;
    const all = predictRows(tf, model, spec, rows, { batchSize: 1000 });
    const chunked = predictRows(tf, model, spec, rows, { batchSize: 64 });
    expect(tf.memory().numTensors).toBe(before);
    expect(all).toHaveLength(1000);
    expect(all.every((p) => p > 0 && p < 1)).toBe(true);
    chunked.forEach((p, i) => expect(Math.abs(p - all[i]!)).toBeLessThan(1e-6));
    expect(predictRows(tf, model, spec, [])).toEqual(new Float32Array(0));
    expect(() => predictRows(tf, model, spec, rows, { batchSize: 0 })).toThrow('batchSize: expected a positive integer, received 0');
    const other = { ...spec, inputs: spec.inputs.filter((i) => i.name !== 'area') };
    expect(() => predictRows(tf, model, other, rows)).toThrow('the model has inputs the spec does not: area (model and transform artifact do not belong together)');
    model.dispose();
  });
});
