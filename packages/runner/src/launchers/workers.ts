// A pool of warm component workers (`main.ts --serve`): the first task of an entrypoint starts a worker,
// later tasks reuse idle ones, so a chain of small tasks does not pay a Node start per task. A worker runs
// one task at a time in its own process group; cancelling a task kills its worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import type { LaunchResult } from '../types.ts';
import { trackGroup, untrackGroup } from './process-groups.ts';

interface Worker { child: ChildProcess; busy: boolean; logFile?: string; done?: (r: LaunchResult) => void }

export interface WorkerTask { argv: string[]; env: Record<string, string>; cwd: string; logFile: string }

export class WorkerPool {
  private readonly idle = new Map<string, Worker[]>();
  private readonly all = new Set<Worker>();
  private nextId = 0;
  private readonly baseEnv: NodeJS.ProcessEnv;

  constructor(baseEnv: NodeJS.ProcessEnv) {
    this.baseEnv = baseEnv;
  }

  /** Runs `task.argv` (its part after `prefix`) on a warm worker started as `[...prefix, '--serve']`. */
  async run(prefix: string[], task: WorkerTask, signal: AbortSignal): Promise<LaunchResult> {
    const key = prefix.join('\0');
    const worker = this.idle.get(key)?.pop() ?? this.start(prefix);
    worker.busy = true;
    worker.logFile = task.logFile;
    worker.child.ref();
    (worker.child.channel as { ref?(): void } | undefined)?.ref?.();
    const result = await new Promise<LaunchResult>((resolve) => {
      const onAbort = () => this.kill(worker, 'SIGTERM');
      worker.done = (r) => { signal.removeEventListener('abort', onAbort); resolve(r); };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      worker.child.send({ type: 'run', id: ++this.nextId, argv: task.argv.slice(prefix.length), env: task.env, cwd: task.cwd, logFile: task.logFile });
    });
    worker.busy = false;
    worker.done = undefined;
    if (worker.child.exitCode === null && worker.child.signalCode === null && !signal.aborted) {
      worker.child.unref();
      (worker.child.channel as { unref?(): void } | undefined)?.unref?.();
      (this.idle.get(key) ?? this.idle.set(key, []).get(key)!).push(worker);
    }
    return result;
  }

  /** Stops every worker (end of a run). */
  async dispose(): Promise<void> {
    for (const w of this.all) this.kill(w, 'SIGTERM');
    this.idle.clear();
  }

  private start(prefix: string[]): Worker {
    const child = spawn(prefix[0]!, [...prefix.slice(1), '--serve'], { env: this.baseEnv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    const pid = child.pid;
    if (pid !== undefined) trackGroup(pid);
    const worker: Worker = { child, busy: false };
    this.all.add(worker);
    // Output written outside the executor's logger (console.log in run()) goes to the current task's log.
    const forward = (data: Buffer) => { if (worker.logFile) appendFileSync(worker.logFile, data); };
    child.stdout!.on('data', forward);
    child.stderr!.on('data', forward);
    child.on('message', (m: { type?: string; exitCode?: number }) => {
      if (m?.type === 'done') worker.done?.({ exitCode: m.exitCode ?? 1, signal: null });
    });
    child.on('exit', (code, sig) => {
      if (pid !== undefined) untrackGroup(pid);
      this.all.delete(worker);
      for (const list of this.idle.values()) { const i = list.indexOf(worker); if (i >= 0) list.splice(i, 1); }
      worker.done?.({ exitCode: code, signal: sig });
    });
    child.on('error', (err) => {
      if (worker.logFile) appendFileSync(worker.logFile, `cannot start worker: ${err.message}\n`);
      worker.done?.({ exitCode: 127, signal: null });
    });
    return worker;
  }

  private kill(w: Worker, sig: NodeJS.Signals): void {
    if (w.child.pid === undefined || w.child.exitCode !== null) return;
    try { process.kill(-w.child.pid, sig); } catch { /* already gone */ }
  }
}
