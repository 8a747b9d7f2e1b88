// The normalised IR as the structural rules see it: the @formalize/common IR types with every field optional,
// because the proto check guarantees types and names but proto3 has no required fields.
import type { ComponentSpec, ExecutorSpec, PipelineSpec, TaskSpec } from '@formalize/common';

export type Loose<T> = T extends readonly (infer U)[] ? Loose<U>[] : T extends object ? { [K in keyof T]?: Loose<T[K]> } : T;

export type LSpec = Loose<PipelineSpec>;
export type LComponent = Loose<ComponentSpec>;
export type LTask = Loose<TaskSpec>;
export type LExecutor = Loose<ExecutorSpec>;
export type LDefs = NonNullable<LComponent['inputDefinitions']>;
export type LOutDefs = NonNullable<LComponent['outputDefinitions']>;
