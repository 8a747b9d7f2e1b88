// The sampler of each algorithm name the tune component accepts.
import { createGpSampler } from './gp.ts';
import { createRandomSampler } from './random-search.ts';
import type { Algorithm, Sampler } from './sampler.ts';
import { createTpeSampler } from './tpe.ts';

export interface SamplerOptions {
  /** Random trials before a model-based sampler starts (ignored by `random`). */
  startupTrials?: number;
}

export function createSampler(algorithm: Algorithm, opts: SamplerOptions = {}): Sampler {
  switch (algorithm) {
    case 'tpe': return createTpeSampler(opts);
    case 'gp': return createGpSampler(opts);
    case 'random': return createRandomSampler();
  }
}
