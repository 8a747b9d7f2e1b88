// Entry of one trial's worker thread or child process: imports the trial module, runs its `trainTrial` with an
// AbortSignal the parent controls, and posts back the metrics or the error (name, message, infeasible flag).
import { parentPort } from 'node:worker_threads';
import type { TrainTrial, TrialRequest } from './trial.ts';

export interface StartMessage { type: 'start'; module: string; request: TrialRequest }
export type ParentMessage = StartMessage | { type: 'abort'; reason: string };
export type WorkerMessage =
  | { type: 'result'; metrics: unknown }
  | { type: 'error'; error: { name: string; message: string; stack?: string; infeasible: boolean } };

const abort = new AbortController();

async function run(start: StartMessage): Promise<WorkerMessage> {
  try {
    const mod = (await import(start.module)) as { trainTrial?: unknown };
    if (typeof mod.trainTrial !== 'function') throw new TypeError(`trial module ${start.module} exports no trainTrial function`);
    const metrics = await (mod.trainTrial as TrainTrial)({ ...start.request, signal: abort.signal });
    return { type: 'result', metrics: metrics ?? null };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const infeasible = (e as { infeasible?: unknown }).infeasible === true || e.name === 'InfeasibleTrialError';
    return { type: 'error', error: { name: e.name, message: e.message, ...(e.stack && { stack: e.stack }), infeasible } };
  }
}

function onMessage(post: (m: WorkerMessage) => void) {
  return (m: ParentMessage) => {
    if (m.type === 'abort') abort.abort(new Error(m.reason));
    else void run(m).then(post);
  };
}

if (parentPort) {
  const port = parentPort;
  port.on('message', onMessage((m) => port.postMessage(m)));
} else if (process.send) {
  // Child process: the IPC channel is the only handle keeping it alive, so disconnecting ends it.
  process.on('message', onMessage((m) => process.send!(m)));
} else {
  throw new Error('trial-worker runs as a worker thread or a forked child process only');
}
