// Runs one trial's `trainTrial` isolated from the study: in a worker thread (the default) or a child process. Each
// trial gets a fresh one, so TF.js memory is released when the trial ends and a crashing trial fails alone.
// Cancellation posts an abort to the trial, then terminates it if it has not stopped within the grace period.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HYPERTUNE_FILE_ENV, HYPERTUNE_TRIAL_ENV, readHypertuneMetrics } from './hypertune.ts';
import type { Objective } from './study.ts';
import type { TrialMetrics, TrialRequest } from './trial.ts';
import { trialMetricsSchema } from './trial.ts';
import type { ParentMessage, WorkerMessage } from './trial-worker.ts';

export const ISOLATIONS = ['thread', 'process'] as const;
export type Isolation = (typeof ISOLATIONS)[number];

export interface TrialRunnerOptions {
  /** The trial module (file path or URL) exporting `trainTrial`. */
  module: string;
  objective: Objective;
  isolation?: Isolation;
  /** Time a cancelled trial gets to stop on its own before it is terminated (default 10 s). */
  graceMs?: number;
}

// The worker entry next to this file, .ts in a checkout and .js in dist/.
const WORKER_FILE = fileURLToPath(new URL(`./trial-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

const moduleUrl = (m: string) => (/^[a-z][a-z0-9+.-]*:/i.test(m) ? m : pathToFileURL(m).href);

/** Something that runs one trial to its end: a worker thread or a child process. */
interface TrialHost {
  post(m: ParentMessage): void;
  onMessage(f: (m: WorkerMessage) => void): void;
  onExit(f: (detail: string) => void): void;
  kill(): void;
}

function threadHost(env: NodeJS.ProcessEnv): TrialHost {
  const w = new Worker(WORKER_FILE, { env, stdout: true });
  // Trial output goes to the component's log stream (stderr): stdout is not the executor's to pollute.
  w.stdout.pipe(process.stderr, { end: false });
  return {
    post: (m) => w.postMessage(m),
    onMessage: (f) => w.on('message', f),
    onExit: (f) => {
      w.on('error', (err) => f(`trial thread crashed: ${err.message}`));
      w.on('exit', (code) => f(`trial thread exited with code ${code}`));
    },
    kill: () => void w.terminate(),
  };
}

function processHost(env: NodeJS.ProcessEnv): TrialHost {
  const child: ChildProcess = fork(WORKER_FILE, [], { env, serialization: 'advanced', stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.stdout!.pipe(process.stderr, { end: false });
  return {
    post: (m) => { if (child.connected) child.send(m); },
    onMessage: (f) => child.on('message', (m) => f(m as WorkerMessage)),
    onExit: (f) => {
      child.on('error', (err) => f(`trial process failed: ${err.message}`));
      child.on('exit', (code, signal) => f(`trial process exited with ${signal ?? `code ${code}`}`));
    },
    kill: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); },
  };
}

export type RunTrial = (request: TrialRequest, signal: AbortSignal) => Promise<TrialMetrics>;

export function createTrialRunner(opts: TrialRunnerOptions): RunTrial {
  const isolation = opts.isolation ?? 'thread';
  const graceMs = opts.graceMs ?? 10_000;
  const module = moduleUrl(opts.module);
  return async (request, signal) => {
    signal.throwIfAborted();
    const metricsFile = join(request.workDir, 'hypertune', 'output.metrics');
    await mkdir(join(request.workDir, 'hypertune'), { recursive: true });
    const env = { ...process.env, [HYPERTUNE_FILE_ENV]: metricsFile, [HYPERTUNE_TRIAL_ENV]: request.trialId };
    // Cancelled while the folder was being made: nothing to start.
    signal.throwIfAborted();
    const host = isolation === 'thread' ? threadHost(env) : processHost(env);
    const reported = await new Promise<unknown>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        host.kill();
        f();
      };
      const onAbort = () => {
        host.post({ type: 'abort', reason: signal.reason instanceof Error ? signal.reason.message : String(signal.reason) });
        timer = setTimeout(() => settle(() => reject(new Error(`trial ${request.trialId} did not stop within ${graceMs} ms of cancellation: terminated`))), graceMs);
      };
      host.onMessage((m) => {
        if (m.type === 'result') settle(() => resolve(m.metrics));
        else settle(() => reject(Object.assign(new Error(m.error.message), { name: m.error.name, infeasible: m.error.infeasible, stack: m.error.stack })));
      });
      host.onExit((detail) => settle(() => reject(new Error(`trial ${request.trialId}: ${detail} before reporting`))));
      host.post({ type: 'start', module, request });
      // After start, so an abort always reaches a trial that has its request.
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const metrics = reported ?? (await readHypertuneMetrics(metricsFile, opts.objective.metric, opts.objective.goal));
    if (metrics === undefined) throw new Error(`trial ${request.trialId} returned no metrics and wrote none to ${metricsFile}`);
    const parsed = trialMetricsSchema.safeParse(metrics);
    if (!parsed.success) throw new Error(`trial ${request.trialId} reported invalid metrics ${JSON.stringify(metrics)}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  };
}
