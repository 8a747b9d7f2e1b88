// The pipeline graph recorded while a pipeline function runs: a tree of groups (root, conditions,
// loops, exit handlers) holding tasks, mirroring the KFP SDK's TasksGroup model and its id counter.
import type { ArtifactChannel, Channel, Condition, ParamChannel, ParamTag } from './channels.ts';
import type { Task } from './task.ts';

export type Node = Task | Group;

interface GroupBase {
  /** DAG component / task name, e.g. `condition-3`, `for-loop-2`; the pipeline name for the root. */
  name: string;
  /** User-facing name shown in `taskInfo.name` (defaults to `name`). */
  displayName?: string;
  parent: Group | undefined;
  readonly children: Node[];
}

export interface RootGroup extends GroupBase { readonly type: 'root' }
export interface ConditionGroup extends GroupBase {
  readonly type: 'condition';
  /** Conjunction: each term is a condition, negated for the Elif/Else branches that follow it. */
  readonly terms: { condition: Condition; negated: boolean }[];
}
export interface ConditionBranchesGroup extends GroupBase { readonly type: 'condition-branches' }
export interface ParallelForGroup extends GroupBase {
  readonly type: 'for-loop';
  readonly items: readonly unknown[] | ParamChannel<ParamTag> | ArtifactChannel<string>;
  item: Channel;
  readonly parallelism: number;
}
export interface ExitHandlerGroup extends GroupBase { readonly type: 'exit-handler'; readonly exitTask: Task }

export type Group = RootGroup | ConditionGroup | ConditionBranchesGroup | ParallelForGroup | ExitHandlerGroup;

export function isGroup(n: Node): n is Group {
  return 'children' in n;
}

/** Ancestors of a node from the root down to (excluding) the node itself. */
export function ancestors(n: Node): Group[] {
  const out: Group[] = [];
  for (let g = n.parent; g; g = g.parent) out.unshift(g);
  return out;
}

/** Groups that contain `a` but not `b`, and vice versa, from the outermost (KFP `_get_uncommon_ancestors`). */
export function uncommonAncestors(a: Node, b: Node): [Node[], Node[]] {
  const pa = [...ancestors(a), a];
  const pb = [...ancestors(b), b];
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return [pa.slice(i), pb.slice(i)];
}

/** State of one pipeline function being recorded. */
export class PipelineBuilder {
  readonly root: RootGroup;
  readonly tasks: Task[] = [];
  private groupId = 0;
  private readonly taskNames = new Set<string>();
  private stack: Group[];

  constructor(name: string) {
    this.root = { type: 'root', name, parent: undefined, children: [] };
    this.stack = [this.root];
  }

  get current(): Group {
    return this.stack[this.stack.length - 1]!;
  }

  nextGroupId(): number {
    return ++this.groupId;
  }

  uniqueTaskName(base: string): string {
    let name = base;
    for (let i = 2; this.taskNames.has(name); i++) name = `${base}-${i}`;
    this.taskNames.add(name);
    return name;
  }

  addTask(task: Task): void {
    task.parent = this.current;
    this.current.children.push(task);
    this.tasks.push(task);
  }

  /** Runs `body` with `group` as the current group (added to `parent`, the current group by default). */
  within<G extends Group>(group: G, body: () => void, parent: Group = this.current): G {
    group.parent = parent;
    parent.children.push(group);
    this.stack.push(group);
    try {
      body();
    } finally {
      this.stack.pop();
    }
    return group;
  }
}

let active: PipelineBuilder | undefined;

export function currentBuilder(what: string): PipelineBuilder {
  if (!active) throw new Error(`${what} can only be used inside a pipeline function`);
  return active;
}

export function withBuilder<T>(b: PipelineBuilder, body: () => T): T {
  const previous = active;
  active = b;
  try {
    return body();
  } finally {
    active = previous;
  }
}
