// Runs the docker CLI and git for the image tooling: captured output for questions, inherited output for
// builds and pushes (their progress is the log).
import { spawn, spawnSync } from 'node:child_process';

export interface Captured {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with captured output; never throws (a missing binary is code null). */
export function capture(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Captured {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', input: opts.input, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.error ? `cannot run ${cmd}: ${r.error.message}` : (r.stderr ?? '') };
}

/**
 * Runs a command with its output streamed to this process's stderr (and kept, for error messages);
 * resolves to the exit code and the tail of the output.
 */
export function stream(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; tail: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-8192);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) => resolve({ code: null, tail: `cannot run ${cmd}: ${err.message}` }));
    child.on('close', (code) => resolve({ code, tail }));
  });
}

/** `git rev-parse` etc. in `cwd`; undefined when git or the repository is missing. */
export function git(cwd: string, ...args: string[]): string | undefined {
  const r = capture('git', args, { cwd });
  return r.code === 0 ? r.stdout.trim() : undefined;
}
