// The saved topology is Keras' own `model.to_json()` format (TF.js writes it so): `{class_name: "Model",
// config: {name, layers: [{class_name, config, name, inbound_nodes}], input_layers, output_layers},
// keras_version, backend}`. This module normalises what TF.js writes to what tf.keras' `model_from_json`
// (and `tensorflowjs_converter --output_format=keras`) reads, checks it against the constructor arguments of
// the Keras classes involved, and hashes it.
import { createHash } from 'node:crypto';
import type { LayersModel } from './tf.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type KerasTopology = { [k: string]: Json };

// tf_keras engine/base_layer.py `Layer.__init__`: trainable, name, dtype, dynamic and the allowed kwargs.
const BASE_LAYER_KEYS = ['name', 'trainable', 'dtype', 'dynamic', 'input_dim', 'input_shape', 'batch_input_shape', 'batch_size', 'weights', 'activity_regularizer', 'autocast', 'implementation'];

/**
 * Constructor arguments of the Keras layer classes this architecture uses (tf_keras 2.x sources:
 * engine/input_layer.py, layers/core/dense.py, layers/core/embedding.py, layers/core/activation.py,
 * layers/reshaping/flatten.py, layers/merging/concatenate.py, layers/preprocessing/category_encoding.py).
 */
export const KERAS_LAYER_ARGS: Readonly<Record<string, readonly string[]>> = {
  InputLayer: ['input_shape', 'batch_size', 'dtype', 'input_tensor', 'sparse', 'name', 'ragged', 'type_spec', 'batch_input_shape'],
  Dense: [...BASE_LAYER_KEYS, 'units', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer', 'kernel_constraint', 'bias_constraint'],
  Embedding: [...BASE_LAYER_KEYS, 'input_dim', 'output_dim', 'embeddings_initializer', 'embeddings_regularizer', 'embeddings_constraint', 'mask_zero', 'input_length', 'sparse'],
  Activation: [...BASE_LAYER_KEYS, 'activation'],
  Flatten: [...BASE_LAYER_KEYS, 'data_format'],
  Concatenate: [...BASE_LAYER_KEYS, 'axis'],
  CategoryEncoding: [...BASE_LAYER_KEYS, 'num_tokens', 'output_mode', 'sparse'],
};

/** Keras initializers (tf_keras initializers/initializers.py) and their constructor arguments. */
export const KERAS_INITIALIZER_ARGS: Readonly<Record<string, readonly string[]>> = {
  VarianceScaling: ['scale', 'mode', 'distribution', 'seed'],
  RandomUniform: ['minval', 'maxval', 'seed'],
  Zeros: [],
};

const KERAS_ACTIVATIONS = new Set(['linear', 'relu', 'sigmoid']);
const ENUMS: Record<string, readonly string[]> = {
  output_mode: ['one_hot', 'multi_hot', 'count'],
  mode: ['fan_in', 'fan_out', 'fan_avg'],
  distribution: ['uniform', 'truncated_normal', 'untruncated_normal', 'normal'],
  dtype: ['float32', 'int32', 'int64', 'float64', 'bool', 'string'],
};

const isObject = (v: unknown): v is { [k: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The Keras topology of a model: TF.js' `model.toJSON()`, with `batch_input_shape` kept on InputLayers only
 * (TF.js puts `[null, null]` on Embedding layers; tf.keras ignores it there, Keras 3 refuses it).
 */
export function kerasTopology(model: LayersModel): KerasTopology {
  const topology = structuredClone(model.toJSON(null, false)) as KerasTopology;
  const config = topology['config'];
  if (isObject(config) && Array.isArray(config['layers'])) {
    for (const layer of config['layers']) {
      if (isObject(layer) && layer['class_name'] !== 'InputLayer' && isObject(layer['config'])) delete layer['config']['batch_input_shape'];
    }
  }
  return topology;
}

function checkInitializer(where: string, v: Json, problems: string[]): void {
  if (!isObject(v) || typeof v['class_name'] !== 'string' || !isObject(v['config'])) {
    problems.push(`${where}: expected {class_name, config}, received ${JSON.stringify(v)}`);
    return;
  }
  const allowed = KERAS_INITIALIZER_ARGS[v['class_name']];
  if (!allowed) {
    problems.push(`${where}: ${v['class_name']} is not a Keras initializer this check knows (${Object.keys(KERAS_INITIALIZER_ARGS).join(', ')})`);
    return;
  }
  checkArgs(`${where} (${v['class_name']})`, v['config'], allowed, problems);
}

function checkArgs(where: string, config: { [k: string]: Json }, allowed: readonly string[], problems: string[]): void {
  for (const [k, v] of Object.entries(config)) {
    if (!allowed.includes(k)) problems.push(`${where}: Keras does not take the argument ${k}`);
    else if (k.endsWith('_initializer')) checkInitializer(`${where}.${k}`, v, problems);
    else if (k === 'activation' && (typeof v !== 'string' || !KERAS_ACTIVATIONS.has(v))) problems.push(`${where}.activation: ${JSON.stringify(v)} is not one of ${[...KERAS_ACTIVATIONS].join(', ')}`);
    else if (ENUMS[k] && !ENUMS[k].includes(v as string)) problems.push(`${where}.${k}: ${JSON.stringify(v)} is not one of ${ENUMS[k].join(', ')}`);
  }
}

const isNodeRef = (v: Json) => Array.isArray(v) && typeof v[0] === 'string' && Number.isInteger(v[1]) && Number.isInteger(v[2]);

/** What tf.keras' model_from_json would refuse in this topology (empty: nothing). */
export function kerasTopologyProblems(topology: KerasTopology): string[] {
  const problems: string[] = [];
  if (topology['class_name'] !== 'Model' && topology['class_name'] !== 'Functional') problems.push(`class_name: expected Model or Functional, received ${JSON.stringify(topology['class_name'])}`);
  const config = topology['config'];
  if (!isObject(config) || !Array.isArray(config['layers'])) return [...problems, 'config.layers: missing'];
  for (const key of Object.keys(config)) if (!['name', 'layers', 'input_layers', 'output_layers'].includes(key)) problems.push(`config: unexpected key ${key}`);
  const names = new Set<string>();
  const checkLayer = (layer: Json, where: string) => {
    if (!isObject(layer)) return void problems.push(`${where}: expected an object`);
    for (const key of Object.keys(layer)) if (!['class_name', 'config', 'name', 'inbound_nodes'].includes(key)) problems.push(`${where}: unexpected key ${key}`);
    const cls = layer['class_name'];
    const inbound = layer['inbound_nodes'];
    // Keras 2 node format: [[[layer_name, node_index, tensor_index, kwargs], ...], ...], inputs defined earlier.
    if (!Array.isArray(inbound) || (cls === 'InputLayer') !== (inbound.length === 0)) problems.push(`${where}.inbound_nodes: expected ${cls === 'InputLayer' ? 'none' : 'the nodes feeding it'}`);
    else for (const node of inbound) {
      if (!Array.isArray(node) || !node.every((r) => isNodeRef(r) && Array.isArray(r) && r.length === 4 && isObject(r[3]) && names.has(r[0] as string))) problems.push(`${where}.inbound_nodes: ${JSON.stringify(node)} is not a list of [earlier layer, node, tensor, kwargs]`);
    }
    const allowed = typeof cls === 'string' ? KERAS_LAYER_ARGS[cls] : undefined;
    if (!allowed) return void problems.push(`${where}: ${JSON.stringify(cls)} is not a Keras layer class this check knows (${Object.keys(KERAS_LAYER_ARGS).join(', ')})`);
    const lc = layer['config'];
    if (!isObject(lc)) return void problems.push(`${where}.config: expected an object`);
    if (lc['name'] !== layer['name']) problems.push(`${where}: name ${JSON.stringify(layer['name'])} differs from config.name ${JSON.stringify(lc['name'])}`);
    checkArgs(`${where} ${cls} ${String(layer['name'])}`, lc, allowed, problems);
  };
  config['layers'].forEach((layer, i) => {
    checkLayer(layer, `config.layers[${i}]`);
    if (isObject(layer) && typeof layer['name'] === 'string') names.add(layer['name']);
  });
  for (const key of ['input_layers', 'output_layers'] as const) {
    const refs = config[key];
    if (!Array.isArray(refs) || refs.length === 0 || !refs.every((r) => isNodeRef(r) && names.has((r as Json[])[0] as string))) problems.push(`config.${key}: expected [[layer, node, tensor], ...] naming layers of the model`);
  }
  return problems;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function withoutSeeds(v: Json): Json {
  if (Array.isArray(v)) return v.map(withoutSeeds);
  if (!isObject(v)) return v;
  const out: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'seed') out[k] = withoutSeeds(x);
  return out;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * sha256 of the architecture: the topology in canonical JSON, without what does not change the function the
 * model computes from its weights (initializer seeds, the writer's `keras_version` / `backend`).
 */
export function architectureHash(topology: KerasTopology): string {
  const { keras_version: _v, backend: _b, ...rest } = topology;
  return sha256(canonical(withoutSeeds(rest)));
}

/** sha256 of the initial weights' identity: the architecture and the initialisation seed. */
export function initializationHash(architecture: string, seed: number): string {
  return sha256(canonical({ architecture, seed }));
}
