// runPipeline: executes a compiled PipelineSpec on this machine. It validates the IR and parameters,
// checks every image can be launched before starting anything, lays out the run folder
// (`<pipelineRoot>/<pipeline>-<runId>/<task>/<output>`), runs the root DAG, records everything in the
// metadata store and writes run.json and report.html.
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { uriToLocalPath, type JsonValue, type PipelineSpec } from '@formalize/common';
import { validateIr } from '@formalize/dsl';
import { executeDag } from './dag.ts';
import type { RunEnv } from './execution.ts';
import { openExecutionLog } from './metadata-log.ts';
import { resolveInputArtifacts, resolveParameters, type InputArtifact } from './params.ts';
import { RunRecorder } from './recorder.ts';
import { writeReport } from './report/index.ts';
import { Semaphore } from './semaphore.ts';
import { withStoreEnv } from './task-env.ts';
import type { Launcher, RunEvent, RunRecord } from './types.ts';

export interface RunOptions {
  /** Local folder or `gs://` URI; default `.formalize` under the working directory. */
  pipelineRoot?: string;
  parameters?: Record<string, JsonValue>;
  /** Input artifacts of the pipeline by name (Vertex: `runtimeConfig.inputArtifacts`). */
  artifacts?: Record<string, InputArtifact | InputArtifact[]>;
  /** Container tasks running at once; default: the number of CPUs. */
  parallelism?: number;
  /** Honour cachingOptions (default true); false = `--no-cache`. */
  cache?: boolean;
  failFast?: boolean;
  /** Tried in order for each image. */
  launchers: Launcher[];
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  runId?: string;
  /**
   * Environment passed to every task (e.g. FORMALIZE_GCS_MOUNT). The runner adds FORMALIZE_WAREHOUSE and
   * FORMALIZE_METADATA_STORE (the pipeline root's stores) unless this or its own environment sets them.
   */
  env?: Record<string, string>;
}

export class PreflightError extends Error {
  override name = 'PreflightError';
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function runPipeline(doc: unknown, opts: RunOptions): Promise<RunRecord> {
  const spec = validateIr(doc) as PipelineSpec;
  const parameters = resolveParameters(spec, opts.parameters ?? {});
  const inputArtifacts = resolveInputArtifacts(spec, opts.artifacts ?? {});
  await preflight(spec, opts.launchers);

  const runId = opts.runId ?? newRunId();
  const jobName = `${spec.pipelineInfo.name}-${runId}`;
  const storage = { ...opts.env };
  const rootUri = opts.pipelineRoot ?? spec.defaultPipelineRoot ?? join(process.cwd(), '.formalize');
  if (rootUri.startsWith('gs://') && !storage['FORMALIZE_GCS_MOUNT']) storage['FORMALIZE_GCS_MOUNT'] = join(process.cwd(), '.formalize', 'gcs');
  const { pipelineRoot, localRoot } = resolvePipelineRoot(rootUri, storage, opts.pipelineRoot === undefined && spec.defaultPipelineRoot !== undefined);
  const env = withStoreEnv(storage, localRoot);
  const runDir = join(localRoot, jobName);
  await mkdir(runDir, { recursive: true });

  const now = new Date().toISOString();
  const record: RunRecord = {
    runId, pipelineName: spec.pipelineInfo.name, runDir, pipelineRoot, state: 'RUNNING', createTime: now, startTime: now,
    parameters, ...(Object.keys(inputArtifacts).length ? { inputArtifacts } : {}), outputs: { parameters: {}, artifacts: {} }, tasks: [],
  };
  const recorder = new RunRecorder(record, opts.onEvent);
  const executions = await openExecutionLog(localRoot, record);
  const cancel = opts.signal ?? new AbortController().signal;
  const runEnv: RunEnv = {
    spec, runId, jobName, runDir, pipelineRoot, createTime: now, recorder,
    slots: new Semaphore(opts.parallelism ?? availableParallelism()), launchers: opts.launchers, executions,
    cache: opts.cache ?? true, failFast: opts.failFast ?? false, cancel, failed: false, env,
  };
  recorder.started();
  try {
    const result = await executeDag(runEnv, spec.root, { parentId: '', inputs: { parameters, artifacts: inputArtifacts } });
    const state = cancel.aborted ? 'CANCELLED' : result.state === 'SUCCEEDED' ? 'SUCCEEDED' : result.state === 'CANCELLED' ? 'CANCELLED' : 'FAILED';
    await recorder.finished({
      state, endTime: new Date().toISOString(), outputs: result.outputs,
      ...(result.failedTask ? { failedTask: result.failedTask } : {}), ...(result.error && state !== 'SUCCEEDED' ? { error: result.error } : {}),
    });
    await executions.finishRun(record);
  } finally {
    await executions.close();
    await Promise.all(opts.launchers.map((l) => l.dispose?.()));
  }
  await writeReport(record);
  return record;
}

/**
 * The pipeline root as tasks see it (an absolute folder, or a gs:// URI without trailing slashes) and
 * the local folder it lives in. Other object stores have no local mapping here.
 */
function resolvePipelineRoot(root: string, storage: Record<string, string>, fromSpec: boolean): { pipelineRoot: string; localRoot: string } {
  if (!root.includes('://')) {
    const folder = resolve(root);
    return { pipelineRoot: folder, localRoot: folder };
  }
  if (!/^gs:\/\/[^/]+/.test(root)) {
    const source = fromSpec ? " (the pipeline's defaultPipelineRoot; choose another pipeline root)" : '';
    throw new PreflightError(`pipeline root '${root}'${source}: expected a local folder or gs://<bucket>[/<path>]`);
  }
  const pipelineRoot = root.replace(/\/+$/, '');
  return { pipelineRoot, localRoot: uriToLocalPath(pipelineRoot, storage) };
}

/** Every container image must be runnable by some launcher; fail before starting anything otherwise. */
async function preflight(spec: PipelineSpec, launchers: Launcher[]): Promise<void> {
  const problems: string[] = [];
  const users = new Map<string, string[]>();
  const visit = (dag: PipelineSpec['root']['dag'], path: string) => {
    for (const [name, t] of Object.entries(dag?.tasks ?? {})) {
      const comp = spec.components?.[t.componentRef.name];
      if (comp?.dag) visit(comp.dag, `${path}${name}.`);
      const image = comp?.executorLabel ? spec.deploymentSpec?.executors?.[comp.executorLabel]?.container?.image : undefined;
      if (image) users.set(image, [...(users.get(image) ?? []), `${path}${name}`]);
    }
  };
  visit(spec.root.dag, '');
  for (const [image, tasks] of users) {
    let ok = false;
    for (const l of launchers) if (await l.canRun(image)) { ok = true; break; }
    if (ok) continue;
    const reasons = (await Promise.all(launchers.map(async (l) => {
      const why = await l.whyNot?.(image);
      return why ? `${l.name}: ${why}` : undefined;
    }))).filter(Boolean);
    problems.push(`task ${tasks.map((t) => `'${t}'`).join(', ')}: no launcher can run image ${image} (launchers: ${launchers.map((l) => l.name).join(', ') || 'none'}; a workspace component runs as a process, other images need a Docker daemon with the image, or --image-map ${image}=host)${reasons.length ? `\n  ${reasons.join('\n  ')}` : ''}`);
  }
  if (problems.length) throw new PreflightError(problems.join('\n'));
}
