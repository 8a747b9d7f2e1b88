// `formalize run <spec.ts | pipeline.yaml>`: runs a pipeline on this machine through the runner, shows
// it live (TTY), as plain lines or as JSON lines, and exits 0 (succeeded), 1 (failed) or 130 (cancelled).
// Ctrl-C, SIGTERM or SIGHUP aborts the run (running tasks' process groups are stopped, the run is
// recorded as CANCELLED); a second one exits at once.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { uriToLocalPath, type JsonValue, type PipelineSpec } from '@formalize/common';
import {
  createDockerLauncher, createHostLauncher, createProcessLauncher, newRunId, parseParamText, runPipeline,
  type InputArtifact, type Launcher, type PullPolicy, type RunRecord,
} from '@formalize/runner';
import { EXIT, UsageError } from '../errors.ts';
import { colorsFor, failureReport, formatCounts } from '../format.ts';
import { GCS_MOUNT_ENV, localPipelineRoot, storageEnv, workspaceRoot } from '../paths.ts';
import { loadPipelineSpec } from '../spec.ts';
import { createJsonView } from '../view/json.ts';
import { createLiveView } from '../view/live.ts';
import { createPlainView } from '../view/plain.ts';
import type { RunView } from '../view/view.ts';

export interface RunCommandOptions {
  param: string[];
  /** `name=uri` input artifacts. */
  artifact?: string[];
  parallelism?: number;
  cache: boolean;
  failFast: boolean;
  launcher: 'auto' | 'process' | 'docker';
  imageMap: string[];
  /** Network of Docker tasks (default none). */
  network?: 'none' | 'host';
  /** Where Docker images come from (default never: the local image store only). */
  pull?: PullPolicy;
  pipelineRoot?: string;
  runId?: string;
  json: boolean;
}

export async function runCommand(file: string, o: RunCommandOptions): Promise<number> {
  const spec = await loadPipelineSpec(file);
  const parameters = parseParams(o.param, spec);
  const artifacts = parseArtifacts(o.artifact ?? []);
  const runId = o.runId ?? newRunId();
  checkRunId(runId, spec, o.pipelineRoot);
  const launchers = selectLaunchers(o.launcher, parseImageMap(o.imageMap), o.network ?? 'none', o.pull ?? 'never');

  const out = process.stdout;
  const c = colorsFor(out);
  const view: RunView = o.json ? createJsonView(out, process.stderr) : out.isTTY ? createLiveView(out, c) : createPlainView(out, c);
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++interrupts > 1) process.exit(EXIT.cancelled);
    view.notice(`${signal}: stopping running tasks and recording the run as cancelled (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to exit at once)`);
    controller.abort();
  };
  // A closed terminal (SIGHUP) cancels like Ctrl-C; output that can no longer be written (closed pipe or
  // terminal) must not kill the CLI before the run is stopped and recorded.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  out.on('error', () => {});

  let run: RunRecord;
  try {
    const gcsMount = process.env[GCS_MOUNT_ENV];
    run = await runPipeline(spec, {
      parameters, artifacts, launchers, runId, signal: controller.signal, onEvent: (e) => view.onEvent(e),
      cache: o.cache, failFast: o.failFast,
      ...(o.parallelism !== undefined ? { parallelism: o.parallelism } : {}),
      ...(o.pipelineRoot !== undefined ? { pipelineRoot: o.pipelineRoot } : {}),
      ...(gcsMount ? { env: { [GCS_MOUNT_ENV]: gcsMount } } : {}),
    });
  } finally {
    view.close();
    for (const s of signals) process.off(s, onSignal);
  }

  if (o.json) {
    out.write(`${JSON.stringify({ type: 'run-record', run })}\n`);
    if (run.state === 'FAILED') process.stderr.write(`${failureReport(run, run.runDir, colorsFor(process.stderr))}\n`);
  } else {
    const lines: string[] = [''];
    if (run.state === 'FAILED') lines.push(failureReport(run, run.runDir, c), '');
    if (run.state === 'CANCELLED') lines.push(`run cancelled (${formatCounts(run.tasks, c)}); finished tasks with caching enabled are reused by the next run`, '');
    lines.push(`run folder: ${run.runDir}`, `report:     ${join(run.runDir, 'report.html')}`);
    out.write(`${lines.join('\n')}\n`);
  }
  return run.state === 'SUCCEEDED' ? EXIT.ok : run.state === 'CANCELLED' ? EXIT.cancelled : EXIT.failed;
}

/** `--param k=v` values, typed by the pipeline's parameter definitions (unknown names are left to the runner). */
export function parseParams(pairs: readonly string[], spec: PipelineSpec): Record<string, JsonValue> {
  const defs = spec.root.inputDefinitions?.parameters ?? {};
  const values: Record<string, JsonValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param '${pair}': expected name=value`);
    const name = pair.slice(0, eq);
    values[name] = parseParamText(name, pair.slice(eq + 1), defs[name]);
  }
  return values;
}

export interface ImageMap {
  /** Images whose commands run directly on this machine (`<image>=host`). */
  host: string[];
  /** Images run in Docker as another, local image (`<image>=<local image>`). */
  standIns: Record<string, string>;
}

/** An image reference as docker accepts it: `[registry[:port]/]path[:tag][@digest]`. */
const IMAGE_REF = /^[a-z0-9][a-z0-9._\-/:]*(?:@sha256:[0-9a-f]{64})?$/;

/**
 * `--artifact name=uri` values: a local path (made absolute) or a gs:// URI, which must exist here;
 * a name given twice is a list. Names and types are checked by the runner against the pipeline.
 */
export function parseArtifacts(pairs: readonly string[]): Record<string, InputArtifact[]> {
  const out: Record<string, InputArtifact[]> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw new UsageError(`--artifact '${pair}': expected name=<path or gs:// URI>`);
    const name = pair.slice(0, eq);
    const given = pair.slice(eq + 1);
    const uri = given.includes('://') ? given : resolve(given);
    let local: string;
    try {
      local = uriToLocalPath(uri, storageEnv());
    } catch (err) {
      throw new UsageError(`--artifact '${pair}': ${(err as Error).message}`);
    }
    if (!existsSync(local)) throw new UsageError(`--artifact '${pair}': nothing at ${local}`);
    (out[name] ??= []).push({ uri });
  }
  return out;
}

/** `--image-map <image>=host` and `--image-map <image>=<local image>`. */
export function parseImageMap(pairs: readonly string[]): ImageMap {
  const map: ImageMap = { host: [], standIns: {} };
  const seen = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const image = pair.slice(0, eq);
    const target = pair.slice(eq + 1);
    if (eq <= 0 || !target) throw new UsageError(`--image-map '${pair}': expected <image>=host or <image>=<local image>`);
    if (target !== 'host' && !IMAGE_REF.test(target)) throw new UsageError(`--image-map '${pair}': '${target}' is neither 'host' nor an image reference`);
    const before = seen.get(image);
    if (before !== undefined && before !== target) throw new UsageError(`--image-map '${pair}': ${image} is already mapped to ${before}`);
    seen.set(image, target);
    if (target === 'host') map.host.push(image);
    else map.standIns[image] = target;
  }
  return map;
}

/**
 * Launchers in the order they are tried for each image: mapped images on the host first, then workspace
 * components as processes, then other images (or their stand-ins) in Docker when a daemon is up.
 */
export function selectLaunchers(kind: RunCommandOptions['launcher'], map: ImageMap, network: 'none' | 'host' = 'none', pull: PullPolicy = 'never'): Launcher[] {
  const standIns = Object.keys(map.standIns);
  if (kind === 'process' && standIns.length) {
    throw new UsageError(`--image-map ${standIns[0]}=${map.standIns[standIns[0]!]}: stand-in images run in Docker, which --launcher process excludes`);
  }
  const launchers: Launcher[] = map.host.length ? [createHostLauncher({ images: map.host })] : [];
  if (kind !== 'docker') launchers.push(createProcessLauncher({ workspaceRoot: workspaceRoot() }));
  if (kind !== 'process') launchers.push(createDockerLauncher({ network, standIns: map.standIns, pull }));
  return launchers;
}

/** A run id names a new folder: safe characters, and no run of this pipeline has it yet. */
function checkRunId(runId: string, spec: PipelineSpec, pipelineRoot: string | undefined): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(runId)) throw new UsageError(`--run-id '${runId}': use letters, digits, '.', '_' and '-'`);
  let root: string;
  try {
    root = localPipelineRoot(pipelineRoot ?? spec.defaultPipelineRoot, process.cwd(), pipelineRoot ? '--pipeline-root' : "the pipeline's defaultPipelineRoot");
  } catch (err) {
    if (pipelineRoot || !(err instanceof UsageError)) throw err;
    throw new UsageError(`${err.message} (pass --pipeline-root to run it elsewhere)`);
  }
  const dir = join(root, `${spec.pipelineInfo.name}-${runId}`);
  if (existsSync(dir)) throw new UsageError(`--run-id '${runId}': ${dir} already exists`);
}
