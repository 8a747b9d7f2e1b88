// defineComponent: one contract (zod inputs/outputs) from which the run() types, the executor's validation,
// the IR (component.yaml) and the README tables are all derived, so they cannot drift apart.
import type { z } from 'zod';
import type { ContainerComponentIR } from '../ir/component.ts';
import { singleComponentPipelineSpec } from '../ir/component.ts';
import type { InputsSpec, OutputsSpec, PipelineSpec } from '../ir/types.ts';
import { irToYaml } from '../ir/yaml.ts';
import type { ExecutorInput } from '../executor/executor-input.ts';
import type { Logger } from '../executor/log.ts';
import type { ArtifactBrand, ArtifactType, InputArtifact, OutputArtifact } from './artifacts.ts';
import { inputsSpecFromShape, outputsSpecFromShape } from './interface.ts';
import { UnsupportedSchemaError } from './params.ts';

export type IOShape = Record<string, z.ZodType>;

type AnyBrand = ArtifactBrand<ArtifactType, boolean, boolean>;

/** What run() receives for one input: the parsed parameter, or the artifact view(s). */
export type InputValue<S> =
  S extends ArtifactBrand<infer T extends ArtifactType, infer L extends boolean, infer O extends boolean>
    ? (L extends true ? InputArtifact<T>[] : InputArtifact<T>) | (O extends true ? undefined : never)
    : S extends z.ZodType ? z.output<S> : never;

export type InputValues<I extends IOShape> = { [K in keyof I]: InputValue<I[K]> };

type ArtifactKeys<O> = { [K in keyof O]: O[K] extends AnyBrand ? K : never }[keyof O];
type ParamKeys<O> = Exclude<keyof O, ArtifactKeys<O>>;

/** Output artifacts run() writes into (payload at `path`, facts in `metadata`). */
export type OutputArtifacts<O extends IOShape> = {
  [K in ArtifactKeys<O>]: O[K] extends ArtifactBrand<infer T extends ArtifactType, boolean, boolean> ? OutputArtifact<T> : never;
};

/** Output parameter values run() returns. */
export type OutputValues<O extends IOShape> = { [K in ParamKeys<O>]: O[K] extends z.ZodType ? z.input<O[K]> : never };

/** No output parameters: nothing to return. The wide `Component` type (any outputs) may return either. */
export type RunResult<O extends IOShape> = [ParamKeys<O>] extends [never] ? void
  : string extends keyof O ? OutputValues<O> | void : OutputValues<O>;

export interface RunContext<I extends IOShape, O extends IOShape> {
  inputs: InputValues<I>;
  outputs: OutputArtifacts<O>;
  log: Logger;
  /** The validated ExecutorInput, for what the contract does not model (e.g. extra launcher fields). */
  executorInput: ExecutorInput;
  /** Aborted on SIGTERM (pipeline cancelled): stop work, cancel remote jobs, then throw. */
  signal: AbortSignal;
}

export interface ComponentDefinition<I extends IOShape, O extends IOShape> {
  /** KFP component name: `^[a-z0-9][a-z0-9-]*$`. */
  name: string;
  /** Semver of the component (and its image tag). */
  version: string;
  description: string;
  inputs?: I;
  outputs?: O;
  run: (ctx: RunContext<I, O>) => RunResult<O> | Promise<RunResult<O>>;
  /** Defaults to `<FORMALIZE_REGISTRY|localhost:5000>/formalize/<name>:<version>`. */
  image?: string;
  /** Compiled entrypoint inside the image; defaults to `/app/packages/<name>/dist/main.js`. */
  entrypoint?: string;
  /** Defaults to `['node', '--conditions=formalize-dist', entrypoint]`: the image runs compiled JS, which starts
   *  ~110 ms faster than type-stripping the sources. */
  command?: string[];
  /** Defaults to `['--component', name, '--executor_input', '{{$}}']`. */
  args?: string[];
}

export interface Component<I extends IOShape = IOShape, O extends IOShape = IOShape> {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly inputs: I;
  readonly outputs: O;
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  // Method syntax on purpose: keeps Component<SpecificIO> assignable to Component (a heterogeneous list).
  run(ctx: RunContext<I, O>): RunResult<O> | Promise<RunResult<O>>;
  /** Container component IR: interface from the schemas, executor `{container: {image, command, args}}`. */
  toIR(): ContainerComponentIR;
  /** The single-component PipelineSpec, as `kfp.compiler` writes a component.yaml. */
  toPipelineSpec(): PipelineSpec;
  /** component.yaml text. */
  toYaml(): string;
}

export class ComponentDefinitionError extends Error {
  override name = 'ComponentDefinitionError';
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;
// semver.org 2.0.0 grammar.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const DEFAULT_REGISTRY = 'localhost:5000';
/** Export condition that resolves workspace packages to their compiled `dist/` (set in images). */
export const DIST_CONDITION_FLAG = '--conditions=formalize-dist';

function fail(component: string, message: string): never {
  throw new ComponentDefinitionError(`defineComponent(${component}): ${message}`);
}

/** Declares a component; validates the contract eagerly so a bad schema fails at import, not at run time. */
export function defineComponent<I extends IOShape = {}, O extends IOShape = {}>(def: ComponentDefinition<I, O>): Component<I, O> {
  const { name, version, description } = def;
  if (!NAME.test(name)) fail(name, `name must match ${NAME}`);
  if (!SEMVER.test(version)) fail(name, `version "${version}" is not semver`);
  const inputs = (def.inputs ?? {}) as I;
  const outputs = (def.outputs ?? {}) as O;

  const registry = (process.env['FORMALIZE_REGISTRY'] || DEFAULT_REGISTRY).replace(/\/+$/, '');
  const image = def.image ?? `${registry}/formalize/${name}:${version}`;
  const command = Object.freeze([...(def.command ?? ['node', DIST_CONDITION_FLAG, def.entrypoint ?? `/app/packages/${name}/dist/main.js`])]);
  const args = Object.freeze([...(def.args ?? ['--component', name, '--executor_input', '{{$}}'])]);
  let inDefs: InputsSpec;
  let outDefs: OutputsSpec;
  try {
    inDefs = inputsSpecFromShape(inputs);
    outDefs = outputsSpecFromShape(outputs);
  } catch (err) {
    if (err instanceof UnsupportedSchemaError) fail(name, err.message);
    throw err;
  }
  const ir: ContainerComponentIR = {
    kind: 'container',
    name,
    description,
    ...(Object.keys(inDefs).length > 0 && { inputDefinitions: inDefs }),
    ...(Object.keys(outDefs).length > 0 && { outputDefinitions: outDefs }),
    // Empty lists are omitted, as the SDK does (`ContainerSpecImplementation._transform_command`).
    executor: { container: { image, ...(command.length > 0 && { command: [...command] }), ...(args.length > 0 && { args: [...args] }) } },
  };

  return Object.freeze({
    name, version, description, inputs, outputs, image, command, args,
    run: def.run,
    toIR: () => structuredClone(ir),
    toPipelineSpec: () => singleComponentPipelineSpec(structuredClone(ir)),
    toYaml: () => irToYaml(singleComponentPipelineSpec(structuredClone(ir)), { description }),
  });
}
