// Nested pipelines: the inner PipelineSpec's root becomes one DAG component of the outer pipeline
// and its components/executors are merged in, renamed (`-2`, `-3`, ...) where names collide.
import { sanitizeName, type ComponentSpec, type ExecutorSpec, type PipelineSpec } from '@formalize/common';

function unique(base: string, taken: Record<string, unknown>): string {
  let name = base;
  for (let i = 2; name in taken; i++) name = `${base}-${i}`;
  return name;
}

/** Merges `inner` into `components`/`executors`; returns the name of its root DAG component. */
export function mergeGraphComponent(
  components: Record<string, ComponentSpec>,
  executors: Record<string, ExecutorSpec>,
  name: string,
  inner: PipelineSpec,
): string {
  const compRename = new Map<string, string>();
  const execRename = new Map<string, string>();
  for (const name of Object.keys(inner.components ?? {})) {
    const renamed = unique(name, components);
    compRename.set(name, renamed);
    components[renamed] = {}; // reserve the name while the rest are assigned
  }
  for (const label of Object.keys(inner.deploymentSpec?.executors ?? {})) {
    const renamed = unique(label, executors);
    execRename.set(label, renamed);
    executors[renamed] = inner.deploymentSpec!.executors![label]!;
  }
  const rewrite = (c: ComponentSpec): ComponentSpec => {
    const out: ComponentSpec = { ...c };
    if (c.executorLabel) out.executorLabel = execRename.get(c.executorLabel) ?? c.executorLabel;
    if (c.dag) {
      out.dag = {
        ...c.dag,
        tasks: Object.fromEntries(Object.entries(c.dag.tasks).map(([n, t]) => [n, { ...t, componentRef: { name: compRename.get(t.componentRef.name) ?? t.componentRef.name } }])),
      };
    }
    return out;
  };
  for (const [name, c] of Object.entries(inner.components ?? {})) components[compRename.get(name)!] = rewrite(c);
  const rootName = unique(`comp-${sanitizeName(name)}`, components);
  components[rootName] = rewrite(inner.root);
  return rootName;
}
