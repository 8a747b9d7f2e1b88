// `PipelineTaskFinalStatus`: the input an exit-handler task receives about the tasks it guards
// (IR parameter type TASK_FINAL_STATUS, filled by the backend, always optional).
import { z } from 'zod';

const KEY = Symbol.for('formalize.taskFinalStatus');

/** Schema of a TASK_FINAL_STATUS input; wire it with `TASK_FINAL_STATUS` in a pipeline. */
export function taskFinalStatus(description?: string) {
  const schema = z.object({
    state: z.string(),
    pipelineJobResourceName: z.string().optional(),
    pipelineTaskName: z.string().optional(),
    error: z.object({ code: z.number().optional(), message: z.string().optional() }).optional(),
  }).optional();
  const described = description ? schema.describe(description) : schema;
  Object.defineProperty(described, KEY, { value: true, enumerable: false });
  return described as typeof schema & { readonly taskFinalStatus: true };
}

export function isTaskFinalStatusSchema(schema: unknown): boolean {
  return typeof schema === 'object' && schema !== null && (schema as Record<symbol, unknown>)[KEY] === true;
}
