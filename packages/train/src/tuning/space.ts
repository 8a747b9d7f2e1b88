// The search space: which hyperparameters a study varies and over what domain. The samplers work in the unit cube
// (`encode`/`decode`), so a log-uniform learning rate and an ordered set of batch sizes look alike to them.
import { z } from 'zod';

const name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case hyperparameter name');

export const doubleParameterSchema = z.strictObject({
  name,
  type: z.literal('double'),
  min: z.number().finite(),
  max: z.number().finite(),
  /** `log`: uniform in log(x) (learning rates); `linear`: uniform in x. */
  scale: z.enum(['linear', 'log']),
}).superRefine((p, ctx) => {
  if (!(p.min < p.max)) ctx.addIssue({ code: 'custom', message: `min must be below max (min ${p.min}, max ${p.max})`, path: ['min'] });
  if (p.scale === 'log' && !(p.min > 0)) ctx.addIssue({ code: 'custom', message: `a log-scaled range must be positive (min ${p.min})`, path: ['min'] });
});

/** An ordered set of numbers (e.g. batch sizes). TPE treats it as categorical, the GP as ordinal (by position). */
export const discreteParameterSchema = z.strictObject({
  name,
  type: z.literal('discrete'),
  values: z.array(z.number().finite()).min(1).superRefine((vs, ctx) => {
    for (let i = 1; i < vs.length; i++) {
      if (!(vs[i]! > vs[i - 1]!)) ctx.addIssue({ code: 'custom', message: `values must be strictly increasing (${vs[i - 1]} then ${vs[i]})`, path: [i] });
    }
  }),
});

export const parameterSpecSchema = z.discriminatedUnion('type', [doubleParameterSchema, discreteParameterSchema]);
export type DoubleParameter = z.infer<typeof doubleParameterSchema>;
export type DiscreteParameter = z.infer<typeof discreteParameterSchema>;
export type ParameterSpec = z.infer<typeof parameterSpecSchema>;

export const searchSpaceSchema = z.array(parameterSpecSchema).min(1).superRefine((ps, ctx) => {
  const seen = new Set<string>();
  ps.forEach((p, i) => {
    if (seen.has(p.name)) ctx.addIssue({ code: 'custom', message: `duplicate parameter "${p.name}"`, path: [i, 'name'] });
    seen.add(p.name);
  });
});
export type SearchSpace = z.infer<typeof searchSpaceSchema>;

/** One point of the space: hyperparameter name -> value. */
export type Params = Record<string, number>;

/** The seed's stage 2 space: lr log-uniform in [0.001, 0.1], batch size one of 16..256. */
export const DEFAULT_SEARCH_SPACE: SearchSpace = Object.freeze([
  Object.freeze({ name: 'learning_rate', type: 'double', min: 0.001, max: 0.1, scale: 'log' }),
  Object.freeze({ name: 'batch_size', type: 'discrete', values: Object.freeze([16, 32, 64, 128, 256]) as number[] }),
]) as SearchSpace;

const warp = (p: DoubleParameter, x: number) => (p.scale === 'log' ? Math.log(x) : x);
const unwarp = (p: DoubleParameter, y: number) => (p.scale === 'log' ? Math.exp(y) : y);

/** Position of `value` in the unit interval of `p`: log/linear for doubles, index / (n - 1) for discrete values. */
export function encodeValue(p: ParameterSpec, value: number): number {
  if (p.type === 'double') return (warp(p, value) - warp(p, p.min)) / (warp(p, p.max) - warp(p, p.min));
  const i = p.values.indexOf(value);
  if (i < 0) throw new RangeError(`${p.name}: ${value} is not one of ${p.values.join(', ')}`);
  return p.values.length === 1 ? 0 : i / (p.values.length - 1);
}

/** Inverse of encodeValue; discrete parameters snap to the nearest value. */
export function decodeValue(p: ParameterSpec, u: number): number {
  const c = Math.min(1, Math.max(0, u));
  if (p.type === 'double') {
    const x = unwarp(p, warp(p, p.min) + c * (warp(p, p.max) - warp(p, p.min)));
    return Math.min(p.max, Math.max(p.min, x));
  }
  return p.values[Math.round(c * (p.values.length - 1))]!;
}

export const encode = (space: SearchSpace, params: Params): number[] => space.map((p) => encodeValue(p, valueOf(p, params)));
export const decode = (space: SearchSpace, u: readonly number[]): Params => Object.fromEntries(space.map((p, i) => [p.name, decodeValue(p, u[i]!)]));

function valueOf(p: ParameterSpec, params: Params): number {
  const v = params[p.name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${p.name}: expected a number, received ${v}`);
  return v;
}

/** Whether `value` lies in the domain of `p`. */
export function contains(p: ParameterSpec, value: number): boolean {
  return p.type === 'double' ? value >= p.min && value <= p.max : p.values.includes(value);
}

export function describeDomain(p: ParameterSpec): string {
  return p.type === 'double' ? `[${p.min}, ${p.max}] (${p.scale})` : `one of ${p.values.join(', ')}`;
}
