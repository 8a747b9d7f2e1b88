// `PipelineTaskFinalStatus`: the input an exit-handler task receives about the tasks it guards
// (IR parameter type TASK_FINAL_STATUS, filled by the backend, always optional).
import { z } from 'zod';
import { sharedRegistry } from './registry.ts';

const registry = sharedRegistry<{ taskFinalStatus: true }>('taskFinalStatus');

// Loose objects: kfp.local writes snake_case keys and newer backends add fields; `state` is what exit tasks read.
const statusSchema = z.looseObject({
  state: z.string(),
  pipelineJobResourceName: z.string().optional(),
  pipelineTaskName: z.string().optional(),
  error: z.looseObject({ code: z.number().optional(), message: z.string().optional() }).optional(),
}).optional();

export type TaskFinalStatus = NonNullable<z.output<typeof statusSchema>>;

/** Schema of a TASK_FINAL_STATUS input; wire it with `TASK_FINAL_STATUS` in a pipeline. */
export function taskFinalStatus(description?: string): typeof statusSchema & { readonly taskFinalStatus: true } {
  const schema = description ? statusSchema.describe(description) : statusSchema.clone();
  registry.add(schema, { taskFinalStatus: true });
  Object.defineProperty(schema, 'taskFinalStatus', { value: true, enumerable: false });
  return schema as typeof statusSchema & { readonly taskFinalStatus: true };
}

/** True for schemas made by `taskFinalStatus()`, including `.describe()` clones of them. */
export function isTaskFinalStatusSchema(schema: z.ZodType): boolean {
  return registry.get(schema) !== undefined;
}
