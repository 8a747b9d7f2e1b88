// The two shapes a component takes in IR: a container component (one executor) and a graph component
// (a compiled pipeline reused as a task). Single-component PipelineSpec = what `component.yaml` holds.
import type { ExecutorSpec, InputsSpec, OutputsSpec, PipelineSpec, TaskSpec, DagOutputsSpec } from './types.ts';
import { SCHEMA_VERSION } from './types.ts';

export interface ContainerComponentIR {
  kind: 'container';
  /** KFP component name, e.g. `write-to-gcs` (becomes `comp-write-to-gcs` / `exec-write-to-gcs`). */
  name: string;
  description?: string;
  inputDefinitions?: InputsSpec;
  outputDefinitions?: OutputsSpec;
  executor: ExecutorSpec;
}

export interface GraphComponentIR {
  kind: 'graph';
  name: string;
  description?: string;
  pipelineSpec: PipelineSpec;
}

export type ComponentIR = ContainerComponentIR | GraphComponentIR;

export const SDK_VERSION = 'formalize-0.1.0';

/** KFP's name sanitizer for component and task names (`dsl/utils.py::maybe_rename_for_k8s`). */
export function sanitizeName(name: string): string {
  return name.toLowerCase().replace(/[^-0-9a-z]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
}

function isEmpty(o: object | undefined): boolean {
  return !o || Object.values(o).every((v) => v === undefined || (typeof v === 'object' && Object.keys(v).length === 0));
}

/** A component compiled on its own: one task in root.dag, root mirrors the interface (`ComponentSpec.to_pipeline_spec`). */
export function singleComponentPipelineSpec(c: ContainerComponentIR): PipelineSpec {
  const name = sanitizeName(c.name);
  const task: TaskSpec = { cachingOptions: { enableCache: true }, componentRef: { name: `comp-${name}` }, taskInfo: { name } };
  const params = Object.keys(c.inputDefinitions?.parameters ?? {});
  const arts = Object.keys(c.inputDefinitions?.artifacts ?? {});
  if (params.length || arts.length) {
    task.inputs = {};
    if (params.length) task.inputs.parameters = Object.fromEntries(params.map((p) => [p, { componentInputParameter: p }]));
    if (arts.length) task.inputs.artifacts = Object.fromEntries(arts.map((a) => [a, { componentInputArtifact: a }]));
  }
  const outputs: DagOutputsSpec = {};
  const outArts = Object.keys(c.outputDefinitions?.artifacts ?? {});
  const outParams = Object.keys(c.outputDefinitions?.parameters ?? {});
  if (outArts.length) outputs.artifacts = Object.fromEntries(outArts.map((a) => [a, { artifactSelectors: [{ outputArtifactKey: a, producerSubtask: name }] }]));
  if (outParams.length) outputs.parameters = Object.fromEntries(outParams.map((p) => [p, { valueFromParameter: { outputParameterKey: p, producerSubtask: name } }]));
  const spec: PipelineSpec = {
    components: { [`comp-${name}`]: stripEmpty({ executorLabel: `exec-${name}`, inputDefinitions: c.inputDefinitions, outputDefinitions: c.outputDefinitions }) },
    deploymentSpec: { executors: { [`exec-${name}`]: c.executor } },
    pipelineInfo: { name },
    root: stripEmpty({
      dag: isEmpty(outputs) ? { tasks: { [name]: task } } : { outputs, tasks: { [name]: task } },
      inputDefinitions: c.inputDefinitions,
      outputDefinitions: c.outputDefinitions,
    }),
    schemaVersion: SCHEMA_VERSION,
    sdkVersion: SDK_VERSION,
  };
  return spec;
}

function stripEmpty<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(typeof v === 'object' && isEmpty(v)))) as T;
}
