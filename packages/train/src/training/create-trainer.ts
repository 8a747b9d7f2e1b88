// The fused step when the model is the seed's architecture, else TF.js' own optimizer over the Layers graph.
import type { LayersModel, ModelSpec, Tf } from '@formalize/common/model';
import { FusedMlpTrainer, FusedUnavailableError } from './fused-mlp.ts';
import { LayersTrainer } from './layers-trainer.ts';
import type { Trainer } from './trainer.ts';

export type TrainerKind = 'fused' | 'layers';

export function createTrainer(tf: Tf, model: LayersModel, spec: ModelSpec, prefer: TrainerKind = 'fused'): { trainer: Trainer; note?: string } {
  if (prefer === 'fused') {
    try {
      return { trainer: new FusedMlpTrainer(tf, model, spec) };
    } catch (err) {
      if (!(err instanceof FusedUnavailableError)) throw err;
      return { trainer: new LayersTrainer(tf, model, spec), note: `not the seed's architecture (${err.message}): TF.js' optimizer over the Layers graph` };
    }
  }
  return { trainer: new LayersTrainer(tf, model, spec) };
}
