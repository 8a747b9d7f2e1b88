// Executes a DAG component: every task waits for its dependentTasks, then is skipped, not triggered
// (condition false), iterated (ParallelFor) or run; DAG outputs (incl. fan-in and OneOf) are collected
// from the subtasks. Mirrors the KFP driver's semantics for the IR the compiler emits.
import type { ComponentSpec, JsonValue, TaskSpec } from '@formalize/common';
import { evaluateCondition, evaluateSelector } from './cel/index.ts';
import { executeContainer, executeImporter } from './container.ts';
import { emptyIO, type RunEnv, type TaskIO, type TaskResult } from './execution.ts';
import { finalStatus, resolveValuePlaceholders } from './io/index.ts';
import { Semaphore, UNLIMITED } from './semaphore.ts';
import type { ArtifactRecord, TaskRecord, TaskState } from './types.ts';

export interface DagScope {
  /** Id of the task that runs this DAG ('' for the root). */
  parentId: string;
  inputs: TaskIO;
}

const OK: ReadonlySet<TaskState> = new Set(['SUCCEEDED', 'CACHED', 'NOT_TRIGGERED']);
const FAILED: ReadonlySet<TaskState> = new Set(['FAILED', 'SKIPPED', 'CANCELLED']);

export async function executeDag(env: RunEnv, component: ComponentSpec, scope: DagScope): Promise<TaskResult> {
  const dag = component.dag!;
  const prefix = scope.parentId ? `${scope.parentId}.` : '';
  const records = new Map<string, TaskRecord>();
  for (const [name, t] of Object.entries(dag.tasks)) {
    records.set(name, env.recorder.addTask(newRecord(env, `${prefix}${name}`, name, t, scope.parentId, (t.dependentTasks ?? []).map((d) => `${prefix}${d}`))));
  }
  const results = new Map<string, Promise<TaskResult>>();
  const resultOf = (name: string): Promise<TaskResult> => {
    let p = results.get(name);
    if (!p) {
      const spec = dag.tasks[name];
      if (!spec) throw new Error(`DAG task '${name}' does not exist`);
      p = runTask(env, name, spec, records.get(name)!, scope, resultOf);
      results.set(name, p);
    }
    return p;
  };
  const settled = new Map<string, TaskResult>();
  await Promise.all(Object.keys(dag.tasks).map(async (n) => settled.set(n, await resultOf(n))));

  const failure = [...settled.values()].find((r) => r.state === 'FAILED' || (r.state === 'SKIPPED' && r.failedTask));
  const cancelled = [...settled.values()].some((r) => r.state === 'CANCELLED');
  const outputs = collectDagOutputs(component, settled);
  if (failure) return { state: 'FAILED', outputs, error: failure.error ?? 'a task failed', ...(failure.failedTask ? { failedTask: failure.failedTask } : {}) };
  if (cancelled) return { state: 'CANCELLED', outputs, error: 'cancelled' };
  return { state: 'SUCCEEDED', outputs };
}

function newRecord(env: RunEnv, id: string, name: string, t: TaskSpec, parent: string, dependsOn: string[]): TaskRecord {
  const comp = env.spec.components?.[t.componentRef.name];
  const exec = comp?.executorLabel ? env.spec.deploymentSpec?.executors?.[comp.executorLabel] : undefined;
  const kind = comp?.dag ? 'dag' : exec?.importer ? 'importer' : 'container';
  const record: TaskRecord = {
    id, name, displayName: t.taskInfo?.name ?? name, parent, kind, component: t.componentRef.name, state: 'PENDING', dependsOn,
    attempts: 0, inputs: emptyIO(), outputs: emptyIO(), dir: taskDir(id),
  };
  if (exec?.container?.image) record.image = exec.container.image;
  return record;
}

/** Task folder relative to the run folder: `for-loop-2[1].double` -> `for-loop-2/1/double`. */
export function taskDir(id: string): string {
  return id.replace(/\[(\d+)\]/g, '/$1').split('.').join('/');
}

async function runTask(
  env: RunEnv,
  name: string,
  t: TaskSpec,
  record: TaskRecord,
  scope: DagScope,
  resultOf: (name: string) => Promise<TaskResult>,
): Promise<TaskResult> {
  const upstream = await Promise.all((t.dependentTasks ?? []).map(async (d) => [d, await resultOf(d)] as const));
  const finish = (r: TaskResult): TaskResult => {
    env.recorder.updateTask(record, {
      state: r.state,
      outputs: r.outputs,
      ...(record.startTime ? { endTime: new Date().toISOString() } : {}),
      ...(r.error ? { error: r.error } : {}),
    });
    if (r.state === 'FAILED') env.failed = true;
    return r;
  };
  const completedStrategy = t.triggerPolicy?.strategy === 'ALL_UPSTREAM_TASKS_COMPLETED';
  if (env.cancel.aborted) return finish({ state: 'CANCELLED', outputs: emptyIO(), error: 'run cancelled' });
  if (!completedStrategy) {
    const bad = upstream.find(([, r]) => FAILED.has(r.state));
    if (bad) return finish({ state: 'SKIPPED', outputs: emptyIO(), error: `upstream task '${bad[0]}' ${bad[1].state.toLowerCase()}`, ...(bad[1].failedTask ? { failedTask: bad[1].failedTask } : {}) });
    if (env.failFast && env.failed) return finish({ state: 'SKIPPED', outputs: emptyIO(), error: 'fail-fast: another task failed', failedTask: '' });
  }
  const component = env.spec.components?.[t.componentRef.name];
  if (!component) return finish({ state: 'FAILED', outputs: emptyIO(), error: `component '${t.componentRef.name}' not found`, failedTask: record.id });

  let inputs: TaskIO;
  try {
    inputs = resolveInputs(t, scope.inputs, new Map(upstream), env);
  } catch (err) {
    return finish({ state: 'FAILED', outputs: emptyIO(), error: (err as Error).message, failedTask: record.id });
  }
  env.recorder.updateTask(record, { inputs });

  if (t.triggerPolicy?.condition) {
    let go: boolean;
    try {
      go = evaluateCondition(t.triggerPolicy.condition, inputs.parameters);
    } catch (err) {
      return finish({ state: 'FAILED', outputs: emptyIO(), error: (err as Error).message, failedTask: record.id });
    }
    if (!go) return finish({ state: 'NOT_TRIGGERED', outputs: emptyIO() });
  }

  // A container task turns RUNNING once it holds one of the `parallelism` slots (executeContainer);
  // until then it is PENDING, however long it queues. DAGs and importers start right away.
  if (record.kind !== 'container') env.recorder.updateTask(record, { state: 'RUNNING', startTime: new Date().toISOString() });
  try {
    if (component.dag) {
      if (t.parameterIterator || t.artifactIterator) return finish(await runLoop(env, t, component, record, inputs));
      const r = await executeDag(env, component, { parentId: record.id, inputs });
      return finish(r.state === 'FAILED' && !r.failedTask ? { ...r, failedTask: record.id } : r);
    }
    const exec = env.spec.deploymentSpec?.executors?.[component.executorLabel ?? ''];
    if (!exec) return finish({ state: 'FAILED', outputs: emptyIO(), error: `executor '${component.executorLabel}' not found`, failedTask: record.id });
    if (exec.importer) return finish(await executeImporter(env, exec.importer, record, inputs));
    if (!exec.container) return finish({ state: 'FAILED', outputs: emptyIO(), error: `executor '${component.executorLabel}' has no container`, failedTask: record.id });
    return finish(await executeContainer(env, t, component, exec.container, record, inputs));
  } catch (err) {
    return finish({ state: 'FAILED', outputs: emptyIO(), error: (err as Error).message, failedTask: record.id });
  }
}

/** Resolves a task's inputs from the enclosing DAG's inputs, upstream outputs and constants. */
function resolveInputs(t: TaskSpec, dagInputs: TaskIO, upstream: Map<string, TaskResult>, env: RunEnv): TaskIO {
  const io = emptyIO();
  const producer = (task: string) => {
    const r = upstream.get(task);
    if (!r) throw new Error(`input from task '${task}', which is not a dependency`);
    return r;
  };
  const constants: [string, JsonValue][] = [];
  for (const [name, p] of Object.entries(t.inputs?.parameters ?? {})) {
    let value: JsonValue | undefined;
    if (p.componentInputParameter !== undefined) value = dagInputs.parameters[p.componentInputParameter];
    else if (p.taskOutputParameter) {
      const r = producer(p.taskOutputParameter.producerTask);
      value = r.outputs.parameters[p.taskOutputParameter.outputParameterKey];
      if (value === undefined && r.state !== 'NOT_TRIGGERED' && OK.has(r.state)) {
        throw new Error(`input '${name}': task '${p.taskOutputParameter.producerTask}' produced no output '${p.taskOutputParameter.outputParameterKey}'`);
      }
    } else if (p.taskFinalStatus) {
      const r = producer(p.taskFinalStatus.producerTask);
      value = finalStatus({ state: r.state, jobResourceName: env.jobName, taskName: p.taskFinalStatus.producerTask, error: r.error }) as unknown as JsonValue;
    } else if (p.runtimeValue) {
      constants.push([name, p.runtimeValue.constant as JsonValue]);
      continue;
    }
    if (value !== undefined && p.parameterExpressionSelector) value = evaluateSelector(p.parameterExpressionSelector, value);
    if (value !== undefined) io.parameters[name] = value;
  }
  // Constants may embed placeholders of this task's other inputs (f-strings, GCPC payloads).
  for (const [name, c] of constants) io.parameters[name] = resolveValuePlaceholders(c, { parameterValues: io.parameters }) as JsonValue;
  for (const [name, a] of Object.entries(t.inputs?.artifacts ?? {})) {
    let list: ArtifactRecord[] | undefined;
    if (a.componentInputArtifact !== undefined) list = dagInputs.artifacts[a.componentInputArtifact];
    else if (a.taskOutputArtifact) list = producer(a.taskOutputArtifact.producerTask).outputs.artifacts[a.taskOutputArtifact.outputArtifactKey];
    if (list) io.artifacts[name] = list;
  }
  return io;
}

async function runLoop(env: RunEnv, t: TaskSpec, component: ComponentSpec, record: TaskRecord, inputs: TaskIO): Promise<TaskResult> {
  let items: JsonValue[] | ArtifactRecord[];
  let itemInput: string;
  if (t.parameterIterator) {
    itemInput = t.parameterIterator.itemInput;
    const src = t.parameterIterator.items;
    const raw = src.raw !== undefined ? JSON.parse(src.raw) as unknown : inputs.parameters[src.inputParameter ?? ''];
    const list = typeof raw === 'string' ? JSON.parse(raw) as unknown : raw;
    if (!Array.isArray(list)) throw new Error(`ParallelFor '${record.id}': items are not a list (${JSON.stringify(raw)})`);
    items = list as JsonValue[];
  } else {
    itemInput = t.artifactIterator!.itemInput;
    items = inputs.artifacts[t.artifactIterator!.items.inputArtifact] ?? [];
  }
  const limit = t.iteratorPolicy?.parallelismLimit ?? 0;
  const gate = limit > 0 ? new Semaphore(limit) : UNLIMITED;
  const iterations = await Promise.all(items.map((item, i) => gate.with(async () => {
    const id = `${record.id}[${i}]`;
    const iterInputs: TaskIO = { parameters: { ...inputs.parameters }, artifacts: { ...inputs.artifacts } };
    if (t.parameterIterator) iterInputs.parameters[itemInput] = item as JsonValue;
    else iterInputs.artifacts[itemInput] = [item as ArtifactRecord];
    const iter = env.recorder.addTask({
      id, name: `${record.name}[${i}]`, displayName: `${record.displayName} #${i}`, parent: record.id, kind: 'dag', component: record.component,
      state: 'RUNNING', dependsOn: [], attempts: 1, inputs: iterInputs, outputs: emptyIO(), dir: taskDir(id), startTime: new Date().toISOString(),
    });
    const r = await executeDag(env, component, { parentId: id, inputs: iterInputs });
    env.recorder.updateTask(iter, { state: r.state, outputs: r.outputs, endTime: new Date().toISOString(), ...(r.error ? { error: r.error } : {}) });
    return r;
  })));
  // Fan-in: each DAG output of the loop becomes the list of the iterations' values.
  const outputs = emptyIO();
  for (const key of Object.keys(component.outputDefinitions?.parameters ?? {})) {
    outputs.parameters[key] = iterations.map((r) => r.outputs.parameters[key]).filter((v): v is JsonValue => v !== undefined);
  }
  for (const key of Object.keys(component.outputDefinitions?.artifacts ?? {})) {
    outputs.artifacts[key] = iterations.flatMap((r) => r.outputs.artifacts[key] ?? []);
  }
  const failure = iterations.find((r) => r.state === 'FAILED');
  if (failure) return { state: 'FAILED', outputs, error: failure.error ?? 'an iteration failed', failedTask: failure.failedTask ?? record.id };
  if (iterations.some((r) => r.state === 'CANCELLED')) return { state: 'CANCELLED', outputs, error: 'cancelled' };
  return { state: 'SUCCEEDED', outputs };
}

function collectDagOutputs(component: ComponentSpec, results: Map<string, TaskResult>): TaskIO {
  const out = emptyIO();
  const dagOut = component.dag?.outputs;
  for (const [name, sel] of Object.entries(dagOut?.parameters ?? {})) {
    const selectors = sel.valueFromParameter ? [sel.valueFromParameter] : sel.valueFromOneof?.parameterSelectors ?? [];
    for (const s of selectors) {
      const v = results.get(s.producerSubtask)?.outputs.parameters[s.outputParameterKey];
      if (v !== undefined) { out.parameters[name] = v; break; }
    }
  }
  for (const [name, sel] of Object.entries(dagOut?.artifacts ?? {})) {
    for (const s of sel.artifactSelectors) {
      const v = results.get(s.producerSubtask)?.outputs.artifacts[s.outputArtifactKey];
      if (v?.length) { out.artifacts[name] = v; break; }
    }
  }
  return out;
}
