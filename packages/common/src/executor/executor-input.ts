// ExecutorInput / ExecutorOutput (pipeline_spec.proto) in the proto3-JSON form the KFP driver and kfp.local
// produce. Only the envelope is checked here; each declared input/output is checked against its own schema.
import { z } from 'zod';
import type { JsonObject, JsonValue } from '../ir/types.ts';

// Unknown fields pass through untouched: newer backends add fields (e.g. customPath) that run() may want.
const artifactList = z.looseObject({ artifacts: z.array(z.unknown()).prefault([]) });

export const executorInputSchema = z.looseObject({
  inputs: z.looseObject({
    parameterValues: z.record(z.string(), z.unknown()).prefault({}),
    artifacts: z.record(z.string(), artifactList).prefault({}),
  }).prefault({}),
  outputs: z.looseObject({
    parameters: z.record(z.string(), z.looseObject({ outputFile: z.string().min(1) })).prefault({}),
    artifacts: z.record(z.string(), artifactList).prefault({}),
    outputFile: z.string().min(1),
  }),
});

export type ExecutorInput = z.output<typeof executorInputSchema>;

export interface ExecutorOutputArtifact { name: string; uri: string; metadata: JsonObject }

/** What the component writes to `outputs.outputFile` (`kfp/dsl/executor.py::write_executor_output`). */
export interface ExecutorOutput {
  parameterValues?: Record<string, JsonValue>;
  artifacts?: Record<string, { artifacts: ExecutorOutputArtifact[] }>;
}
