// `pipeline(...)`: records a pipeline function into a graph; the result compiles to IR and can be
// used as a component (a nested pipeline) inside another pipeline.
import { inputsSpecFromShape, sanitizeName, type GraphComponentIR, type PipelineSpec } from '@formalize/common';
import { ArtifactChannel, ParamChannel, type Channel } from './channels.ts';
import { componentFromIR, type ComponentFactory } from './component.ts';
import { PipelineBuilder, withBuilder } from './graph.ts';
import type { ArgsOf, OutputsOf, Shape } from './types.ts';
import { compilePipeline } from '../compile/compiler.ts';

export interface PipelineDef<I extends Shape> {
  /** Pipeline name: `^[a-z0-9][a-z0-9-]{0,127}$`. */
  name: string;
  description?: string;
  displayName?: string;
  inputs?: I;
  /** Default pipeline root (e.g. `gs://bucket/root`), written as `defaultPipelineRoot`. */
  pipelineRoot?: string;
}

export type PipelineInputs<I extends Shape> = OutputsOf<I>;

export interface Pipeline<I extends Shape, O extends Record<string, Channel>> extends ComponentFactory<ArgsOf<I>, O> {
  readonly pipelineName: string;
  readonly description: string | undefined;
  compile(): PipelineSpec;
}

/** Defines a pipeline. The body runs at definition time and returns the pipeline outputs (if any). */
export function pipeline<I extends Shape = {}, O extends Record<string, Channel> = {}>(
  def: PipelineDef<I>,
  body: (inputs: PipelineInputs<I>) => O | void,
): Pipeline<I, O> {
  if (!/^[a-z0-9][a-z0-9-]{0,127}$/.test(def.name)) throw new Error(`pipeline name '${def.name}' must match ^[a-z0-9][a-z0-9-]{0,127}$`);
  const builder = new PipelineBuilder(def.name);
  const inputDefinitions = inputsSpecFromShape(def.inputs ?? {});
  const inputs: Record<string, Channel> = {};
  for (const [name, p] of Object.entries(inputDefinitions.parameters ?? {})) inputs[name] = new ParamChannel(name, p.parameterType as never, { kind: 'pipeline-input' });
  for (const [name, a] of Object.entries(inputDefinitions.artifacts ?? {})) inputs[name] = new ArtifactChannel(name, a.artifactType.schemaTitle, { kind: 'pipeline-input' }, a.isArtifactList ?? false);
  const outputs = withBuilder(builder, () => body(inputs as PipelineInputs<I>)) ?? {};
  let compiled: PipelineSpec | undefined;
  const compile = () => (compiled ??= compilePipeline({ builder, inputDefinitions, outputs, def }));
  const ir: GraphComponentIR = { kind: 'graph', name: sanitizeName(def.name), get pipelineSpec() { return compile(); } };
  if (def.description) ir.description = def.description;
  const factory = componentFromIR(ir);
  return Object.assign(factory, { pipelineName: def.name, description: def.description, compile }) as unknown as Pipeline<I, O>;
}
