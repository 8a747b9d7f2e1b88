// Runs a command in its own process group with stdout/stderr appended to a log file; aborting
// stops the whole group (SIGTERM, then SIGKILL after a grace period) so no grandchild survives.
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { LaunchResult } from '../types.ts';
import { trackGroup, untrackGroup } from './process-groups.ts';

export const KILL_GRACE_MS = 10_000;

export async function spawnLogged(
  argv: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; logFile: string },
  signal: AbortSignal,
): Promise<LaunchResult> {
  if (!argv.length) throw new Error('empty command');
  const log = await open(opts.logFile, 'a');
  try {
    return await new Promise<LaunchResult>((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: opts.env, stdio: ['ignore', log.fd, log.fd], detached: true });
      const pid = child.pid;
      if (pid !== undefined) trackGroup(pid);
      let killTimer: NodeJS.Timeout | undefined;
      const stop = () => {
        if (child.pid === undefined || child.exitCode !== null) return;
        try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
        killTimer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ } }, KILL_GRACE_MS);
        killTimer.unref();
      };
      if (signal.aborted) stop();
      signal.addEventListener('abort', stop, { once: true });
      child.on('error', (err) => {
        signal.removeEventListener('abort', stop);
        if (pid !== undefined) untrackGroup(pid);
        reject(new Error(`cannot start '${argv[0]}': ${err.message}`));
      });
      child.on('close', (exitCode, sig) => {
        signal.removeEventListener('abort', stop);
        if (pid !== undefined) untrackGroup(pid);
        if (killTimer) clearTimeout(killTimer);
        resolve({ exitCode, signal: sig });
      });
    });
  } finally {
    await log.close();
  }
}
