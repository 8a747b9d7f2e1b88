// Talking to the Docker daemon through the docker CLI: short commands with captured output, the
// daemon/image checks the docker launcher needs, and removal of this process's containers at exit.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export interface DockerCommandResult {
  /** null when the command could not be started or was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `docker <args>` to completion; never rejects (a missing binary is code null + stderr). */
export function dockerCommand(bin: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<DockerCommandResult> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', (err) => resolve({ code: null, stdout, stderr: `cannot run '${bin}': ${err.message}` }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Absolute path of the docker binary: task env (which may set PATH) must not change which CLI runs. */
export function resolveBinary(bin: string, path = process.env['PATH'] ?? ''): string {
  if (bin.includes('/')) return bin;
  for (const dir of path.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch { /* not here */ }
  }
  return bin; // spawn reports ENOENT, which the daemon check turns into a clear reason
}

export type DaemonStatus = { ok: true; version: string } | { ok: false; reason: string };

/** Whether a daemon answers `docker info`, with the server version or why not. */
export async function daemonStatus(bin: string): Promise<DaemonStatus> {
  const r = await dockerCommand(bin, ['info', '--format', '{{json .ServerVersion}}'], { timeoutMs: 20_000 });
  const version = r.code === 0 ? parseJsonString(r.stdout.trim()) : undefined;
  if (version) return { ok: true, version };
  const why = r.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ') || r.stdout.trim() || `exit code ${r.code}`;
  return { ok: false, reason: `docker daemon not reachable via '${bin}': ${why}` };
}

/** Whether `image` is in the daemon's local image store (nothing is ever pulled). */
export async function imagePresent(bin: string, image: string): Promise<boolean> {
  const r = await dockerCommand(bin, ['image', 'inspect', '--format', '{{.Id}}', image], { timeoutMs: 20_000 });
  return r.code === 0;
}

function parseJsonString(s: string): string | undefined {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'string' && v ? v : undefined;
  } catch {
    return undefined;
  }
}

// Containers started by this process, by docker binary, removed (`docker rm -f`) if the process exits
// while they run: `--rm` only removes a container once it ends, and nothing would end it otherwise.
const live = new Map<string, Set<string>>();
let exitHookInstalled = false;

export function trackContainer(bin: string, name: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', removeLiveContainers);
  }
  let names = live.get(bin);
  if (!names) live.set(bin, (names = new Set()));
  names.add(name);
}

export function untrackContainer(bin: string, name: string): void {
  live.get(bin)?.delete(name);
}

function removeLiveContainers(): void {
  for (const [bin, names] of live) {
    if (names.size) spawnSync(bin, ['rm', '--force', ...names], { stdio: 'ignore', timeout: 20_000 });
  }
  live.clear();
}
