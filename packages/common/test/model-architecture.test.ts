// The seed's architecture from a transform artifact: inputs, one-hot widths (vocabulary + 1), embedding tables
// (vocabulary + 1 rows, floor(sqrt(vocabulary)) columns), the dense stack; deterministic initialisation; the
// topology is Keras' format and survives a save/load round trip.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  architectureHash, buildBaseModel, encodeBatch, initializationHash, KERAS_LAYER_ARGS, kerasTopology, kerasTopologyProblems,
  loadModel, loadTf, modelSpecFromTransform, ModelSpecError, predictRows, saveModel, weightSeed, type KerasTopology, type Tf,
} from '../src/model/index.ts';
import { parseTransformArtifact } from '../src/transform/index.ts';
import { modelTransform, randomRows } from './fixtures/model-transform.ts';

let tf: Tf;
beforeAll(async () => {
  ({ tf } = await loadTf({ prefer: ['wasm'] }));
});

const transform = modelTransform();
const spec = modelSpecFromTransform(transform);
const weightsOf = (m: ReturnType<typeof buildBaseModel>) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('modelSpecFromTransform', () => {
  it('one input per feature in feature order: numeric, one-hot over vocabulary + 1, embedding of vocabulary + 1 rows', () => {
    expect(spec).toEqual({
      label: 'tip_bin',
      hiddenUnits: [128, 64],
      inputs: [
        { name: 'tripMiles', kind: 'numeric' },
        { name: 'pay', kind: 'onehot', vocabularySize: 3, width: 4 },
        { name: 'hour', kind: 'embedding', vocabularySize: 24, rows: 25, dim: 4 },
        { name: 'secs', kind: 'numeric' },
        { name: 'dow', kind: 'onehot', vocabularySize: 7, width: 8 },
        { name: 'area', kind: 'embedding', vocabularySize: 77, rows: 78, dim: 8 },
      ],
    });
  });

  it('refuses features whose layer names would collide', () => {
    const doc = JSON.parse(JSON.stringify(transform));
    doc.features[0].name = 'pay_onehot';
    doc.groups.numeric[0] = 'pay_onehot';
    expect(() => modelSpecFromTransform(parseTransformArtifact(doc))).toThrow(new ModelSpecError('features: the layer name "pay_onehot" would be used twice (a feature is named like another feature\'s layer); rename the feature'));
  });
});

describe('buildBaseModel', () => {
  it('has the seed\'s layers and shapes', () => {
    const model = buildBaseModel(tf, spec, { seed: 1 });
    expect(model.inputNames).toEqual(['tripMiles', 'pay', 'hour', 'secs', 'dow', 'area']);
    expect(model.inputs.map((i) => [i.shape, i.dtype])).toEqual([
      [[null, 1], 'float32'], [[null, 1], 'int32'], [[null, 1], 'int32'], [[null, 1], 'float32'], [[null, 1], 'int32'], [[null, 1], 'int32'],
    ]);
    const layer = (n: string) => model.getLayer(n);
    expect(layer('pay_onehot').getClassName()).toBe('CategoryEncoding');
    expect(layer('pay_onehot').outputShape).toEqual([null, 4]);
    expect(layer('dow_onehot').outputShape).toEqual([null, 8]);
    expect(layer('hour_embedding').getWeights()[0]!.shape).toEqual([25, 4]);
    expect(layer('area_embedding').getWeights()[0]!.shape).toEqual([78, 8]);
    // 2 numeric + 4 + 8 one-hot + 4 + 8 embedded.
    expect(layer('combines_inputs').outputShape).toEqual([null, 26]);
    expect(['feedforward_1', 'feedforward_2', 'logits'].map((n) => [layer(n).outputShape, (layer(n).getConfig() as { activation: string }).activation]))
      .toEqual([[[null, 128], 'relu'], [[null, 64], 'relu'], [[null, 1], 'linear']]);
    expect(layer('probabilities').getConfig()['activation']).toBe('sigmoid');
    expect(model.outputs[0]!.shape).toEqual([null, 1]);
    expect(model.countParams()).toBe(26 * 128 + 128 + 128 * 64 + 64 + 64 + 1 + 25 * 4 + 78 * 8);
    model.dispose();
  });

  it('one-hot encodes exactly: a 1 in the index\'s slot, the OOV index in the last', () => {
    const model = buildBaseModel(tf, spec, { seed: 1 });
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer('pay_onehot').output as never });
    const rows = [0, 1, 2, 3].map((pay) => ({ ...randomRows(spec, 1, pay)[0]!, pay }));
    const batch = encodeBatch(tf, spec, rows);
    const out = sub.predict(model.inputNames.map((n) => batch.xs[n]!)) as import('@tensorflow/tfjs').Tensor;
    expect(out.arraySync()).toEqual([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]);
    batch.dispose();
    model.dispose();
  });

  it('initialises deterministically: the same seed gives identical weights, another seed other weights', () => {
    const a = buildBaseModel(tf, spec, { seed: 42 });
    const b = buildBaseModel(tf, spec, { seed: 42 });
    const c = buildBaseModel(tf, spec, { seed: 43 });
    expect(weightsOf(a)).toEqual(weightsOf(b));
    const [wa, wc] = [weightsOf(a), weightsOf(c)];
    // Kernels and embeddings differ; biases start at zero in both.
    a.weights.forEach((w, i) => {
      if (w.originalName.endsWith('/bias')) expect(wa[i]!.every((v) => v === 0)).toBe(true);
      else expect(wa[i], w.originalName).not.toEqual(wc[i]);
    });
    // Keras' initial distributions: glorot uniform within sqrt(6 / (fan_in + fan_out)), embeddings within 0.05.
    const kernel = a.getLayer('feedforward_1').getWeights()[0]!;
    const limit = Math.sqrt(6 / (26 + 128));
    expect(Math.max(...Array.from(kernel.dataSync()).map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...Array.from(a.getLayer('area_embedding').getWeights()[0]!.dataSync()).map(Math.abs))).toBeLessThanOrEqual(0.05);
    expect(weightSeed(42, 'feedforward_1/kernel')).not.toBe(weightSeed(42, 'feedforward_2/kernel'));
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('the topology', () => {
  it('is Keras\' model_from_json format, every layer a Keras class with Keras\' arguments', () => {
    const model = buildBaseModel(tf, spec, { seed: 1 });
    const topology = kerasTopology(model);
    expect(kerasTopologyProblems(topology)).toEqual([]);
    const layers = (topology['config'] as { layers: { class_name: string; config: Record<string, unknown> }[] }).layers;
    expect([...new Set(layers.map((l) => l.class_name))].sort()).toEqual(['Activation', 'CategoryEncoding', 'Concatenate', 'Dense', 'Embedding', 'Flatten', 'InputLayer']);
    for (const l of layers) expect(Object.keys(KERAS_LAYER_ARGS)).toContain(l.class_name);
    expect(layers.find((l) => l.class_name === 'CategoryEncoding')!.config).toMatchObject({ num_tokens: 4, output_mode: 'one_hot', sparse: false });
    expect(layers.find((l) => l.config['name'] === 'feedforward_1')!.config).toMatchObject({
      units: 128, activation: 'relu', use_bias: true,
      kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'uniform' } },
      bias_initializer: { class_name: 'Zeros', config: {} },
    });
    expect(layers.find((l) => l.config['name'] === 'area_embedding')!.config).toMatchObject({ input_dim: 78, output_dim: 8, mask_zero: false });
    expect(layers.filter((l) => l.class_name !== 'InputLayer' && 'batch_input_shape' in l.config)).toEqual([]);
    model.dispose();
  });

  it('flags what Keras would refuse', () => {
    const model = buildBaseModel(tf, spec, { seed: 1 });
    const topology = kerasTopology(model) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } } & KerasTopology;
    const bad = structuredClone(topology);
    bad.config.layers.find((l) => l.class_name === 'CategoryEncoding')!.config['output_mode'] = 'oneHot';
    bad.config.layers.find((l) => l.class_name === 'Dense')!.config['kernelInitializer'] = null;
    bad.config.layers.find((l) => l.class_name === 'Flatten')!.class_name = 'TFJSFlatten';
    const problems = kerasTopologyProblems(bad);
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^config\.layers\[\d+\] CategoryEncoding pay_onehot\.output_mode: "oneHot" is not one of one_hot, multi_hot, count$/),
      expect.stringMatching(/^config\.layers\[\d+\]: "TFJSFlatten" is not a Keras layer class this check knows/),
      expect.stringMatching(/^config\.layers\[\d+\] Dense feedforward_1: Keras does not take the argument kernelInitializer$/),
    ]));
    model.dispose();
  });

  it('hashes the architecture independently of the seed; the initialisation hash follows the seed', () => {
    const [a, b] = [buildBaseModel(tf, spec, { seed: 1 }), buildBaseModel(tf, spec, { seed: 2 })];
    const [ha, hb] = [architectureHash(kerasTopology(a)), architectureHash(kerasTopology(b))];
    expect(ha).toMatch(/^[0-9a-f]{64}$/);
    expect(ha).toBe(hb);
    expect(initializationHash(ha, 1)).not.toBe(initializationHash(ha, 2));
    expect(initializationHash(ha, 1)).toBe(initializationHash(hb, 1));
    const wider = buildBaseModel(tf, { ...spec, hiddenUnits: [256, 64] }, { seed: 1 });
    expect(architectureHash(kerasTopology(wider))).not.toBe(ha);
    [a, b, wider].forEach((m) => m.dispose());
  });

  it('round-trips through the Layers format: same topology, same weights, same predictions', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'model-rt-')), 'model');
    const model = buildBaseModel(tf, spec, { seed: 5 });
    const saved = await saveModel(model, dir, { metadata: { model_family: 'test' }, transform });
    const loaded = await loadModel(tf, dir);
    expect(kerasTopology(loaded)).toEqual(saved.topology);
    expect(JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')).modelTopology).toEqual(saved.topology);
    expect(weightsOf(loaded)).toEqual(weightsOf(model));
    expect(loaded.getLayer('pay_onehot').getClassName()).toBe('CategoryEncoding');
    const rows = randomRows(spec, 300, 8, false);
    expect(predictRows(tf, loaded, spec, rows)).toEqual(predictRows(tf, model, spec, rows));
    [model, loaded].forEach((m) => m.dispose());
  });
});
