// The view when stdout is not a TTY (CI logs, pipes): one line per task state change, no escape codes.
//   12:00:01 RUNNING for-loop-2[1].double
//   12:00:03 SUCCEEDED for-loop-2[1].double (1.9s)
import type { RunEvent, TaskRecord } from '@formalize/runner';
import { type Colors, FINAL_TASK_STATES, formatClock, formatCounts, runDuration, stateText, taskDuration } from '../format.ts';
import type { RunView } from './view.ts';

export function createPlainView(out: NodeJS.WritableStream, c: Colors): RunView {
  const seen = new Map<string, string>();
  const line = (text: string) => out.write(`${c.paint('gray', formatClock(new Date()))} ${text}\n`);
  return {
    onEvent(e: RunEvent) {
      if (e.type === 'run-started') {
        line(`run ${e.run.runId} of ${e.run.pipelineName} started in ${e.run.runDir}`);
      } else if (e.type === 'run-finished') {
        line(`run ${stateText(e.run.state, c)} after ${runDuration(e.run)} (${formatCounts(e.run.tasks, c)})`);
      } else {
        // Updates that change neither the state nor the attempt (inputs resolved, outputs read) print nothing.
        const key = e.task.state === 'RUNNING' ? `RUNNING/${Math.max(1, e.task.attempts)}` : e.task.state;
        if (e.task.state === 'PENDING' || seen.get(e.task.id) === key) return;
        seen.set(e.task.id, key);
        line(`${stateText(e.task.state, c)} ${e.task.id}${details(e.task)}`);
      }
    },
    notice(message) {
      line(message);
    },
    close() {},
  };
}

function details(t: TaskRecord): string {
  const parts: string[] = [];
  if (t.state === 'RUNNING' && t.attempts > 1) parts.push(`attempt ${t.attempts}`);
  if (FINAL_TASK_STATES.has(t.state) && t.startTime) parts.push(taskDuration(t));
  // A failure's first line; the log lines it announces are printed with the failure report at the end.
  const reason = t.state === 'SKIPPED' || t.state === 'CANCELLED' ? t.error : t.state === 'FAILED' ? t.error?.split('\n')[0]!.replace(/;[^;]*:$/, '') : undefined;
  return (parts.length ? ` (${parts.join(', ')})` : '') + (reason ? `: ${reason}` : '');
}
