// `formalize runs`: the runs under a pipeline root, newest first, from their run.json files.
import type { RunRecord, TaskState } from '@formalize/runner';
import { EXIT } from '../errors.ts';
import { colorsFor, elapsedMs, formatDuration, formatTimestamp, stateCounts, stateText, table } from '../format.ts';
import { listRuns, localPipelineRoot } from '../paths.ts';

export interface RunsOptions {
  pipelineRoot?: string;
  json: boolean;
}

export async function runsCommand(o: RunsOptions): Promise<number> {
  const root = localPipelineRoot(o.pipelineRoot);
  const { runs, problems } = await listRuns(root);
  for (const p of problems) process.stderr.write(`skipped ${p}\n`);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(runs.map(({ dir, record }) => summary(record, dir)))}\n`);
    return EXIT.ok;
  }
  if (!runs.length) {
    process.stdout.write(`no runs under ${root}\n`);
    return EXIT.ok;
  }
  const c = colorsFor(process.stdout);
  const rows = runs.map(({ record: r }) => {
    const s = summary(r, '');
    const done = s.tasks.total - (s.tasks.states.RUNNING ?? 0) - (s.tasks.states.PENDING ?? 0);
    const notes = (['CACHED', 'FAILED'] as const).filter((k) => s.tasks.states[k]).map((k) => `${s.tasks.states[k]} ${k.toLowerCase()}`);
    return [
      r.runId, r.pipelineName, stateText(r.state, c), formatTimestamp(r.startTime),
      s.durationMs === undefined ? '-' : formatDuration(s.durationMs) + (r.endTime ? '' : ' (running)'),
      `${done}/${s.tasks.total}${notes.length ? ` (${notes.join(', ')})` : ''}`,
    ];
  });
  process.stdout.write(`${table(['RUN ID', 'PIPELINE', 'STATE', 'STARTED', 'DURATION', 'TASKS'], rows, c)}\n`);
  return EXIT.ok;
}

function summary(r: RunRecord, dir: string) {
  const states: Partial<Record<TaskState, number>> = Object.fromEntries(stateCounts(r.tasks));
  return {
    runId: r.runId, pipelineName: r.pipelineName, state: r.state, createTime: r.createTime, startTime: r.startTime,
    ...(r.endTime ? { endTime: r.endTime } : {}), durationMs: elapsedMs(r.startTime, r.endTime),
    tasks: { total: Object.values(states).reduce((a, b) => a + b, 0), states }, runDir: dir,
    ...(r.failedTask ? { failedTask: r.failedTask } : {}),
  };
}
