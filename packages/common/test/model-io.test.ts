// The model folder: files and their format, atomic replacement, the bundled transform artifact, and clear
// errors for folders that are not models.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildBaseModel, loadModel, loadModelBundle, loadTf, modelSpecFromTransform, ModelFileError, predictRows, readModelMetadata, saveModel, type Tf,
} from '../src/model/index.ts';
import { modelTransform, randomRows } from './fixtures/model-transform.ts';

let tf: Tf;
let root: string;
beforeAll(async () => {
  ({ tf } = await loadTf({ prefer: ['wasm'] }));
});
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'model-io-'));
});

const transform = modelTransform();
const spec = modelSpecFromTransform(transform);

describe('saveModel', () => {
  it('writes model.json (TF.js Layers format), weights.bin and transform.json', async () => {
    const model = buildBaseModel(tf, spec, { seed: 1 });
    const dir = join(root, 'a', 'model');
    const saved = await saveModel(model, dir, { metadata: { model_family: 'f', labels: { base_model: '1' } }, transform });
    expect(saved.files).toEqual(['model.json', 'weights.bin', 'transform.json']);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'transform.json', 'weights.bin']);
    expect(await readdir(join(root, 'a'))).toEqual(['model']); // no temp folder left
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v4\./);
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const bytes = json.weightsManifest[0].weights.reduce((n: number, w: { shape: number[] }) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    expect((await readFile(join(dir, 'weights.bin'))).length).toBe(bytes);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toContain('area_embedding/embeddings');
    expect(json.userDefinedMetadata).toEqual({ formalize: { model_family: 'f', labels: { base_model: '1' } } });
    expect(await readModelMetadata(dir)).toEqual({ model_family: 'f', labels: { base_model: '1' } });
    expect(JSON.parse(await readFile(join(dir, 'transform.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(transform)));
    model.dispose();
  });

  it('replaces an existing model folder whole', async () => {
    const dir = join(root, 'model');
    await mkdir(dir);
    await writeFile(join(dir, 'stale.txt'), 'old');
    const model = buildBaseModel(tf, spec, { seed: 2 });
    await saveModel(model, dir);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    expect((await readdir(root)).sort()).toEqual(['model']);
    model.dispose();
  });

  it('leaves the folder as it was when the save fails', async () => {
    const dir = join(root, 'model');
    const first = buildBaseModel(tf, spec, { seed: 3 });
    await saveModel(first, dir, { transform });
    const before = await readFile(join(dir, 'weights.bin'));
    const broken = buildBaseModel(tf, spec, { seed: 4 });
    broken.save = async () => { throw new Error('disk full'); };
    await expect(saveModel(broken, dir, { transform })).rejects.toThrow('disk full');
    expect(await readFile(join(dir, 'weights.bin'))).toEqual(before);
    expect(await readdir(root)).toEqual(['model']);
    [first, broken].forEach((m) => m.dispose());
  });
});

describe('loadModelBundle', () => {
  it('gives the model, its transform artifact, the spec and the metadata', async () => {
    const dir = join(root, 'model');
    const model = buildBaseModel(tf, spec, { seed: 5 });
    await saveModel(model, dir, { metadata: { model_family: 'f' }, transform });
    const bundle = await loadModelBundle(tf, dir);
    expect(bundle.spec).toEqual(spec);
    expect(bundle.transform).toEqual(transform);
    expect(bundle.metadata).toEqual({ model_family: 'f' });
    const rows = randomRows(spec, 50, 1);
    expect(predictRows(tf, bundle.model, bundle.spec, rows)).toEqual(predictRows(tf, model, spec, rows));
    [model, bundle.model].forEach((m) => m.dispose());
  });

  it('refuses a model whose transform.json has other features', async () => {
    const dir = join(root, 'model');
    const model = buildBaseModel(tf, { ...spec, inputs: spec.inputs.slice(0, 5) }, { seed: 5 });
    await saveModel(model, dir, { transform });
    await expect(loadModelBundle(tf, dir)).rejects.toThrow(`${dir}: the model's inputs [dow, hour, pay, secs, tripMiles] are not the features of its transform.json [area, dow, hour, pay, secs, tripMiles]`);
    model.dispose();
  });
});

describe('loadModel errors', () => {
  it('names the file that is missing or wrong', async () => {
    const dir = join(root, 'model');
    await expect(loadModel(tf, dir)).rejects.toThrow(new ModelFileError(`${join(dir, 'model.json')}: cannot read the model (ENOENT)`));
    const model = buildBaseModel(tf, spec, { seed: 6 });
    await saveModel(model, dir, { transform });
    await expect(loadModelBundle(tf, root)).rejects.toThrow(`${join(root, 'transform.json')}: cannot read the transform artifact (ENOENT)`);
    await rm(join(dir, 'weights.bin'));
    await expect(loadModel(tf, dir)).rejects.toThrow(`${join(dir, 'weights.bin')}: cannot read the weights (ENOENT)`);
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(12));
    await expect(loadModel(tf, dir)).rejects.toThrow(new RegExp(`^${join(dir, 'model.json').replace(/[./]/g, '\\$&')}: cannot build the model`));
    await writeFile(join(dir, 'model.json'), '{"modelTopology": {}, "weightsManifest": [{"paths": ["../x.bin"], "weights": []}]}');
    await expect(loadModel(tf, dir)).rejects.toThrow('weightsManifest: expected [{paths: [file names in the folder], weights: [...]}]');
    await writeFile(join(dir, 'model.json'), '{');
    await expect(loadModel(tf, dir)).rejects.toThrow(/model\.json: not JSON/);
    model.dispose();
  });
});
