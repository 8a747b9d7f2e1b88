// The TensorFlow.js API as the model code sees it. Only a type: the module itself is loaded at run time by
// loadTf (TF.js is an optional peer dependency of common), and both @tensorflow/tfjs and @tensorflow/tfjs-node
// export this same API.
import type * as tfjs from '@tensorflow/tfjs';

export type Tf = typeof tfjs;
export type LayersModel = tfjs.LayersModel;
export type Tensor = tfjs.Tensor;
