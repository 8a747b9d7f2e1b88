// The Vertex AI custom serving container contract, read from the environment Vertex sets
// (https://cloud.google.com/vertex-ai/docs/predictions/custom-container-requirements): the port, the predict
// and health routes, and where the model artifacts are.
import { z } from 'zod';
import { ContractError, zodProblems } from '@formalize/common';

const route = z.string().regex(/^\/[^\s?#]*$/, 'expected a path starting with "/"');

export const servingEnvSchema = z.object({
  AIP_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  AIP_PREDICT_ROUTE: route.default('/predict'),
  AIP_HEALTH_ROUTE: route.default('/health'),
  /** The model folder (Vertex copies the model's artifactUri there); `--model-dir` overrides it. */
  AIP_STORAGE_URI: z.string().min(1).optional(),
});

export type ServingEnv = z.output<typeof servingEnvSchema>;

/** The serving settings in `env`; a bad value fails naming the variable and the value. */
export function readServingEnv(env: NodeJS.ProcessEnv = process.env): ServingEnv {
  const picked = Object.fromEntries(Object.keys(servingEnvSchema.shape).filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const r = servingEnvSchema.safeParse(picked, { reportInput: true });
  if (!r.success) throw new ContractError(zodProblems('', r.error, picked));
  return r.data;
}
