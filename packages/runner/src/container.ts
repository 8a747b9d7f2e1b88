// Runs one container task: provisions its ExecutorInput, looks up the cache, resolves placeholders,
// launches it (with retries) through the first launcher that can run its image, and reads back its
// ExecutorOutput. Importer tasks create their artifact without a container.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { uriToLocalPath, type ComponentSpec, type ContainerSpec, type ImporterSpec, type JsonObject, type TaskSpec } from '@formalize/common';
import { emptyIO, type RunEnv, type TaskIO, type TaskResult } from './execution.ts';
import { buildExecutorInput, cacheKey, readOutputs, resolveCommand, resolveExecutorInput, resolveValuePlaceholders } from './io/index.ts';
import type { Launcher, TaskRecord } from './types.ts';

const LOG_TAIL_LINES = 20;

export async function executeContainer(env: RunEnv, t: TaskSpec, component: ComponentSpec, container: ContainerSpec, record: TaskRecord, inputs: TaskIO): Promise<TaskResult> {
  const dir = join(env.runDir, record.dir);
  await mkdir(dir, { recursive: true });
  const executorInput = buildExecutorInput({ componentSpec: component, parameterValues: inputs.parameters, inputArtifacts: inputs.artifacts, taskDir: dir, pipelineRoot: env.pipelineRoot, env: { ...process.env, ...env.env } });

  const enableCache = env.cache && t.cachingOptions?.enableCache === true;
  const key = cacheKey({
    componentName: t.componentRef.name, componentSpec: component, container,
    parameterValues: executorInput.inputs.parameterValues ?? {}, inputArtifacts: inputs.artifacts,
    ...(t.cachingOptions?.cacheKey ? { customKey: t.cachingOptions.cacheKey } : {}),
  });
  record.cacheKey = key;
  if (enableCache) {
    const hit = await env.executions.lookupCache(key);
    if (hit && artifactsExist(hit.outputs, env.env)) {
      const now = new Date().toISOString();
      env.recorder.updateTask(record, { state: 'CACHED', outputs: hit.outputs, startTime: now, endTime: now });
      await env.executions.recordExecution(record, { cacheKey: key, cachedFrom: hit.executionId });
      return { state: 'CACHED', outputs: hit.outputs };
    }
  }

  const launcher = await pickLauncher(env.launchers, container.image);
  if (!launcher) return { state: 'FAILED', outputs: emptyIO(), error: `no launcher can run image ${container.image}`, failedTask: record.id };
  const ctx = { ...placeholderContext(env, record), executorInput, componentSpec: component };
  // What the container sees for `{{$}}`: f-string values resolved.
  await writeFile(join(dir, 'executor_input.json'), JSON.stringify(resolveExecutorInput(ctx), null, 2));
  const argv = resolveCommand([...(container.command ?? []), ...(container.args ?? [])], ctx);
  const taskEnv: Record<string, string> = { ...env.env };
  for (const e of container.env ?? []) taskEnv[e.name] = resolveCommand([e.value], ctx)[0]!;
  const logFile = join(dir, 'task.log');
  record.log = join(record.dir, 'task.log');

  const policy = t.retryPolicy;
  const attempts = (policy?.maxRetryCount ?? 0) + 1;
  let error = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (env.cancel.aborted) return { state: 'CANCELLED', outputs: emptyIO(), error: 'run cancelled' };
    if (attempt > 0) await sleep(backoffMs(policy!, attempt - 1), env.cancel);
    const result = await env.slots.with(async () => {
      // Cancelled while queued for a slot: start nothing.
      if (env.cancel.aborted) return { exitCode: null, signal: 'SIGTERM' };
      env.recorder.updateTask(record, { state: 'RUNNING', attempts: attempt + 1, ...(record.startTime ? {} : { startTime: new Date().toISOString() }) });
      return launcher.launch({ taskId: record.id, image: container.image, argv, env: taskEnv, mounts: env.env['FORMALIZE_GCS_MOUNT'] && env.pipelineRoot.startsWith('gs://') ? [env.env['FORMALIZE_GCS_MOUNT']] : [env.pipelineRoot], logFile, cwd: dir }, env.cancel);
    });
    if (result.image) Object.assign(record, { imageId: result.image.id }, result.image.digest && { imageDigest: result.image.digest });
    if (env.cancel.aborted) return { state: 'CANCELLED', outputs: emptyIO(), error: 'run cancelled' };
    if (result.exitCode === 0) {
      try {
        const outputs = await readOutputs({ componentSpec: component, executorInput });
        const done: TaskResult = { state: 'SUCCEEDED', outputs };
        record.outputs = outputs;
        await env.executions.recordExecution({ ...record, state: 'SUCCEEDED' }, { cacheKey: key });
        return done;
      } catch (err) {
        error = (err as Error).message;
        break; // a malformed ExecutorOutput does not get better by retrying
      }
    }
    error = `exited with ${result.signal ? `signal ${result.signal}` : `code ${result.exitCode}`}`;
  }
  const tail = await logTail(logFile);
  const failed = { ...record, state: 'FAILED' as const, error };
  await env.executions.recordExecution(failed, { cacheKey: key });
  return { state: 'FAILED', outputs: emptyIO(), error: tail ? `${error}; last log lines:\n${tail}` : error, failedTask: record.id };
}

export async function executeImporter(env: RunEnv, importer: ImporterSpec, record: TaskRecord, inputs: TaskIO): Promise<TaskResult> {
  const uri = importer.artifactUri.runtimeParameter !== undefined ? inputs.parameters[importer.artifactUri.runtimeParameter] : importer.artifactUri.constant;
  if (typeof uri !== 'string' || !uri) return { state: 'FAILED', outputs: emptyIO(), error: `importer: artifact URI must be a non-empty string, got ${JSON.stringify(uri)}`, failedTask: record.id };
  const metadata = (importer.metadata ? resolveValuePlaceholders(importer.metadata, { ...placeholderContext(env, record), parameterValues: inputs.parameters }) : {}) as JsonObject;
  const outputs: TaskIO = { parameters: {}, artifacts: { artifact: [{ name: 'artifact', type: importer.typeSchema.schemaTitle, uri, metadata }] } };
  record.outputs = outputs;
  await env.executions.recordExecution({ ...record, state: 'SUCCEEDED' }, {});
  return { state: 'SUCCEEDED', outputs };
}

/** Pipeline-level placeholder values (`{{$.pipeline_job_name}}`, ...) for a task. */
function placeholderContext(env: RunEnv, record: TaskRecord) {
  return {
    pipelineJobName: env.jobName, pipelineJobResourceName: env.jobName, pipelineJobUuid: env.runId,
    pipelineTaskName: record.name, pipelineTaskUuid: record.id, pipelineRoot: env.pipelineRoot,
    pipelineJobCreateTimeUtc: env.createTime, pipelineJobScheduleTimeUtc: env.createTime,
    env: { ...process.env, ...env.env },
    ...(env.env['GOOGLE_CLOUD_PROJECT'] ? { googleCloudProjectId: env.env['GOOGLE_CLOUD_PROJECT'] } : {}),
    ...(env.env['GOOGLE_CLOUD_LOCATION'] ? { googleCloudLocation: env.env['GOOGLE_CLOUD_LOCATION'] } : {}),
  };
}

async function pickLauncher(launchers: Launcher[], image: string): Promise<Launcher | undefined> {
  for (const l of launchers) if (await l.canRun(image)) return l;
  return undefined;
}

/** A cache entry whose artifacts are gone is a miss. */
function artifactsExist(outputs: TaskIO, env: Record<string, string>): boolean {
  return Object.values(outputs.artifacts).flat().every((a) => {
    try {
      return existsSync(uriToLocalPath(a.uri, env));
    } catch {
      return true; // remote resources (https://...) cannot be checked locally
    }
  });
}

function parseDuration(d: string | undefined): number {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(d ?? '0s');
  return m ? Number(m[1]) * 1000 : 0;
}

/** KFP: min(backoff_duration * factor^attempt, backoff_max_duration). */
export function backoffMs(policy: NonNullable<TaskSpec['retryPolicy']>, attempt: number): number {
  const base = parseDuration(policy.backoffDuration);
  const max = policy.backoffMaxDuration ? parseDuration(policy.backoffMaxDuration) : Infinity;
  return Math.min(base * (policy.backoffFactor ?? 2) ** attempt, max);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

async function logTail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
}
