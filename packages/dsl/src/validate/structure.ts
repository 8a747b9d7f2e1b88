// Structural rules of a PipelineSpec beyond its proto shape: required fields, component and executor
// references, interface definitions, placeholder references, recursion; DAG rules live in dag.ts.
import type { JsonValue } from '@formalize/common';
import { constantMismatch } from './compat.ts';
import type { SpecContext } from './dag.ts';
import { checkDag } from './dag.ts';
import { findCycles } from './graph.ts';
import type { Issue } from './issues.ts';
import { joinPath } from './issues.ts';
import type { LComponent, LExecutor, LSpec } from './shape.ts';
import { didYouMean } from './suggest.ts';
import { forEachString } from './walk.ts';

/** `sdk/python/kfp/dsl/utils.py::validate_pipeline_name`. */
const PIPELINE_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;

/** Structural issues of a normalised (proto-checked) PipelineSpec. */
export function checkStructure(spec: LSpec): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };

  const name = spec.pipelineInfo?.name;
  if (!name) add('pipelineInfo.name', 'pipelineInfo.name is required');
  else if (!PIPELINE_NAME.test(name)) add('pipelineInfo.name', `"${name}" is not a valid pipeline name (lower-case letters, digits and "-", starting with a letter or digit, at most 128 characters)`);
  if (!spec.schemaVersion) add('schemaVersion', 'schemaVersion is required (the KFP SDK writes "2.1.0")');

  const components = spec.components ?? {};
  const executors = spec.deploymentSpec?.executors ?? {};
  const ctx: SpecContext = { components, loopItems: loopItems(spec), issues };

  for (const [cname, comp] of Object.entries(components)) {
    if (comp) checkComponent(ctx, executors, comp, cname, joinPath('components', cname));
  }
  if (!spec.root) add('root', 'root (the pipeline DAG) is required');
  else if (!spec.root.dag) add('root', 'root must be a DAG component (root.dag)');
  else checkComponent(ctx, executors, spec.root, 'root', 'root');

  for (const cycle of findCycles(componentEdges(components))) {
    add(joinPath('components', cycle[0]!), `recursive component reference: ${cycle.join(' -> ')}`);
  }
  return issues;
}

function checkComponent(ctx: SpecContext, executors: Record<string, LExecutor | undefined>, comp: LComponent, name: string, path: string): void {
  const add = (p: string, message: string): void => {
    ctx.issues.push({ path: p, message });
  };
  checkDefinitions(comp, path, add);
  if (comp.dag) {
    checkDag(ctx, comp, name, path);
  } else if (comp.executorLabel) {
    const exec = executors[comp.executorLabel];
    if (!exec) {
      add(joinPath(path, 'executorLabel'), `executor "${comp.executorLabel}" does not exist in deploymentSpec.executors${didYouMean(comp.executorLabel, Object.keys(executors))}`);
    } else {
      checkExecutorRefs(comp, name, exec, joinPath('deploymentSpec.executors', comp.executorLabel), add);
    }
  } else {
    add(path, 'a component needs either a dag or an executorLabel');
  }
}

type Add = (path: string, message: string) => void;

function checkDefinitions(comp: LComponent, path: string, add: Add): void {
  const ins = comp.inputDefinitions;
  const outs = comp.outputDefinitions;
  const inPath = joinPath(path, 'inputDefinitions');
  for (const [n, def] of Object.entries(ins?.parameters ?? {})) {
    const p = joinPath(joinPath(inPath, 'parameters'), n);
    if (ins?.artifacts?.[n]) add(p, `"${n}" is declared both as an input parameter and as an input artifact`);
    // Pre-2.1 IR used the deprecated `type` field instead of parameterType.
    const type = def?.parameterType;
    if (!type) {
      if (!(def as { type?: unknown } | undefined)?.type) add(p, 'parameterType is required');
      continue;
    }
    if (def?.defaultValue !== undefined) {
      const why = constantMismatch(def.defaultValue as JsonValue, type);
      if (why) add(joinPath(p, 'defaultValue'), why);
    }
  }
  for (const [n, def] of Object.entries(ins?.artifacts ?? {})) checkArtifactType(def?.artifactType, joinPath(joinPath(joinPath(inPath, 'artifacts'), n), 'artifactType'), add);
  const outPath = joinPath(path, 'outputDefinitions');
  for (const [n, def] of Object.entries(outs?.parameters ?? {})) {
    const p = joinPath(joinPath(outPath, 'parameters'), n);
    if (outs?.artifacts?.[n]) add(p, `"${n}" is declared both as an output parameter and as an output artifact`);
    if (!def?.parameterType && !(def as { type?: unknown } | undefined)?.type) add(p, 'parameterType is required');
  }
  for (const [n, def] of Object.entries(outs?.artifacts ?? {})) checkArtifactType(def?.artifactType, joinPath(joinPath(joinPath(outPath, 'artifacts'), n), 'artifactType'), add);
}

function checkArtifactType(t: { schemaTitle?: string; instanceSchema?: string; schemaUri?: string } | undefined, path: string, add: Add): void {
  if (!t) add(path, 'artifactType is required');
  else if (!t.schemaTitle && !t.instanceSchema && !t.schemaUri) add(path, 'artifactType needs a schemaTitle (e.g. "system.Artifact")');
}

const IO_PLACEHOLDER = /\{\{\$\.(inputs|outputs)\.(parameters|artifacts)\['([^']*)'\]/g;

/** Placeholders in the executor must name inputs/outputs the component declares (KFP checks this at load time). */
function checkExecutorRefs(comp: LComponent, name: string, exec: LExecutor, path: string, add: Add): void {
  const label = name === 'root' ? 'the pipeline (root)' : `component "${name}"`;
  const declared = (io: string, kind: string): Record<string, unknown> =>
    ((io === 'inputs' ? comp.inputDefinitions : comp.outputDefinitions) as Record<string, Record<string, unknown> | undefined> | undefined)?.[kind] ?? {};

  const container = exec.container ?? exec.importer;
  forEachString(container, joinPath(path, exec.container ? 'container' : 'importer'), (v, p) => {
    for (const m of v.matchAll(IO_PLACEHOLDER)) {
      const [, io, kind, ref] = m as unknown as [string, string, string, string];
      if (Object.hasOwn(declared(io, kind), ref)) continue;
      const singular = `${io === 'inputs' ? 'input' : 'output'} ${kind === 'parameters' ? 'parameter' : 'artifact'}`;
      add(p, `placeholder {{$.${io}.${kind}['${ref}']...}} refers to ${singular} "${ref}", which ${label} does not declare${didYouMean(ref, Object.keys(declared(io, kind)))}`);
    }
    const ifPresent = ifPresentInput(v);
    if (ifPresent !== undefined && !Object.hasOwn(declared('inputs', 'parameters'), ifPresent) && !Object.hasOwn(declared('inputs', 'artifacts'), ifPresent)) {
      add(p, `IfPresent placeholder refers to input "${ifPresent}", which ${label} does not declare`);
    }
  });

  const runtimeParam = exec.importer?.artifactUri?.runtimeParameter;
  if (runtimeParam !== undefined && !comp.inputDefinitions?.parameters?.[runtimeParam]) {
    add(joinPath(path, 'importer.artifactUri.runtimeParameter'), `importer reads input parameter "${runtimeParam}", which ${label} does not declare`);
  }
}

/** InputName of a structured `{"IfPresent": ...}` placeholder string (top level only; nested ones are rare). */
function ifPresentInput(s: string): string | undefined {
  if (!s.startsWith('{"IfPresent"')) return undefined;
  try {
    const v = JSON.parse(s) as { IfPresent?: { InputName?: unknown } };
    return typeof v.IfPresent?.InputName === 'string' ? v.IfPresent.InputName : undefined;
  } catch {
    return undefined;
  }
}

/** Per iterated component, the inputs its iterators inject (ParallelFor loop items). */
function loopItems(spec: LSpec): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const dags = [spec.root, ...Object.values(spec.components ?? {})];
  for (const comp of dags) {
    for (const task of Object.values(comp?.dag?.tasks ?? {})) {
      const target = task?.componentRef?.name;
      const item = task?.parameterIterator?.itemInput ?? task?.artifactIterator?.itemInput;
      if (!target || !item) continue;
      if (!out.has(target)) out.set(target, new Set());
      out.get(target)!.add(item);
    }
  }
  return out;
}

function componentEdges(components: Record<string, LComponent | undefined>): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const [name, comp] of Object.entries(components)) {
    const refs = Object.values(comp?.dag?.tasks ?? {}).map((t) => t?.componentRef?.name).filter((n): n is string => !!n);
    edges.set(name, [...new Set(refs)]);
  }
  return edges;
}
