// Control flow of the DSL, mirroring KFP's context managers with callbacks: If/Elif/Else,
// ParallelFor (+ Collected fan-in), ExitHandler, OneOf. Group numbering follows the KFP SDK so
// compiled names (`condition-2`, `for-loop-4`, `loop-item-param-3`) match what it emits.
import { ArtifactChannel, ParamChannel, type Channel, type Condition, type ParamTag } from './channels.ts';
import { currentBuilder, type ConditionBranchesGroup, type ConditionGroup, type ExitHandlerGroup, type Group, type ParallelForGroup } from './graph.ts';
import type { Task } from './task.ts';

type Term = ConditionGroup['terms'][number];

/** `name` is the display name of the group (its `taskInfo.name`). */
export interface GroupOptions { name?: string }

export interface ConditionChain {
  Elif(condition: Condition, body: () => void, opts?: GroupOptions): ConditionChain;
  Else(body: () => void, opts?: GroupOptions): void;
}

/** `If(cond, () => {...}).Elif(cond, () => {...}).Else(() => {...})` (KFP `dsl.If` / `dsl.Elif` / `dsl.Else`). */
export function If(condition: Condition, body: () => void, opts: GroupOptions = {}): ConditionChain {
  const b = currentBuilder('If');
  const parent = b.current;
  const first = b.within(conditionGroup(b.nextGroupId(), [{ condition, negated: false }], opts), body);
  let negatedSoFar: Term[] = [{ condition, negated: true }];
  let branches: ConditionBranchesGroup | undefined;
  let closed = false;

  // The first Elif/Else wraps the If in a condition-branches group, swapping ids as the SDK does.
  const wrap = (): ConditionBranchesGroup => {
    if (branches) return branches;
    const id = b.nextGroupId();
    const ifId = Number(first.name.split('-').pop());
    branches = { type: 'condition-branches', name: `condition-branches-${ifId}`, parent, children: [first] };
    parent.children.splice(parent.children.indexOf(first), 1, branches);
    first.name = `condition-${id}`;
    first.parent = branches;
    return branches;
  };
  const chain: ConditionChain = {
    Elif(cond, elifBody, elifOpts = {}) {
      if (closed) throw new Error('Elif cannot follow Else');
      const g = wrap();
      const terms = [...negatedSoFar, { condition: cond, negated: false }];
      negatedSoFar = [...negatedSoFar, { condition: cond, negated: true }];
      b.within(conditionGroup(b.nextGroupId(), terms, elifOpts), elifBody, g);
      return chain;
    },
    Else(elseBody, elseOpts = {}) {
      if (closed) throw new Error('Else cannot follow Else');
      closed = true;
      const g = wrap();
      b.within(conditionGroup(b.nextGroupId(), negatedSoFar, elseOpts), elseBody, g);
    },
  };
  return chain;
}

function conditionGroup(id: number, terms: Term[], opts: GroupOptions): ConditionGroup {
  if (terms.length === 0) throw new Error('a condition needs at least one comparison');
  const g: ConditionGroup = { type: 'condition', name: `condition-${id}`, parent: undefined, children: [], terms };
  if (opts.name) g.displayName = opts.name;
  return g;
}

export interface ParallelForOptions<T extends ParamTag = ParamTag> extends GroupOptions {
  /** Maximum concurrent iterations; 0 = unlimited. */
  parallelism?: number;
  /** Parameter type of each item when looping over a LIST channel (defaults to STRING, as KFP for `list`). */
  itemType?: T;
}

// Numbers type as NUMBER_INTEGER (the compiler uses the values' real type; ints also feed double inputs).
type ItemOf<I, T extends ParamTag> = I extends ArtifactChannel<infer A> ? ArtifactChannel<A>
  : I extends readonly (infer E)[] ? ParamChannel<E extends number ? 'NUMBER_INTEGER' : E extends string ? 'STRING' : E extends boolean ? 'BOOLEAN' : E extends readonly unknown[] ? 'LIST' : 'STRUCT'>
  : ParamChannel<T>;

/** `ParallelFor(items, (item) => {...})` over a literal list, a LIST parameter or an artifact list. */
export function ParallelFor<I extends readonly unknown[] | ParamChannel<'LIST'> | ArtifactChannel<string>, T extends ParamTag = 'STRING'>(
  items: I,
  body: (item: ItemOf<I, T>) => void,
  opts: ParallelForOptions<T> = {},
): ParallelForGroup {
  const b = currentBuilder('ParallelFor');
  const parallelism = opts.parallelism ?? 0;
  if (!Number.isInteger(parallelism) || parallelism < 0) throw new Error(`ParallelFor parallelism must be an integer >= 0, got ${parallelism}`);
  const group: ParallelForGroup = { type: 'for-loop', name: '', parent: undefined, children: [], items, item: undefined as never, parallelism };
  if (items instanceof ArtifactChannel) {
    group.item = new ArtifactChannel(`${items.name}-loop-item`, items.artifactType, { kind: 'loop-item', loop: group });
  } else if (items instanceof ParamChannel) {
    const itemType: ParamTag = opts.itemType ?? 'STRING';
    group.item = new ParamChannel(`${items.name}-loop-item`, itemType, { kind: 'loop-item', loop: group });
  } else {
    if (!Array.isArray(items) || items.length === 0) throw new Error('ParallelFor needs a non-empty list, a LIST parameter or an artifact list');
    group.item = new ParamChannel(`loop-item-param-${b.nextGroupId()}`, rawItemType(items[0]), { kind: 'loop-item', loop: group });
  }
  group.name = `for-loop-${b.nextGroupId()}`;
  if (opts.name) group.displayName = opts.name;
  b.within(group, () => body(group.item as ItemOf<I, T>));
  return group;
}

function rawItemType(v: unknown): ParamTag {
  if (typeof v === 'string') return 'STRING';
  if (typeof v === 'boolean') return 'BOOLEAN';
  if (typeof v === 'number') return Number.isInteger(v) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE';
  if (Array.isArray(v)) return 'LIST';
  if (v !== null && typeof v === 'object') return 'STRUCT';
  throw new Error(`ParallelFor items must be JSON values, got ${String(v)}`);
}

/** Fan-in: the values of `channel` from every iteration of the loop that produces it (KFP `dsl.Collected`). */
export function Collected<C extends Channel>(channel: C): C extends ArtifactChannel<infer A> ? ArtifactChannel<A> : ParamChannel<'LIST'> {
  const task = channel.producerTask;
  let loop: Group | undefined = task?.parent;
  while (loop && loop.type !== 'for-loop') loop = loop.parent;
  if (!task || !loop || loop.type !== 'for-loop') throw new Error(`Collected(${channel.name}): the channel must be an output of a task inside a ParallelFor`);
  const origin = { kind: 'collected' as const, inner: channel, loop };
  const out = channel instanceof ArtifactChannel
    ? new ArtifactChannel(channel.name, channel.artifactType, origin, true)
    : new ParamChannel(channel.name, 'LIST', origin);
  return out as never;
}

const oneOfIds = new WeakMap<Group, number>();

/** One value out of mutually exclusive If/Elif/Else branches (KFP `dsl.OneOf`). */
export function OneOf<C extends Channel>(...channels: C[]): C {
  if (channels.length < 2) throw new Error('OneOf needs at least two channels, one per branch');
  const branchOf = (c: Channel): Group => {
    let g = c.producerTask?.parent;
    while (g && g.parent?.type !== 'condition-branches') g = g.parent;
    if (!g || g.type !== 'condition' || !g.parent) throw new Error(`OneOf: '${c.name}' is not produced inside an If/Elif/Else branch`);
    return g;
  };
  const branches = channels.map(branchOf);
  const wrapper = branches[0]!.parent!;
  if (branches.some((g) => g.parent !== wrapper)) throw new Error('OneOf: all channels must come from branches of the same If/Elif/Else');
  if (new Set(branches).size !== branches.length) throw new Error('OneOf: each channel must come from a different branch');
  const first = channels[0]!;
  currentBuilder('OneOf');
  const id = (oneOfIds.get(wrapper) ?? 0) + 1;
  oneOfIds.set(wrapper, id);
  const name = `${wrapper.name}-oneof-${id}`;
  const origin = { kind: 'oneof' as const, branches: wrapper, options: channels };
  return (first instanceof ArtifactChannel ? new ArtifactChannel(name, first.artifactType, origin) : new ParamChannel(name, first.parameterType, origin)) as C;
}

/** Runs `exitTask` when the tasks in `body` finish, whatever their outcome (KFP `dsl.ExitHandler`). */
export function ExitHandler(exitTask: Task<any>, body: () => void, opts: GroupOptions = {}): ExitHandlerGroup {
  const b = currentBuilder('ExitHandler');
  if (exitTask.parent !== b.current) throw new Error(`ExitHandler: exit task '${exitTask.name}' must be created in the same scope as the ExitHandler`);
  if (exitTask.upstream.length || Object.values(exitTask.args).some((a) => a instanceof ParamChannel && a.producerTask)) {
    throw new Error(`ExitHandler: exit task '${exitTask.name}' cannot depend on other tasks`);
  }
  const group: ExitHandlerGroup = { type: 'exit-handler', name: `exit-handler-${b.nextGroupId()}`, parent: undefined, children: [], exitTask: exitTask as Task };
  if (opts.name) group.displayName = opts.name;
  exitTask.exitHandlerOf = group;
  return b.within(group, body);
}
