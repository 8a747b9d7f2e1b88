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

/** An input artifact of `buildExecutorInput`: its type (schema title), where it is, what upstream recorded. */
export interface ExecutorInputArtifact { type: string; uri: string; metadata?: Record<string, unknown> }

export interface ExecutorInputSpec {
  parameters?: Record<string, unknown>;
  artifacts?: Record<string, ExecutorInputArtifact>;
  /** Output artifact name -> type; each is provisioned at `<outputDir>/<name>`. */
  outputArtifacts?: Record<string, string>;
  /** Output parameters, each written to `<outputDir>/outputs/<name>`. */
  outputParameters?: readonly string[];
  /** Folder of the task's outputs and of `executor_output.json`. */
  outputDir: string;
}

/** The ExecutorInput a KFP driver would hand a task (one artifact per input/output), for launching a component directly. */
export function buildExecutorInput(spec: ExecutorInputSpec): ExecutorInput {
  const one = (name: string, type: string, uri: string, metadata: Record<string, unknown> = {}) =>
    ({ artifacts: [{ name, type: { schemaTitle: type, schemaVersion: '0.0.1' }, uri, metadata }] });
  const dir = spec.outputDir.replace(/\/+$/, '');
  return {
    inputs: {
      parameterValues: spec.parameters ?? {},
      artifacts: Object.fromEntries(Object.entries(spec.artifacts ?? {}).map(([k, a]) => [k, one(k, a.type, a.uri, a.metadata)])),
    },
    outputs: {
      artifacts: Object.fromEntries(Object.entries(spec.outputArtifacts ?? {}).map(([k, type]) => [k, one(k, type, `${dir}/${k}`)])),
      parameters: Object.fromEntries((spec.outputParameters ?? []).map((k) => [k, { outputFile: `${dir}/outputs/${k}` }])),
      outputFile: `${dir}/executor_output.json`,
    },
  };
}
