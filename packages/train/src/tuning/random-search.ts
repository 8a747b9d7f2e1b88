// Random search (Bergstra & Bengio 2012): independent draws from the prior of each parameter, i.e. log-uniform for
// a log-scaled double, uniform over the values of a discrete one. The baseline the model-based samplers must beat.
import type { Rng } from './rng.ts';
import type { Sampler } from './sampler.ts';
import type { Params, SearchSpace } from './space.ts';
import { decodeValue } from './space.ts';

export function samplePrior(space: SearchSpace, rng: Rng): Params {
  return Object.fromEntries(space.map((p) => [p.name, p.type === 'double' ? decodeValue(p, rng.next()) : p.values[rng.int(p.values.length)]!]));
}

export function createRandomSampler(): Sampler {
  return { name: 'random', suggest: ({ space, rng }) => samplePrior(space, rng) };
}
