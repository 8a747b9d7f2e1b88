// Shared state of one run and the result type every task execution returns.
import type { JsonValue, PipelineSpec } from '@formalize/common';
import type { RunRecorder } from './recorder.ts';
import type { Semaphore } from './semaphore.ts';
import type { ArtifactRecord, Launcher, TaskRecord, TaskState } from './types.ts';

export interface TaskIO {
  parameters: Record<string, JsonValue>;
  artifacts: Record<string, ArtifactRecord[]>;
}

export interface TaskResult {
  state: TaskState;
  outputs: TaskIO;
  /** Why it failed or was skipped (failed task and last log lines for failures). */
  error?: string;
  /** Id of the task whose failure this result stems from. */
  failedTask?: string;
}

export const emptyIO = (): TaskIO => ({ parameters: {}, artifacts: {} });

/** A previous successful execution with the same cache key. */
export interface CachedExecution {
  executionId: string;
  outputs: TaskIO;
}

/** Where executions, artifacts and cache entries are recorded (the metadata store adapter). */
export interface ExecutionLog {
  lookupCache(cacheKey: string): Promise<CachedExecution | undefined>;
  /** Records a finished container/importer task with its inputs and outputs. */
  recordExecution(task: TaskRecord, extra: { cacheKey?: string; cachedFrom?: string }): Promise<void>;
}

export interface RunEnv {
  spec: PipelineSpec;
  runId: string;
  jobName: string;
  runDir: string;
  pipelineRoot: string;
  createTime: string;
  recorder: RunRecorder;
  /** Bounds concurrently running container tasks. */
  slots: Semaphore;
  launchers: Launcher[];
  executions: ExecutionLog;
  cache: boolean;
  failFast: boolean;
  /** Aborted on cancellation (Ctrl-C / SIGTERM): running tasks are stopped. */
  cancel: AbortSignal;
  /** Set when a task failed; with failFast no new task starts. */
  failed: boolean;
  env: Record<string, string>;
}
