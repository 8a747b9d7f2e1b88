// A task: one use of a component inside a pipeline, with its arguments and task-level settings.
import type { ArtifactTypeSchema, ComponentIR, ImporterSpec, JsonValue, OutputsSpec, ResourceSpec, RetryPolicy } from '@formalize/common';
import { ArtifactChannel, ParamChannel, type Channel, type TaskFinalStatusMarker } from './channels.ts';
import type { Group } from './graph.ts';

export type Argument = Channel | JsonValue | TaskFinalStatusMarker;

/** What a task runs: a container or graph component, or the importer system component. */
export type TaskTarget = ComponentIR | { kind: 'importer'; name: string; importer: Omit<ImporterSpec, 'artifactUri'>; artifactType: ArtifactTypeSchema };

export class Task<O = Record<string, Channel>> {
  readonly name: string;
  readonly target: TaskTarget;
  readonly args: Record<string, Argument>;
  parent: Group | undefined;
  readonly outputs: O;
  displayName: string | undefined;
  caching = true;
  cacheKey: string | undefined;
  retry: RetryPolicy | undefined;
  readonly resources: ResourceSpec = {};
  readonly env: { name: string; value: string }[] = [];
  readonly upstream: Task<any>[] = [];
  ignoreUpstreamFailureFlag = false;
  /** Set on the exit task of an ExitHandler. */
  exitHandlerOf: Group | undefined;

  constructor(name: string, target: TaskTarget, args: Record<string, Argument>, outputs: (t: Task<O>) => O) {
    this.name = name;
    this.target = target;
    this.args = args;
    this.outputs = outputs(this);
  }

  /** The single output of a one-output component (KFP's `task.output`). */
  get output(): O[keyof O] {
    const values = Object.values(this.outputs as object);
    if (values.length !== 1) throw new Error(`task '${this.name}' has ${values.length} outputs; use .outputs.<name>`);
    return values[0] as O[keyof O];
  }

  setDisplayName(name: string): this {
    this.displayName = name;
    return this;
  }
  /** Enables or disables caching; an optional key replaces the automatic cache key. */
  setCaching(enable: boolean, cacheKey?: string): this {
    this.caching = enable;
    this.cacheKey = cacheKey;
    return this;
  }
  /** Retries the task up to `numRetries` times with exponential backoff (KFP `set_retry` defaults). */
  setRetry(numRetries: number, opts: { backoffDuration?: string; backoffFactor?: number; backoffMaxDuration?: string } = {}): this {
    if (!Number.isInteger(numRetries) || numRetries < 0) throw new Error(`setRetry: numRetries must be a non-negative integer, got ${numRetries}`);
    this.retry = {
      backoffDuration: opts.backoffDuration ?? '0s',
      backoffFactor: opts.backoffFactor ?? 2.0,
      backoffMaxDuration: opts.backoffMaxDuration ?? '3600s',
      maxRetryCount: numRetries,
    };
    return this;
  }
  setCpuLimit(cpu: string): this {
    this.resources.cpuLimit = cpuToFloat(cpu);
    this.resources.resourceCpuLimit = cpu;
    return this;
  }
  setCpuRequest(cpu: string): this {
    this.resources.cpuRequest = cpuToFloat(cpu);
    this.resources.resourceCpuRequest = cpu;
    return this;
  }
  setMemoryLimit(memory: string): this {
    this.resources.memoryLimit = memoryToFloat(memory);
    this.resources.resourceMemoryLimit = memory;
    return this;
  }
  setMemoryRequest(memory: string): this {
    this.resources.memoryRequest = memoryToFloat(memory);
    this.resources.resourceMemoryRequest = memory;
    return this;
  }
  setAcceleratorType(type: string): this {
    this.resources.accelerator = { ...this.resources.accelerator, type, resourceType: type };
    this.resources.accelerator.count ??= '1';
    this.resources.accelerator.resourceCount ??= '1';
    return this;
  }
  setAcceleratorLimit(count: number | string): this {
    const c = String(count);
    if (!/^\d+$/.test(c)) throw new Error(`setAcceleratorLimit: expected a non-negative integer, got '${c}'`);
    this.resources.accelerator = { ...this.resources.accelerator, count: c, resourceCount: c };
    return this;
  }
  setEnvVariable(name: string, value: string): this {
    this.env.push({ name, value });
    return this;
  }
  /** Runs this task after the given tasks even without a data dependency. */
  after(...tasks: Task<any>[]): this {
    this.upstream.push(...tasks);
    return this;
  }
  /** Runs this task when its upstream tasks complete, even if they failed (KFP `ignore_upstream_failure`). */
  ignoreUpstreamFailure(): this {
    this.ignoreUpstreamFailureFlag = true;
    return this;
  }
}

/** KFP `_cpu_to_float`: `500m` -> 0.5, `4` -> 4. */
export function cpuToFloat(cpu: string): number {
  const m = /^([0-9]*\.?[0-9]+)(m?)$/.exec(cpu);
  if (!m) throw new Error(`invalid CPU value '${cpu}': expected a number or millicores like '500m'`);
  return m[2] ? Number(m[1]) / 1000 : Number(m[1]);
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1e-9, E: 1e9, P: 1e6, T: 1e3, G: 1, M: 1e-3, K: 1e-6, k: 1e-6,
  Ei: 2 ** 60 / 1e9, Pi: 2 ** 50 / 1e9, Ti: 2 ** 40 / 1e9, Gi: 2 ** 30 / 1e9, Mi: 2 ** 20 / 1e9, Ki: 2 ** 10 / 1e9,
};

/** KFP `_memory_to_float`: memory in decimal GB (`14Gi` -> 15.032385536). */
export function memoryToFloat(memory: string): number {
  const m = /^([0-9]*\.?[0-9]+)([EPTGMKk]i?|)$/.exec(memory);
  const unit = m ? MEMORY_UNITS[m[2]!] : undefined;
  if (!m || unit === undefined) throw new Error(`invalid memory value '${memory}': expected e.g. '512Mi', '4G', '14Gi'`);
  return Number((Number(m[1]) * unit).toPrecision(15));
}

/** Channels for every output a component declares. */
export function outputChannels(task: Task<any>, defs: OutputsSpec | undefined): Record<string, Channel> {
  const out: Record<string, Channel> = {};
  for (const [key, p] of Object.entries(defs?.parameters ?? {})) {
    out[key] = new ParamChannel(`${task.name}-${key}`, p.parameterType as never, { kind: 'task-output', task: task as Task, key });
  }
  for (const [key, a] of Object.entries(defs?.artifacts ?? {})) {
    out[key] = new ArtifactChannel(`${task.name}-${key}`, a.artifactType.schemaTitle, { kind: 'task-output', task: task as Task, key }, a.isArtifactList ?? false);
  }
  return out;
}
