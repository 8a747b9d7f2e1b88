// The transform artifact contract and the one transform function: z-scores, vocabularies with one OOV bucket,
// NULL handling, strict input types, and the loader's errors.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContractError } from '../src/executor/errors.ts';
import {
  TransformInputError, applyTransform, makeSplitDefinition, parseTransformArtifact, readTransformArtifact, transformedColumns,
} from '../src/transform/index.ts';

const HOURS = ['17', '18', '3', '12', '9', '8', '23', '0', '1', '22', '21'];

function doc() {
  return {
    format: 'formalize.transform',
    version: 1,
    source: 'p.ds.features',
    label: { name: 'tip_bin', type: 'INT64' },
    features: [
      { name: 'miles', op: 'z_score', group: 'numeric', type: 'FLOAT64', mean: 2, std: 4, count: 10 },
      { name: 'flat', op: 'z_score', group: 'numeric', type: 'FLOAT64', mean: 3, std: 0, count: 10 },
      { name: 'secs', op: 'z_score', group: 'numeric', type: 'INT64', mean: 100, std: 50, count: 10 },
      { name: 'pay', op: 'vocabulary', group: 'categorical', type: 'STRING', vocabulary: ['Cash', 'Credit Card'], numOovBuckets: 1 },
      { name: 'hour', op: 'vocabulary', group: 'embedding', type: 'INT64', vocabulary: HOURS, numOovBuckets: 1 },
    ],
    groups: { numeric: ['miles', 'flat', 'secs'], categorical: ['pay'], embedding: ['hour'], vocabularySizes: { pay: 2, hour: 11 }, embeddingThreshold: 10 },
    split: makeSplitDefinition([{ name: 'miles', type: 'FLOAT64' }, { name: 'tip_bin', type: 'INT64' }]),
    analysis: { split: 'train', rows: { train: 8, val: 1, test: 1 } },
  } as Record<string, any>;
}

const artifact = parseTransformArtifact(doc());
const row = { miles: 6, flat: 5, secs: 150, pay: 'Credit Card', hour: 3, tip_bin: 1 };

describe('applyTransform', () => {
  it('z-scores numbers, indexes vocabularies, passes the label through, in feature order', () => {
    const out = applyTransform(artifact, { ...row, extra: 'ignored' });
    expect(out).toEqual({ miles: 1, flat: 2, secs: 1, pay: 1, hour: 2, tip_bin: 1 });
    expect(Object.keys(out)).toEqual(['miles', 'flat', 'secs', 'pay', 'hour', 'tip_bin']);
    expect(transformedColumns(artifact)).toEqual([
      { name: 'miles', type: 'FLOAT64' }, { name: 'flat', type: 'FLOAT64' }, { name: 'secs', type: 'FLOAT64' },
      { name: 'pay', type: 'INT64' }, { name: 'hour', type: 'INT64' }, { name: 'tip_bin', type: 'INT64' },
    ]);
  });

  it('is exactly (x - mean) / std in doubles', () => {
    const a = parseTransformArtifact({ ...doc(), features: doc()['features'].map((f: any) => (f.name === 'miles' ? { ...f, mean: 2.8967407307572346, std: 18.23370019866554 } : f)) });
    for (const x of [0, 0.1, 1710, 2.8967407307572346, -3.3]) expect(applyTransform(a, { ...row, miles: x })['miles']).toBe((x - 2.8967407307572346) / 18.23370019866554);
  });

  it('NULL: the mean (z = 0) for numbers, the OOV index for vocabularies; unseen values are OOV too', () => {
    expect(applyTransform(artifact, { miles: null, flat: null, secs: null, pay: null, hour: null })).toEqual({ miles: 0, flat: 0, secs: 0, pay: 2, hour: 11 });
    expect(applyTransform(artifact, { ...row, pay: 'Bitcoin', hour: 4 })).toMatchObject({ pay: 2, hour: 11 });
    // Vocabulary entries are exact strings: no trimming or case folding.
    expect(applyTransform(artifact, { ...row, pay: 'cash' })['pay']).toBe(2);
    expect(applyTransform(artifact, { ...row, pay: 'Cash ' })['pay']).toBe(2);
  });

  it('a constant feature (std 0) is only centred, as tft.scale_to_z_score', () => {
    expect([3, 5, -1].map((flat) => applyTransform(artifact, { ...row, flat })['flat'])).toEqual([0, 2, -4]);
  });

  it('INT64 values may come as bigints or decimal strings (JSON cannot carry integers beyond 2^53)', () => {
    expect(applyTransform(artifact, { ...row, secs: 150n, hour: 3n })).toMatchObject({ secs: 1, hour: 2 });
    expect(applyTransform(artifact, { ...row, secs: '200', hour: '17' })).toMatchObject({ secs: 2, hour: 0 });
    expect(applyTransform(artifact, { ...row, hour: '9007199254740993' })['hour']).toBe(11);
    expect(applyTransform(artifact, { miles: 2, flat: 3, secs: 100, pay: 'Cash', hour: 0 })).toEqual({ miles: 0, flat: 0, secs: 0, pay: 0, hour: 7 });
  });

  it('refuses a value of the wrong type, naming the feature and the value', () => {
    const bad = (patch: Record<string, unknown>) => () => applyTransform(artifact, { ...row, ...patch });
    expect(bad({ miles: 'abc' })).toThrow(new TransformInputError('miles', 'expected a finite number or null', 'abc'));
    expect(bad({ miles: 'abc' })).toThrow('miles: expected a finite number or null, received "abc"');
    expect(bad({ miles: Number.NaN })).toThrow('miles: expected a finite number or null, received NaN');
    expect(bad({ secs: 1.5 })).toThrow('secs: expected an integer or null, received 1.5');
    expect(bad({ pay: 5 })).toThrow('pay: expected a string or null, received 5');
    expect(bad({ hour: 1.5 })).toThrow(/^hour: expected an integer or null .*received 1\.5$/);
    expect(bad({ hour: 2 ** 60 })).toThrow(/^hour: expected an integer or null/);
    expect(bad({ hour: '03' })).toThrow(/^hour: expected an integer or null .*received "03"$/);
    expect(() => applyTransform(artifact, { flat: 1, secs: 1, pay: 'Cash', hour: 1 })).toThrow('miles: missing (expected a number or null), received nothing');
    expect(() => applyTransform(artifact, { miles: 1, flat: 1, secs: 1, hour: 1 })).toThrow('pay: missing (expected a string or null), received nothing');
  });

  it('gives the same result for a frozen artifact (cached lookups) and a plain copy', () => {
    const copy = structuredClone(doc()) as never;
    expect(Object.isFrozen(artifact)).toBe(true);
    for (const pay of ['Cash', 'Credit Card', 'x', null]) expect(applyTransform(copy, { ...row, pay })).toEqual(applyTransform(artifact, { ...row, pay }));
  });
});

describe('transform artifact schema', () => {
  const problems = (patch: (d: Record<string, any>) => void) => {
    const d = doc();
    patch(d);
    try {
      parseTransformArtifact(d, 'transform.json');
    } catch (err) {
      expect(err).toBeInstanceOf(ContractError);
      return (err as ContractError).problems;
    }
    throw new Error('expected a ContractError');
  };

  it('names the field and value of each problem', () => {
    expect(problems((d) => { d['version'] = 2; })).toEqual(['transform.json: version: expected one of 1, received 2']);
    expect(problems((d) => { d['features'][0].mean = 'x'; })).toEqual(['transform.json: features[0].mean: expected a number, received "x"']);
    expect(problems((d) => { d['features'][0].std = -1; })).toEqual(['transform.json: features[0].std: too small: expected number to be >=0, received -1']);
    expect(problems((d) => { d['features'][3].vocabulary = ['Cash', 'Cash']; })).toEqual(['transform.json: features[3].vocabulary[1]: duplicate vocabulary entry, received "Cash"']);
    expect(problems((d) => { d['features'].push({ name: 'x', op: 'bucketize' }); })).toEqual([expect.stringMatching(/^transform\.json: features\[5\]\.op: /)]);
  });

  it('checks the groups against the features', () => {
    expect(problems((d) => { d['groups'].vocabularySizes.hour = 10; })).toEqual(['transform.json: groups.vocabularySizes.hour: expected 11 (the vocabulary\'s length), received 10']);
    expect(problems((d) => { d['features'][4].group = 'categorical'; d['groups'].categorical = ['pay', 'hour']; d['groups'].embedding = []; }))
      .toEqual(['transform.json: features[4].group: expected embedding for a vocabulary of 11 (threshold 10), received "categorical"']);
    expect(problems((d) => { d['groups'].numeric = ['secs', 'miles', 'flat']; })).toEqual(['transform.json: groups.numeric: expected the numeric features in feature order ["miles","flat","secs"], received ["secs","miles","flat"]']);
    expect(problems((d) => { d['label'].name = 'miles'; })).toEqual(['transform.json: label.name: the label is also a feature, received "miles"']);
    expect(problems((d) => { d['features'][1].name = 'miles'; d['groups'].numeric = ['miles', 'miles', 'secs']; })).toEqual(['transform.json: features[1].name: duplicate feature, received "miles"']);
  });

  it('reads a file, naming it when it is missing or not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'transform-'));
    await writeFile(join(dir, 'ok.json'), JSON.stringify(doc()));
    expect(await readTransformArtifact(join(dir, 'ok.json'))).toEqual(artifact);
    await writeFile(join(dir, 'bad.json'), '{"format":');
    await expect(readTransformArtifact(join(dir, 'bad.json'))).rejects.toThrow(`${join(dir, 'bad.json')}: the transform artifact is not JSON`);
    await expect(readTransformArtifact(join(dir, 'none.json'))).rejects.toThrow(`${join(dir, 'none.json')}: cannot read the transform artifact (ENOENT)`);
    await writeFile(join(dir, 'wrong.json'), JSON.stringify({ ...doc(), format: 'tft' }));
    await expect(readTransformArtifact(join(dir, 'wrong.json'))).rejects.toThrow(`${join(dir, 'wrong.json')}: format: expected one of "formalize.transform", received "tft"`);
  });
});
