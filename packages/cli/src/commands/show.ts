// `formalize show <run>`: one run's header, its tasks (tree order), pipeline outputs and failure.
import { join } from 'node:path';
import { EXIT } from '../errors.ts';
import { colorsFor, failureReport, formatTimestamp, runDuration, stateText, table, taskDuration, taskTree } from '../format.ts';
import { findRun, localPipelineRoot } from '../paths.ts';

export interface ShowOptions {
  pipelineRoot?: string;
  json: boolean;
}

export async function showCommand(ref: string, o: ShowOptions): Promise<number> {
  const { dir, record: r } = await findRun(ref, localPipelineRoot(o.pipelineRoot));
  if (o.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return EXIT.ok;
  }
  const c = colorsFor(process.stdout);
  const label = (s: string) => c.paint('bold', s.padEnd(11));
  const out: string[] = [
    `${label('run')}${r.runId}`,
    `${label('pipeline')}${r.pipelineName}`,
    `${label('state')}${stateText(r.state, c)}`,
    `${label('started')}${formatTimestamp(r.startTime)}`,
    `${label('duration')}${runDuration(r)}${r.endTime ? '' : ' (running)'}`,
    `${label('folder')}${dir}`,
    `${label('report')}${join(dir, 'report.html')}`,
  ];
  const params = Object.entries(r.parameters);
  if (params.length) out.push(`${label('parameters')}${params.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  const inputs = Object.entries(r.inputArtifacts ?? {}).flatMap(([name, list]) => list.map((a) => `${name}=${a.uri}`));
  if (inputs.length) out.push(`${label('artifacts')}${inputs.join(' ')}`);

  const rows = taskTree(r.tasks).map(({ task: t, depth }) => [
    `${'  '.repeat(depth)}${t.id}`, t.displayName, stateText(t.state, c), taskDuration(t) || '-',
    t.state === 'CACHED' ? c.paint('blue', 'yes') : 'no', String(t.attempts),
  ]);
  out.push('', table(['TASK', 'DISPLAY NAME', 'STATE', 'DURATION', 'CACHED', 'ATTEMPTS'], rows, c));

  const outParams = Object.entries(r.outputs.parameters);
  const outArtifacts = Object.entries(r.outputs.artifacts).flatMap(([name, list]) => list.map((a) => [name, a.type, a.uri]));
  if (outParams.length || outArtifacts.length) {
    out.push('', c.paint('bold', 'outputs'));
    for (const [k, v] of outParams) out.push(`  ${k} = ${JSON.stringify(v)}`);
    for (const [name, type, uri] of outArtifacts) out.push(`  ${name} (${type}): ${uri}`);
  }
  if (r.state === 'FAILED') out.push('', failureReport(r, dir, c));
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.ok;
}
