// Warm worker mode (`main.ts --serve`): a component entrypoint started once by the local runner's process
// launcher serves one task after another over the IPC channel, so a task costs milliseconds instead of a
// Node start (~200 ms). Each task still gets the exact executor protocol: its own argv, env, working
// directory and log file; the worker handles one task at a time.
import { createWriteStream } from 'node:fs';
import type { Component } from '../contract/define.ts';
import { runExecutor } from './run.ts';

export interface ServeRequest { type: 'run'; id: number; argv: string[]; env: Record<string, string>; cwd: string; logFile: string }
export interface ServeReply { type: 'done'; id: number; exitCode: number }

export function serve(components: readonly Component[]): void {
  if (!process.send) throw new Error('--serve needs an IPC channel (start the worker with child_process.fork or stdio "ipc")');
  const baseEnv = { ...process.env };
  process.on('message', (msg: ServeRequest) => {
    if (msg?.type !== 'run') return;
    void handle(components, msg, baseEnv).then((exitCode) => process.send!({ type: 'done', id: msg.id, exitCode } satisfies ServeReply));
  });
}

async function handle(components: readonly Component[], req: ServeRequest, baseEnv: NodeJS.ProcessEnv): Promise<number> {
  const log = createWriteStream(req.logFile, { flags: 'a' });
  // The task's environment and folder, as its container would have them; restored afterwards.
  process.env = { ...baseEnv, ...req.env };
  process.chdir(req.cwd);
  try {
    return await runExecutor(components, req.argv, { stdout: log, stderr: log, env: process.env });
  } finally {
    process.env = baseEnv;
    await new Promise<void>((resolve) => log.end(resolve));
  }
}
