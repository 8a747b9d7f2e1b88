// The reference trainer: TF.js' own Adam (`optimizer.minimize`) over the Layers graph up to the logits layer,
// with sigmoid cross-entropy on the logits. Works for any model with a `logits` layer; the fused trainer must
// agree with it (tests), and bench/train.ts measures what the fused step saves.
import type { LayersModel, ModelSpec, Tensor, Tf } from '@formalize/common/model';
import { LAYER_NAMES } from '@formalize/common/model';
import type { Rows, Trainer, WeightSnapshot } from './trainer.ts';

const EVAL_CHUNK = 8192;

export class LayersTrainer implements Trainer {
  readonly kind = 'layers' as const;
  private readonly tf: Tf;
  private readonly model: LayersModel;
  private readonly logitsModel: LayersModel;
  private readonly spec: ModelSpec;
  private readonly optimizer: ReturnType<Tf['train']['adam']>;
  private learningRate: number;

  constructor(tf: Tf, model: LayersModel, spec: ModelSpec) {
    this.tf = tf;
    this.model = model;
    this.spec = spec;
    // Shares the model's layers (and so its weights).
    this.logitsModel = tf.model({ inputs: model.inputs, outputs: model.getLayer(LAYER_NAMES.logits).output as ReturnType<Tf['input']> });
    this.learningRate = 0.001;
    // Keras' epsilon; the rate is set per step (warmup changes it every epoch).
    this.optimizer = tf.train.adam(this.learningRate, 0.9, 0.999, 1e-7);
  }

  private xs(rows: Omit<Rows, 'labels'>): Tensor[] {
    return this.model.inputNames.map((name) => {
      const input = this.spec.inputs.find((i) => i.name === name)!;
      return this.tf.tensor2d(rows.features[name]!, [rows.size, 1], input.kind === 'numeric' ? 'float32' : 'int32');
    });
  }

  step(batch: Rows, learningRate: number): Float32Array {
    const { tf } = this;
    if (learningRate !== this.learningRate) {
      // AdamOptimizer reads `learningRate` on every applyGradients.
      (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
      this.learningRate = learningRate;
    }
    let logits: Tensor | undefined;
    tf.tidy(() => {
      const xs = this.xs(batch);
      const ys = tf.tensor2d(batch.labels, [batch.size, 1]);
      this.optimizer.minimize(() => {
        const z = this.logitsModel.apply(xs, { training: true }) as Tensor;
        logits = tf.keep(z);
        return tf.losses.sigmoidCrossEntropy(ys, z) as ReturnType<Tf['scalar']>;
      });
    });
    const z = logits!.dataSync() as Float32Array;
    logits!.dispose();
    return z;
  }

  logits(rows: Omit<Rows, 'labels'>): Float32Array {
    const out = new Float32Array(rows.size);
    for (let at = 0; at < rows.size; at += EVAL_CHUNK) {
      const end = Math.min(rows.size, at + EVAL_CHUNK);
      const chunk = { size: end - at, features: Object.fromEntries(Object.entries(rows.features).map(([k, v]) => [k, v.subarray(at, end)])) };
      const z = this.tf.tidy(() => this.logitsModel.predict(this.xs(chunk)) as Tensor);
      out.set(z.dataSync() as Float32Array, at);
      z.dispose();
    }
    return out;
  }

  snapshot(): WeightSnapshot {
    return { arrays: this.model.trainableWeights.map((w) => new Float32Array(w.read().dataSync())) };
  }

  restore(s: WeightSnapshot): void {
    const { tf } = this;
    const values = this.model.trainableWeights.map((w, k) => tf.tensor(s.arrays[k]!, w.shape as number[]));
    this.model.trainableWeights.forEach((w, k) => w.write(values[k]!));
    tf.dispose(values);
  }

  sync(): void {
    // The model's own variables are trained in place.
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
