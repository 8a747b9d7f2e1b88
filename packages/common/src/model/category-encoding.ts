// Keras' CategoryEncoding layer in its one-hot mode, for TF.js. TF.js 4.22 ships a CategoryEncoding, but its
// computeOutputShape overwrites the last dimension of the shape it is given in place (so the Input feeding it
// starts to expect `numTokens` columns) and its call reads the batch's min and max back synchronously to
// range-check it. This class keeps Keras' class name and config (`num_tokens`, `output_mode: "one_hot"`,
// `sparse: false`), so the saved topology is what `tf.keras.models.model_from_json` reads, and replaces TF.js's
// under that name; input indices are range-checked once, where batches are encoded (encodeBatch).
import type { layers } from '@tensorflow/tfjs';
import type { Tf, Tensor } from './tf.ts';

export interface CategoryEncodingArgs {
  name?: string;
  numTokens: number;
  /** Only one-hot: the mode of the seed's architecture. `one_hot` is how Keras spells it, `oneHot` TF.js. */
  outputMode?: 'oneHot' | 'one_hot';
  sparse?: boolean;
  trainable?: boolean;
  dtype?: 'float32';
}

type Shape = (number | null)[];

export interface CategoryEncodingLayer {
  readonly numTokens: number;
}

type CategoryEncodingClass = new (args: CategoryEncodingArgs) => layers.Layer & CategoryEncodingLayer;

const classes = new WeakMap<Tf, CategoryEncodingClass>();

function defineClass(tf: Tf): CategoryEncodingClass {
  class CategoryEncoding extends tf.layers.Layer implements CategoryEncodingLayer {
    static className = 'CategoryEncoding';
    readonly numTokens: number;

    constructor(args: CategoryEncodingArgs) {
      super(args);
      if (!Number.isSafeInteger(args.numTokens) || args.numTokens < 1) throw new Error(`CategoryEncoding ${args.name ?? ''}: num_tokens: expected an integer >= 1, received ${args.numTokens}`);
      if (args.outputMode !== undefined && args.outputMode !== 'oneHot' && args.outputMode !== 'one_hot') throw new Error(`CategoryEncoding ${args.name ?? ''}: output_mode: only "one_hot" is supported, received ${JSON.stringify(args.outputMode)}`);
      if (args.sparse) throw new Error(`CategoryEncoding ${args.name ?? ''}: sparse: only dense output is supported`);
      this.numTokens = args.numTokens;
    }

    override computeOutputShape(inputShape: Shape | Shape[]): Shape {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
      // Keras: one_hot encodes along a trailing dimension of 1, else appends one.
      return shape.at(-1) === 1 ? [...shape.slice(0, -1), this.numTokens] : [...shape, this.numTokens];
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0]! : inputs;
        const outShape = this.computeOutputShape(x.shape).map((d) => d ?? -1);
        // int32 one-hot, then a cast: the WASM backend's OneHot ignores a float32 dtype and writes the int32 bit
        // patterns into a float32 tensor (1 reads as 1.4e-45).
        return tf.cast(tf.oneHot(tf.cast(tf.reshape(x, [-1]), 'int32'), this.numTokens), 'float32').reshape(outShape);
      });
    }

    override getConfig() {
      // Serialised with snake_case keys and values: num_tokens, output_mode "one_hot", sparse.
      return { ...super.getConfig(), numTokens: this.numTokens, outputMode: 'oneHot', sparse: false };
    }
  }
  tf.serialization.registerClass(CategoryEncoding);
  return CategoryEncoding;
}

/** Registers the model's custom layer classes with this TF.js (once per module instance). */
export function registerModelLayers(tf: Tf): void {
  if (!classes.has(tf)) classes.set(tf, defineClass(tf));
}

/** A one-hot CategoryEncoding layer. */
export function categoryEncoding(tf: Tf, args: CategoryEncodingArgs): layers.Layer & CategoryEncodingLayer {
  registerModelLayers(tf);
  const Cls = classes.get(tf)!;
  return new Cls(args);
}
