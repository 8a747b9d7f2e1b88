export { ParamChannel, ArtifactChannel, Condition, TASK_FINAL_STATUS, eq, ne, lt, le, gt, ge, type Channel, type ParamTag } from './dsl/channels.ts';
export { containerComponent, fromContract, componentFromIR, type ComponentFactory } from './dsl/component.ts';
export { If, ParallelFor, Collected, OneOf, ExitHandler, type ParallelForOptions } from './dsl/control.ts';
export { importer } from './dsl/importer.ts';
export { pipeline, type Pipeline, type PipelineDef } from './dsl/pipeline.ts';
export { concat, ifPresent, EXECUTOR_INPUT, OUTPUT_FILE } from './dsl/placeholders.ts';
export { Task } from './dsl/task.ts';
export { compilePipeline } from './compile/compiler.ts';
