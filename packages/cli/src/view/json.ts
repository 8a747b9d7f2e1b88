// `--json`: one JSON object per line on stdout. Task updates carry the task only (not the whole run);
// the last line is the final RunRecord (`{"type":"run-record","run":...}`), written by the run command.
import type { RunEvent, RunRecord } from '@formalize/runner';
import type { RunView } from './view.ts';

/** The run without its task list (tasks arrive one by one as task-updated lines). */
function header(run: RunRecord): Omit<RunRecord, 'tasks'> {
  const { tasks: _tasks, ...rest } = run;
  return rest;
}

export function createJsonView(out: NodeJS.WritableStream, err: NodeJS.WritableStream): RunView {
  const line = (v: unknown) => out.write(`${JSON.stringify(v)}\n`);
  return {
    onEvent(e: RunEvent) {
      const time = new Date().toISOString();
      if (e.type === 'task-updated') line({ type: e.type, time, runId: e.run.runId, task: e.task });
      else line({ type: e.type, time, run: header(e.run) });
    },
    notice(message) {
      err.write(`${message}\n`);
    },
    close() {},
  };
}
