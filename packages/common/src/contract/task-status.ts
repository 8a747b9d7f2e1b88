// The TASK_FINAL_STATUS input of an exit-handler task: the backend injects the final state of the
// pipeline's tasks (`PipelineTaskFinalStatus` in pipeline_spec.proto, proto3 JSON).
import { z } from 'zod';
import { sharedRegistry } from './registry.ts';

// Loose: kfp.local writes snake_case keys and newer backends add fields; `state` is what exit tasks use.
const statusSchema = z.looseObject({
  state: z.string(),
  pipelineJobResourceName: z.string().optional(),
  pipelineTaskName: z.string().optional(),
  error: z.looseObject({ code: z.number().optional(), message: z.string().optional() }).optional(),
});

export type TaskFinalStatus = z.output<typeof statusSchema>;
export type TaskFinalStatusSchema = typeof statusSchema & { readonly taskFinalStatus: true };

const registry = sharedRegistry<{ taskFinalStatus: true }>('taskFinalStatus');

/** Schema of a TASK_FINAL_STATUS input (IR: `parameterType: TASK_FINAL_STATUS`, `isOptional: true`). */
export function taskFinalStatus(opts: { description?: string } = {}): TaskFinalStatusSchema {
  const schema = opts.description ? statusSchema.describe(opts.description) : statusSchema.clone();
  registry.add(schema, { taskFinalStatus: true });
  Object.defineProperty(schema, 'taskFinalStatus', { value: true, enumerable: false });
  return schema as TaskFinalStatusSchema;
}

export function isTaskFinalStatusSchema(schema: z.ZodType): boolean {
  return registry.get(schema) !== undefined;
}
