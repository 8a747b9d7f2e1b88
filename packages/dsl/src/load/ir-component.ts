// A validated PipelineSpec as a component: a component compiled on its own (one container component, one task
// of it in root.dag, root exposing the same interface) is a container component; anything else is a graph.
import { isDeepStrictEqual } from 'node:util';
import type { ComponentIR, ComponentSpec, ExecutorSpec, InputsSpec, OutputsSpec, PipelineSpec } from '@formalize/common';

function sameInterface(a: InputsSpec | OutputsSpec | undefined, b: InputsSpec | OutputsSpec | undefined): boolean {
  const norm = (d: InputsSpec | OutputsSpec | undefined) => ({ parameters: d?.parameters ?? {}, artifacts: d?.artifacts ?? {} });
  return isDeepStrictEqual(norm(a), norm(b));
}

/** The container component and its executor when `spec` is a single-component PipelineSpec. */
function singleContainer(spec: PipelineSpec): { comp: ComponentSpec; executor: ExecutorSpec } | undefined {
  const comps = Object.entries(spec.components ?? {});
  if (comps.length !== 1) return undefined;
  const [compName, comp] = comps[0]!;
  if (!comp.executorLabel) return undefined;
  const executor = spec.deploymentSpec?.executors?.[comp.executorLabel];
  const tasks = Object.values(spec.root.dag?.tasks ?? {});
  if (!executor || tasks.length !== 1) return undefined;
  const task = tasks[0]!;
  if (task.componentRef.name !== compName || task.parameterIterator || task.artifactIterator || task.triggerPolicy?.condition) return undefined;
  if (!sameInterface(spec.root.inputDefinitions, comp.inputDefinitions) || !sameInterface(spec.root.outputDefinitions, comp.outputDefinitions)) return undefined;
  // Wired inputs come straight from the root input of the same name (no constants hidden in the wrapper).
  // Not every input need be wired: the SDK leaves some out (GCPC create_custom_training_job_from_component).
  const params = Object.entries(task.inputs?.parameters ?? {});
  const arts = Object.entries(task.inputs?.artifacts ?? {});
  if (!params.every(([n, p]) => p.componentInputParameter === n) || !arts.every(([n, a]) => a.componentInputArtifact === n)) return undefined;
  return { comp, executor };
}

/** ComponentIR of a validated PipelineSpec; `description` is the header comment's (falls back to pipelineInfo). */
export function componentFromPipelineSpec(spec: PipelineSpec, description?: string): ComponentIR {
  const name = spec.pipelineInfo.name;
  const desc = description ?? spec.pipelineInfo.description;
  const single = singleContainer(spec);
  if (!single) return { kind: 'graph', name, ...(desc !== undefined ? { description: desc } : {}), pipelineSpec: spec };
  return {
    kind: 'container',
    name,
    ...(desc !== undefined ? { description: desc } : {}),
    ...(single.comp.inputDefinitions ? { inputDefinitions: single.comp.inputDefinitions } : {}),
    ...(single.comp.outputDefinitions ? { outputDefinitions: single.comp.outputDefinitions } : {}),
    executor: single.executor,
  };
}
