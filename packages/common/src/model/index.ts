// `@formalize/common/model`: the TensorFlow.js model runtime shared by training, evaluation and serving —
// backend selection (tfjs-node-gpu, tfjs-node, WASM, CPU) with the WASM kernels training needs, the seed's
// architecture from a transform artifact, deterministic initialisation, batch encoding, prediction, and the
// Layers-format model folder (Keras-compatible topology, weights, the bundled transform artifact).
// TF.js itself is an optional peer dependency, loaded by loadTf; everything here takes the `tf` it returns.
export * from './tf.ts';
export * from './backend.ts';
export * from './wasm-kernels.ts';
export * from './category-encoding.ts';
export * from './spec.ts';
export * from './build.ts';
export * from './encode.ts';
export * from './predict.ts';
export * from './keras.ts';
export * from './io.ts';
export * from './artifact.ts';
