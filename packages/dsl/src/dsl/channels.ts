// Pipeline channels: typed references to values that only exist at run time (pipeline inputs,
// task outputs, loop items, fan-in and one-of results). Phantom type parameters make wiring
// an output of the wrong type into an input a TypeScript compile error.
import type { ParameterType } from '@formalize/common';
import type { Group, ParallelForGroup } from './graph.ts';
import type { Task } from './task.ts';

export type ParamTag = Exclude<ParameterType, 'TASK_CONFIG' | 'TASK_FINAL_STATUS'>;

export type ChannelKind =
  | { kind: 'pipeline-input' }
  | { kind: 'task-output'; task: Task; key: string }
  | { kind: 'loop-item'; loop: ParallelForGroup }
  | { kind: 'loop-subvar'; base: ParamChannel<ParamTag>; field: string }
  | { kind: 'collected'; inner: Channel; loop: ParallelForGroup }
  | { kind: 'oneof'; branches: Group; options: Channel[] };

abstract class ChannelBase {
  /** Channel name without the `pipelinechannel--` prefix, as KFP names it. */
  readonly name: string;
  readonly origin: ChannelKind;
  constructor(name: string, origin: ChannelKind) {
    this.name = name;
    this.origin = origin;
  }
  /** Name of the DAG input that carries this channel into a sub-DAG. */
  get pipelineChannelName(): string {
    return `pipelinechannel--${this.name}`;
  }
  get producerTask(): Task | undefined {
    return this.origin.kind === 'task-output' ? this.origin.task : undefined;
  }
}

export class ParamChannel<T extends ParamTag = ParamTag> extends ChannelBase {
  readonly isArtifact = false as const;
  readonly parameterType: T;
  declare readonly __param: T;
  constructor(name: string, parameterType: T, origin: ChannelKind) {
    super(name, origin);
    this.parameterType = parameterType;
  }
  /** A field of a struct-valued loop item (`item.field` in KFP), resolved with `parseJson(string_value)["field"]`. */
  field(field: string): ParamChannel<'STRING'> {
    if (this.origin.kind !== 'loop-item' && this.origin.kind !== 'loop-subvar') {
      throw new Error(`field('${field}') is only available on ParallelFor loop items, not on '${this.name}'`);
    }
    return new ParamChannel(`${this.name}-subvar-${field}`, 'STRING', { kind: 'loop-subvar', base: this as ParamChannel<ParamTag>, field });
  }
  eq(v: Operand): Condition { return new Condition('==', this, v); }
  ne(v: Operand): Condition { return new Condition('!=', this, v); }
  lt(v: Operand): Condition { return new Condition('<', this, v); }
  le(v: Operand): Condition { return new Condition('<=', this, v); }
  gt(v: Operand): Condition { return new Condition('>', this, v); }
  ge(v: Operand): Condition { return new Condition('>=', this, v); }
}

export class ArtifactChannel<A extends string = string> extends ChannelBase {
  readonly isArtifact = true as const;
  readonly artifactType: A;
  readonly isList: boolean;
  declare readonly __artifact: A;
  constructor(name: string, artifactType: A, origin: ChannelKind, isList = false) {
    super(name, origin);
    this.artifactType = artifactType;
    this.isList = isList;
  }
}

export type Channel = ParamChannel<ParamTag> | ArtifactChannel<string>;
export type Operand = ParamChannel<ParamTag> | string | number | boolean;
export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A binary comparison used by If / Elif; compiled to the CEL string the KFP SDK emits. */
export class Condition {
  readonly op: Operator;
  readonly left: Operand;
  readonly right: Operand;
  constructor(op: Operator, left: Operand, right: Operand) {
    this.op = op;
    this.left = left;
    this.right = right;
  }
  channels(): ParamChannel<ParamTag>[] {
    return [this.left, this.right].filter((o): o is ParamChannel<ParamTag> => o instanceof ParamChannel);
  }
}

export function eq(a: Operand, b: Operand): Condition { return new Condition('==', a, b); }
export function ne(a: Operand, b: Operand): Condition { return new Condition('!=', a, b); }
export function lt(a: Operand, b: Operand): Condition { return new Condition('<', a, b); }
export function le(a: Operand, b: Operand): Condition { return new Condition('<=', a, b); }
export function gt(a: Operand, b: Operand): Condition { return new Condition('>', a, b); }
export function ge(a: Operand, b: Operand): Condition { return new Condition('>=', a, b); }

/** Marker for an exit task's `PipelineTaskFinalStatus` input (filled by the backend). */
export const TASK_FINAL_STATUS = Object.freeze({ taskFinalStatus: true as const });
export type TaskFinalStatusMarker = typeof TASK_FINAL_STATUS;
