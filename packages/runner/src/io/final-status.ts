// The PipelineTaskFinalStatus value an exit task receives for its `taskFinalStatus` input (proto
// `PipelineTaskFinalStatus`, in the camelCase JSON the KFP executor reads: `kfp/dsl/executor.py`).
// `error` is always present (older executors call `value.get('error').get(...)`): empty on success,
// `{code: 1, message}` otherwise, as kfp.local reports failures.
import type { TaskState } from '../types.ts';

export type FinalState = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export type PipelineTaskFinalStatus = {
  state: FinalState;
  pipelineJobResourceName: string;
  pipelineTaskName: string;
  error: { code: number; message: string } | Record<string, never>;
};

export interface FinalStatusOptions {
  /** Final state of the guarded task (usually the `exit-handler-N` DAG). */
  state: TaskState;
  jobResourceName: string;
  /** Name of the producer task in its DAG. */
  taskName: string;
  /** Why it failed or was cancelled. */
  error?: string;
}

/** google.rpc.Code CANCELLED; kfp.local also reports failures with code 1. */
const ERROR_CODE = 1;

/** Maps a finished task's state to the final status; only finished states are accepted. */
export function finalState(state: TaskState): FinalState {
  switch (state) {
    case 'SUCCEEDED':
    case 'CACHED':
    case 'NOT_TRIGGERED':
      return 'SUCCEEDED';
    case 'FAILED':
    case 'SKIPPED':
      return 'FAILED';
    case 'CANCELLED':
      return 'CANCELLED';
    default:
      throw new Error(`task final status: state ${state} is not final`);
  }
}

export function finalStatus(opts: FinalStatusOptions): PipelineTaskFinalStatus {
  const state = finalState(opts.state);
  const message = opts.error ?? (state === 'CANCELLED' ? 'cancelled' : `task '${opts.taskName}' failed`);
  return {
    state,
    pipelineJobResourceName: opts.jobResourceName,
    pipelineTaskName: opts.taskName,
    error: state === 'SUCCEEDED' ? {} : { code: ERROR_CODE, message },
  };
}
