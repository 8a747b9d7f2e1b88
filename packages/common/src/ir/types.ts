// TypeScript view of KFP v2 IR (api/v2alpha1/pipeline_spec.proto) in its proto3-JSON form.
// Only fields the SDK emits are typed; validation against the .proto lives in @formalize/dsl.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

export const PARAMETER_TYPES = [
  'NUMBER_DOUBLE', 'NUMBER_INTEGER', 'STRING', 'BOOLEAN', 'LIST', 'STRUCT', 'TASK_FINAL_STATUS', 'TASK_CONFIG',
] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ArtifactTypeSchema { schemaTitle: string; schemaVersion: string }

export interface InputParameterDef {
  parameterType: ParameterType;
  defaultValue?: JsonValue;
  isOptional?: boolean;
  description?: string;
  /** Allowed values (KFP Literal constraint, `typing.Literal` inputs). */
  literals?: JsonValue[];
}
export interface InputArtifactDef {
  artifactType: ArtifactTypeSchema;
  isArtifactList?: boolean;
  isOptional?: boolean;
  description?: string;
}
export interface OutputParameterDef { parameterType: ParameterType; description?: string }
export interface OutputArtifactDef { artifactType: ArtifactTypeSchema; isArtifactList?: boolean; description?: string }

export interface InputsSpec { parameters?: Record<string, InputParameterDef>; artifacts?: Record<string, InputArtifactDef> }
export interface OutputsSpec { parameters?: Record<string, OutputParameterDef>; artifacts?: Record<string, OutputArtifactDef> }

export interface ComponentSpec {
  inputDefinitions?: InputsSpec;
  outputDefinitions?: OutputsSpec;
  executorLabel?: string;
  dag?: DagSpec;
}

export interface DagSpec { tasks: Record<string, TaskSpec>; outputs?: DagOutputsSpec }
export interface DagOutputsSpec {
  artifacts?: Record<string, { artifactSelectors: { producerSubtask: string; outputArtifactKey: string }[] }>;
  parameters?: Record<string, {
    valueFromParameter?: { producerSubtask: string; outputParameterKey: string };
    valueFromOneof?: { parameterSelectors: { producerSubtask: string; outputParameterKey: string }[] };
  }>;
}

export interface TaskInputParameter {
  componentInputParameter?: string;
  taskOutputParameter?: { producerTask: string; outputParameterKey: string };
  runtimeValue?: { constant: JsonValue };
  taskFinalStatus?: { producerTask: string };
  parameterExpressionSelector?: string;
}
export interface TaskInputArtifact {
  componentInputArtifact?: string;
  taskOutputArtifact?: { producerTask: string; outputArtifactKey: string };
}

export interface RetryPolicy {
  maxRetryCount?: number;
  backoffDuration?: string;
  backoffFactor?: number;
  backoffMaxDuration?: string;
}

export interface TaskSpec {
  taskInfo: { name: string };
  componentRef: { name: string };
  inputs?: { parameters?: Record<string, TaskInputParameter>; artifacts?: Record<string, TaskInputArtifact> };
  dependentTasks?: string[];
  cachingOptions?: { enableCache?: boolean; cacheKey?: string };
  triggerPolicy?: { condition?: string; strategy?: 'ALL_UPSTREAM_TASKS_SUCCEEDED' | 'ALL_UPSTREAM_TASKS_COMPLETED' };
  parameterIterator?: { items: { raw?: string; inputParameter?: string }; itemInput: string };
  artifactIterator?: { items: { inputArtifact: string }; itemInput: string };
  retryPolicy?: RetryPolicy;
  iteratorPolicy?: { parallelismLimit?: number };
}

export interface ResourceSpec {
  cpuLimit?: number; memoryLimit?: number; cpuRequest?: number; memoryRequest?: number;
  resourceCpuLimit?: string; resourceMemoryLimit?: string; resourceCpuRequest?: string; resourceMemoryRequest?: string;
  accelerator?: { type?: string; count?: string; resourceType?: string; resourceCount?: string };
}

export interface ContainerSpec {
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value: string }[];
  resources?: ResourceSpec;
}
export interface ImporterSpec {
  artifactUri: { constant?: JsonValue; runtimeParameter?: string };
  typeSchema: ArtifactTypeSchema;
  metadata?: JsonObject;
  reimport?: boolean;
  downloadToWorkspace?: boolean;
}
export interface ExecutorSpec { container?: ContainerSpec; importer?: ImporterSpec }

export interface PipelineSpec {
  components?: Record<string, ComponentSpec>;
  defaultPipelineRoot?: string;
  deploymentSpec?: { executors?: Record<string, ExecutorSpec> };
  pipelineInfo: { name: string; displayName?: string; description?: string };
  root: ComponentSpec;
  schemaVersion: string;
  sdkVersion: string;
}

export const SCHEMA_VERSION = '2.1.0';
export const SCHEMA_VERSION_ARTIFACT = '0.0.1';
