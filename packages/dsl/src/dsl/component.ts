// Component factories: calling one inside a pipeline function records a task. Typed factories come
// from zod contracts (container components, @formalize components); loaded component.yaml files give
// loosely typed ones, checked against their IR interface at call time.
import { inputsSpecFromShape, matchesParameterType, outputsSpecFromShape, sanitizeName, type ComponentIR, type ContainerComponentIR, type ContainerSpec, type ParameterType } from '@formalize/common';
import { ArtifactChannel, ParamChannel, TASK_FINAL_STATUS, type Channel } from './channels.ts';
import { currentBuilder } from './graph.ts';
import { inputArtifact, inputParameter, outputArtifact, outputParameterFile, type ArtifactPlaceholders } from './placeholders.ts';
import { outputChannels, Task, type Argument } from './task.ts';
import type { ArgsOf, OutputsOf, Shape } from './types.ts';

export interface ComponentFactory<A, O> {
  (args: A): Task<O>;
  readonly ir: ComponentIR;
}

type IsArtifactSchema<S> = S extends { readonly artifactType: string } ? true
  : S extends { unwrap(): infer U } ? IsArtifactSchema<U> : false;
export type IoView<S extends Shape> = { readonly [K in keyof S]: IsArtifactSchema<S[K]> extends true ? ArtifactPlaceholders : string };

export interface ContainerComponentDef<I extends Shape, O extends Shape> {
  name: string;
  description?: string;
  inputs?: I;
  outputs?: O;
  image: string;
  command?: string[] | ((io: { inputs: IoView<I>; outputs: IoView<O> }) => string[]);
  args?: string[] | ((io: { inputs: IoView<I>; outputs: IoView<O> }) => string[]);
  env?: Record<string, string>;
}

/** A container component (KFP `@dsl.container_component`): image + command/args with placeholders. */
export function containerComponent<I extends Shape = {}, O extends Shape = {}>(def: ContainerComponentDef<I, O>): ComponentFactory<ArgsOf<I>, OutputsOf<O>> {
  const inputDefinitions = inputsSpecFromShape(def.inputs ?? {});
  const outputDefinitions = outputsSpecFromShape(def.outputs ?? {});
  const io = {
    inputs: Object.fromEntries([
      ...Object.keys(inputDefinitions.parameters ?? {}).map((n) => [n, inputParameter(n)]),
      ...Object.keys(inputDefinitions.artifacts ?? {}).map((n) => [n, inputArtifact(n)]),
    ]) as IoView<I>,
    outputs: Object.fromEntries([
      ...Object.keys(outputDefinitions.parameters ?? {}).map((n) => [n, outputParameterFile(n)]),
      ...Object.keys(outputDefinitions.artifacts ?? {}).map((n) => [n, outputArtifact(n)]),
    ]) as IoView<O>,
  };
  const container: ContainerSpec = { image: def.image };
  const resolve = (x: ContainerComponentDef<I, O>['command']) => (typeof x === 'function' ? x(io) : x);
  const command = resolve(def.command);
  const args = resolve(def.args);
  if (args?.length) container.args = args;
  if (command?.length) container.command = command;
  if (def.env) container.env = Object.entries(def.env).map(([name, value]) => ({ name, value }));
  const ir: ContainerComponentIR = { kind: 'container', name: sanitizeName(def.name), executor: { container } };
  if (def.description) ir.description = def.description;
  if (Object.keys(inputDefinitions).length) ir.inputDefinitions = inputDefinitions;
  if (Object.keys(outputDefinitions).length) ir.outputDefinitions = outputDefinitions;
  return componentFromIR(ir) as unknown as ComponentFactory<ArgsOf<I>, OutputsOf<O>>;
}

/** A typed factory for a `@formalize` component contract (anything with zod inputs/outputs and `toIR()`). */
export function fromContract<C extends { inputs: Shape; outputs: Shape; toIR(): ContainerComponentIR }>(contract: C): ComponentFactory<ArgsOf<C['inputs']>, OutputsOf<C['outputs']>> {
  return componentFromIR(contract.toIR()) as unknown as ComponentFactory<ArgsOf<C['inputs']>, OutputsOf<C['outputs']>>;
}

/** A factory for any IR component (e.g. a loaded component.yaml); arguments are checked against its interface. */
export function componentFromIR(ir: ComponentIR): ComponentFactory<Record<string, Argument>, Record<string, Channel>> {
  const defs = interfaceOf(ir);
  const factory = (args: Record<string, Argument>) => {
    const b = currentBuilder(`component '${ir.name}'`);
    checkArguments(ir.name, defs, args);
    const task = new Task(b.uniqueTaskName(sanitizeName(ir.name)), ir, args, (t) => outputChannels(t as Task<unknown>, defs.outputs));
    b.addTask(task as Task);
    return task;
  };
  return Object.assign(factory, { ir });
}

export function interfaceOf(ir: ComponentIR) {
  if (ir.kind === 'container') return { inputs: ir.inputDefinitions, outputs: ir.outputDefinitions };
  return { inputs: ir.pipelineSpec.root.inputDefinitions, outputs: ir.pipelineSpec.root.outputDefinitions };
}

function checkArguments(component: string, defs: ReturnType<typeof interfaceOf>, args: Record<string, Argument>): void {
  const params = defs.inputs?.parameters ?? {};
  const arts = defs.inputs?.artifacts ?? {};
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined) continue;
    const p = params[name];
    const a = arts[name];
    if (!p && !a) throw new Error(`component '${component}' has no input '${name}' (inputs: ${[...Object.keys(params), ...Object.keys(arts)].join(', ') || 'none'})`);
    if (a) {
      if (!(value instanceof ArtifactChannel)) throw new Error(`input '${name}' of component '${component}' is an artifact (${a.artifactType.schemaTitle}); got ${describe(value)}`);
      const want = a.artifactType.schemaTitle;
      if (want !== 'system.Artifact' && value.artifactType !== 'system.Artifact' && value.artifactType !== want) {
        throw new Error(`input '${name}' of component '${component}' expects ${want}, got ${value.artifactType} from '${value.name}'`);
      }
    } else if (p) {
      if (value instanceof ArtifactChannel) throw new Error(`input '${name}' of component '${component}' is a ${p.parameterType} parameter; got artifact '${value.name}'`);
      if ((p.parameterType === 'TASK_FINAL_STATUS') !== (value === TASK_FINAL_STATUS)) {
        throw new Error(`input '${name}' of component '${component}': TASK_FINAL_STATUS goes only to a TASK_FINAL_STATUS input (this one is ${p.parameterType})`);
      }
      if (value instanceof ParamChannel || value === TASK_FINAL_STATUS) continue;
      checkLiteral(component, name, p.parameterType, value);
    }
  }
  for (const [name, p] of Object.entries(params)) {
    if (!p.isOptional && p.defaultValue === undefined && args[name] === undefined) throw new Error(`component '${component}': missing required input '${name}' (${p.parameterType})`);
  }
  for (const [name, a] of Object.entries(arts)) {
    if (!a.isOptional && args[name] === undefined) throw new Error(`component '${component}': missing required artifact input '${name}' (${a.artifactType.schemaTitle})`);
  }
}

function checkLiteral(component: string, name: string, type: ParameterType, v: unknown): void {
  if (!matchesParameterType(v, type)) throw new Error(`input '${name}' of component '${component}' expects ${type}, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v instanceof ParamChannel) return `parameter channel '${v.name}'`;
  if (v instanceof ArtifactChannel) return `artifact channel '${v.name}'`;
  return JSON.stringify(v);
}
