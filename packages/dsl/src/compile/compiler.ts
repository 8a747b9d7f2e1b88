// Compiles a recorded pipeline graph to a KFP PipelineSpec the way the KFP SDK does: one DAG
// component per group, values crossing group boundaries "punched through" as
// `pipelinechannel--...` inputs, dependencies lifted to the first uncommon ancestors, fan-in and
// one-of values exposed as DAG outputs, and one component + executor per task.
import {
  SCHEMA_VERSION, SDK_VERSION, sanitizeName, type ComponentSpec, type DagOutputsSpec, type ExecutorSpec, type InputsSpec, type JsonValue,
  type OutputsSpec, type PipelineSpec, type TaskInputArtifact, type TaskInputParameter, type TaskSpec,
} from '@formalize/common';
import { ArtifactChannel, ParamChannel, TASK_FINAL_STATUS, type Channel } from '../dsl/channels.ts';
import { ancestors, isGroup, uncommonAncestors, type Group, type Node, type PipelineBuilder } from '../dsl/graph.ts';
import type { PipelineDef } from '../dsl/pipeline.ts';
import type { Shape } from '../dsl/types.ts';
import type { Task } from '../dsl/task.ts';
import { termsToCel } from './cel.ts';
import { pyJson } from '../dsl/placeholders.ts';
import { mergeGraphComponent } from './merge.ts';

export interface CompileInput {
  builder: PipelineBuilder;
  inputDefinitions: InputsSpec;
  outputs: Record<string, Channel>;
  def: PipelineDef<Shape>;
}

/** The group whose DAG holds a channel directly (no punching through needed there). */
function scopeOf(c: Channel, root: Group): Group | undefined {
  const o = c.origin;
  switch (o.kind) {
    case 'pipeline-input': return root;
    case 'task-output': return o.task.parent;
    case 'loop-item': return o.loop;
    case 'loop-subvar': return scopeOf(o.base, root);
    case 'collected': return o.loop.parent;
    case 'oneof': return o.branches.parent;
  }
}

/** The node in a DAG that produces a channel (for dependencies and taskOutput references). */
function producerOf(c: Channel): Node | undefined {
  const o = c.origin;
  if (o.kind === 'task-output') return o.task;
  if (o.kind === 'collected') return o.loop;
  if (o.kind === 'oneof') return o.branches;
  return undefined;
}

function argChannels(t: Task): Channel[] {
  return Object.values(t.args).filter((a): a is Channel => a instanceof ParamChannel || a instanceof ArtifactChannel);
}

/** Channels a group itself consumes: its condition operands, its loop items source. */
function groupChannels(g: Group): Channel[] {
  if (g.type === 'condition') return g.terms.flatMap((t) => t.condition.channels());
  if (g.type === 'for-loop' && (g.items instanceof ParamChannel || g.items instanceof ArtifactChannel)) return [g.items];
  return [];
}

function walk(g: Group, visit: (n: Node) => void): void {
  for (const c of g.children) {
    visit(c);
    if (isGroup(c)) walk(c, visit);
  }
}

export function compilePipeline({ builder, inputDefinitions, outputs, def }: CompileInput): PipelineSpec {
  const root = builder.root;
  const groupInputs = new Map<Group, Map<string, Channel>>();
  const inputsOf = (g: Group) => groupInputs.get(g) ?? groupInputs.set(g, new Map()).get(g)!;

  // 1. Which channels each group must receive from its parent DAG.
  const use = (c: Channel, from: Group, where: string): void => {
    const scope = scopeOf(c, root);
    for (let g: Group | undefined = from; g !== scope; g = g.parent) {
      if (!g || g === root) throw new Error(`${where}: '${c.name}' is not visible here; outputs of tasks inside If/ParallelFor/ExitHandler can only be used inside them (or through Collected/OneOf)`);
      inputsOf(g).set(c.pipelineChannelName, c);
    }
    if (c.origin.kind === 'loop-subvar' && from !== scope) use(c.origin.base, from, where);
  };
  walk(root, (n) => {
    if (isGroup(n)) {
      for (const c of groupChannels(n)) use(c, n, n.name);
      return;
    }
    for (const c of argChannels(n)) use(c, n.parent!, `task '${n.name}'`);
    for (const g of ancestors(n)) if (g.type === 'condition') for (const c of groupChannels(g)) use(c, n.parent!, `task '${n.name}'`);
  });

  // 2. DAG outputs for fan-in (Collected) and OneOf values, and the pipeline's own outputs.
  const dagOutputs = new Map<Group, DagOutputsSpec>();
  const outputDefs = new Map<Group, OutputsSpec>();
  const exposeFrom = (top: Group, c: Channel, asList: boolean): void => {
    const producer = c.producerTask;
    if (!producer) throw new Error(`'${c.name}' is not a task output`);
    const chain = [...ancestors(producer).slice(ancestors(top).length), producer];
    for (let i = chain.length - 2; i >= 0; i--) {
      const g = chain[i] as Group;
      const child = chain[i + 1]!;
      const key = child === producer ? c.origin.kind === 'task-output' ? c.origin.key : '' : c.pipelineChannelName;
      addDagOutput(g, c.pipelineChannelName, c, child.name, key, asList && g === top);
    }
  };
  const addDagOutput = (g: Group, name: string, c: Channel, producerSubtask: string, key: string, asList: boolean): void => {
    const outs = dagOutputs.get(g) ?? dagOutputs.set(g, {}).get(g)!;
    const defs = outputDefs.get(g) ?? outputDefs.set(g, {}).get(g)!;
    if (c instanceof ArtifactChannel) {
      (outs.artifacts ??= {})[name] = { artifactSelectors: [{ outputArtifactKey: key, producerSubtask }] };
      (defs.artifacts ??= {})[name] = { artifactType: { schemaTitle: c.artifactType, schemaVersion: '0.0.1' }, ...(asList ? { isArtifactList: true } : {}) };
    } else {
      (outs.parameters ??= {})[name] = { valueFromParameter: { outputParameterKey: key, producerSubtask } };
      (defs.parameters ??= {})[name] = { parameterType: asList ? 'LIST' : c.parameterType };
    }
  };
  const exposeChannel = (c: Channel): void => {
    const o = c.origin;
    if (o.kind === 'collected') exposeFrom(o.loop, o.inner, true);
    if (o.kind === 'oneof') {
      const selectors = o.options.map((opt) => {
        const branch = ancestors(opt.producerTask!).find((g) => g.parent === o.branches)!;
        exposeFrom(branch, opt, false);
        return { producerSubtask: branch.name, key: opt.pipelineChannelName };
      });
      const outs = dagOutputs.get(o.branches) ?? dagOutputs.set(o.branches, {}).get(o.branches)!;
      const defs = outputDefs.get(o.branches) ?? outputDefs.set(o.branches, {}).get(o.branches)!;
      if (c instanceof ArtifactChannel) {
        (outs.artifacts ??= {})[c.pipelineChannelName] = { artifactSelectors: selectors.map((s) => ({ outputArtifactKey: s.key, producerSubtask: s.producerSubtask })) };
        (defs.artifacts ??= {})[c.pipelineChannelName] = { artifactType: { schemaTitle: c.artifactType, schemaVersion: '0.0.1' } };
      } else {
        (outs.parameters ??= {})[c.pipelineChannelName] = { valueFromOneof: { parameterSelectors: selectors.map((s) => ({ outputParameterKey: s.key, producerSubtask: s.producerSubtask })) } };
        (defs.parameters ??= {})[c.pipelineChannelName] = { parameterType: c.parameterType };
      }
    }
  };
  walk(root, (n) => { if (!isGroup(n)) for (const c of argChannels(n)) exposeChannel(c); });
  for (const c of Object.values(outputs)) exposeChannel(c);

  // 3. Dependencies between siblings in each DAG (KFP `get_dependencies`).
  const deps = new Map<Node, Set<string>>();
  const depend = (downstream: Node, upstream: Node): void => {
    const [ua, da] = uncommonAncestors(upstream, downstream);
    if (!ua.length || !da.length) return;
    (deps.get(da[0]!) ?? deps.set(da[0]!, new Set()).get(da[0]!)!).add(ua[0]!.name);
  };
  walk(root, (n) => {
    const channels = isGroup(n) ? groupChannels(n) : argChannels(n);
    for (const c of channels) {
      const p = producerOf(c);
      if (p) depend(n, p);
    }
    if (!isGroup(n)) {
      for (const u of n.upstream) depend(n, u as Task);
      if (n.exitHandlerOf) depend(n, n.exitHandlerOf);
    }
  });

  // 4. Resolve how a channel is read inside a given DAG.
  const resolveIn = (d: Group, c: Channel, where: string): TaskInputParameter & TaskInputArtifact => {
    const p = producerOf(c);
    if (p && p.parent === d) {
      const key = c.origin.kind === 'task-output' ? c.origin.key : c.pipelineChannelName;
      return c instanceof ArtifactChannel ? { taskOutputArtifact: { outputArtifactKey: key, producerTask: p.name } } : { taskOutputParameter: { outputParameterKey: key, producerTask: p.name } };
    }
    const component = (name: string) => (c instanceof ArtifactChannel ? { componentInputArtifact: name } : { componentInputParameter: name });
    if (d === root && c.origin.kind === 'pipeline-input') return component(c.name);
    if (c.origin.kind === 'loop-item' && c.origin.loop === d) return component(c.pipelineChannelName);
    if (inputsOf(d).has(c.pipelineChannelName)) return component(c.pipelineChannelName);
    if (c.origin.kind === 'loop-subvar') {
      const base = resolveIn(d, c.origin.base, where);
      return { ...base, parameterExpressionSelector: `parseJson(string_value)["${c.origin.field}"]` };
    }
    throw new Error(`${where}: cannot read '${c.name}' inside '${d.name}'`);
  };
  const inputsSpecOf = (d: Group, args: [string, unknown][], where: string, exitGroup?: Group): TaskSpec['inputs'] => {
    const parameters: Record<string, TaskInputParameter> = {};
    const artifacts: Record<string, TaskInputArtifact> = {};
    for (const [name, a] of args) {
      if (a === undefined) continue;
      if (a === TASK_FINAL_STATUS) {
        if (!exitGroup) throw new Error(`${where}: input '${name}' takes the task final status, which only an ExitHandler's exit task receives`);
        parameters[name] = { taskFinalStatus: { producerTask: exitGroup.name } };
      } else if (a instanceof ArtifactChannel) artifacts[name] = resolveIn(d, a, where);
      else if (a instanceof ParamChannel) parameters[name] = resolveIn(d, a, where);
      else parameters[name] = { runtimeValue: { constant: a as JsonValue } };
    }
    const out: NonNullable<TaskSpec['inputs']> = {};
    if (Object.keys(artifacts).length) out.artifacts = artifacts;
    if (Object.keys(parameters).length) out.parameters = parameters;
    return Object.keys(out).length ? out : undefined;
  };

  // 5. Emit components, executors and tasks.
  const components: Record<string, ComponentSpec> = {};
  const executors: Record<string, ExecutorSpec> = {};

  const withDeps = (n: Node, spec: TaskSpec): TaskSpec => {
    const d = deps.get(n);
    if (d?.size) spec.dependentTasks = [...d].sort();
    return spec;
  };

  // Component names follow task creation order, as the SDK assigns them: a nested pipeline's own
  // components are merged at its task, and later components that collide get `-2`, `-3`, ...
  const componentName = new Map<Task, string>();
  const uniqueComponent = (base: string) => {
    let name = base;
    for (let i = 2; name in components; i++) name = `${base}-${i}`;
    return name;
  };
  walk(root, (n) => { if (isGroup(n)) components[`comp-${n.name}`] = {}; }); // group DAGs keep their names
  for (const t of builder.tasks) {
    const target = t.target;
    if (target.kind === 'graph') {
      componentName.set(t, mergeGraphComponent(components, executors, target.name, target.pipelineSpec));
      continue;
    }
    const comp = uniqueComponent(`comp-${sanitizeName(target.name)}`);
    const exec = `exec-${comp.slice('comp-'.length)}`;
    componentName.set(t, comp);
    if (target.kind === 'container') {
      components[comp] = strip({ executorLabel: exec, inputDefinitions: target.inputDefinitions, outputDefinitions: target.outputDefinitions });
      const container = { ...target.executor.container! };
      if (Object.keys(t.resources).length) container.resources = { ...container.resources, ...t.resources };
      if (t.env.length) container.env = [...(container.env ?? []), ...t.env];
      executors[exec] = { container };
    } else {
      const uri = t.args.uri;
      components[comp] = {
        executorLabel: exec,
        inputDefinitions: { parameters: { uri: { parameterType: 'STRING' } } },
        outputDefinitions: { artifacts: { artifact: { artifactType: target.artifactType } } },
      };
      executors[exec] = { importer: { artifactUri: uri instanceof ParamChannel ? { runtimeParameter: 'uri' } : { constant: uri as JsonValue }, ...target.importer } };
    }
  }

  const taskSpecOf = (t: Task): TaskSpec => {
    const spec: TaskSpec = { taskInfo: { name: t.displayName ?? t.name }, componentRef: { name: componentName.get(t)! } };
    spec.cachingOptions = t.caching ? { enableCache: true } : {};
    if (t.cacheKey) spec.cachingOptions.cacheKey = t.cacheKey;
    const inputs = inputsSpecOf(t.parent!, Object.entries(t.args), `task '${t.name}'`, t.exitHandlerOf);
    if (inputs) spec.inputs = inputs;
    if (t.retry) spec.retryPolicy = t.retry;
    if (t.exitHandlerOf || t.ignoreUpstreamFailureFlag) spec.triggerPolicy = { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' };
    return withDeps(t, spec);
  };

  const groupTaskSpecOf = (g: Group): TaskSpec => {
    const d = g.parent!;
    const spec: TaskSpec = { taskInfo: { name: g.displayName ?? g.name }, componentRef: { name: `comp-${g.name}` } };
    const args = [...inputsOf(g).entries()].filter(([, c]) => !(c.origin.kind === 'loop-item' && c.origin.loop === g));
    const inputs = inputsSpecOf(d, args, g.name);
    if (inputs) spec.inputs = inputs;
    if (g.type === 'condition') spec.triggerPolicy = { condition: termsToCel(g.terms) };
    if (g.type === 'for-loop') {
      if (g.items instanceof ArtifactChannel) spec.artifactIterator = { itemInput: g.item.pipelineChannelName, items: { inputArtifact: g.items.pipelineChannelName } };
      else if (g.items instanceof ParamChannel) spec.parameterIterator = { itemInput: g.item.pipelineChannelName, items: { inputParameter: g.items.pipelineChannelName } };
      else spec.parameterIterator = { itemInput: g.item.pipelineChannelName, items: { raw: pyJson(g.items) } };
      if (g.parallelism > 0) spec.iteratorPolicy = { parallelismLimit: g.parallelism };
    }
    return withDeps(g, spec);
  };

  const dagOf = (g: Group): ComponentSpec => {
    const tasks: Record<string, TaskSpec> = {};
    for (const child of g.children) {
      if (isGroup(child)) {
        tasks[child.name] = groupTaskSpecOf(child);
        components[`comp-${child.name}`] = dagOf(child);
      } else {
        tasks[child.name] = taskSpecOf(child);
      }
    }
    const outs = dagOutputs.get(g);
    const spec: ComponentSpec = { dag: outs ? { outputs: outs, tasks } : { tasks } };
    if (g !== root) {
      const inputs: InputsSpec = {};
      for (const [name, c] of inputsOf(g)) addInputDef(inputs, name, c);
      if (g.type === 'for-loop') addInputDef(inputs, g.item.pipelineChannelName, g.item);
      if (Object.keys(inputs).length) spec.inputDefinitions = inputs;
      const defs = outputDefs.get(g);
      if (defs) spec.outputDefinitions = defs;
    }
    return spec;
  };

  const rootSpec = dagOf(root);
  // Pipeline outputs.
  const rootOutputs: DagOutputsSpec = {};
  const rootOutputDefs: OutputsSpec = {};
  for (const [name, c] of Object.entries(outputs)) {
    const p = producerOf(c);
    if (!p || p.parent !== root) throw new Error(`pipeline output '${name}': '${c.name}' must come from a task at the top level of the pipeline (use Collected or OneOf for values produced inside groups)`);
    const key = c.origin.kind === 'task-output' ? c.origin.key : c.pipelineChannelName;
    if (c instanceof ArtifactChannel) {
      (rootOutputs.artifacts ??= {})[name] = { artifactSelectors: [{ outputArtifactKey: key, producerSubtask: p.name }] };
      (rootOutputDefs.artifacts ??= {})[name] = { artifactType: { schemaTitle: c.artifactType, schemaVersion: '0.0.1' }, ...(c.isList ? { isArtifactList: true } : {}) };
    } else {
      (rootOutputs.parameters ??= {})[name] = { valueFromParameter: { outputParameterKey: key, producerSubtask: p.name } };
      (rootOutputDefs.parameters ??= {})[name] = { parameterType: c.parameterType };
    }
  }
  if (Object.keys(rootOutputs).length) rootSpec.dag = { outputs: rootOutputs, tasks: rootSpec.dag!.tasks };
  if (Object.keys(inputDefinitions).length) rootSpec.inputDefinitions = inputDefinitions;
  if (Object.keys(rootOutputDefs).length) rootSpec.outputDefinitions = rootOutputDefs;

  const result: PipelineSpec = {
    components,
    deploymentSpec: { executors },
    pipelineInfo: { ...(def.description && { description: def.description }), ...(def.displayName && { displayName: def.displayName }), name: def.name },
    root: rootSpec,
    schemaVersion: SCHEMA_VERSION,
    sdkVersion: SDK_VERSION,
  };
  if (def.pipelineRoot) result.defaultPipelineRoot = def.pipelineRoot;
  if (!Object.keys(executors).length) delete result.deploymentSpec;
  return result;
}

function addInputDef(inputs: InputsSpec, name: string, c: Channel): void {
  if (c instanceof ArtifactChannel) (inputs.artifacts ??= {})[name] = { artifactType: { schemaTitle: c.artifactType, schemaVersion: '0.0.1' }, ...(c.isList ? { isArtifactList: true } : {}) };
  else (inputs.parameters ??= {})[name] = { parameterType: c.parameterType };
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
