// Talking to the Docker daemon through the docker CLI: short commands with captured output, the
// daemon/image/registry checks the docker launcher needs, and removal of this process's containers at exit.
// Registry access goes through the CLI too, so its login state (`docker login`, credential helpers) applies.
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

export interface LocalImage {
  /** Image ID: the digest of its config (`sha256:...`), what the container runs. */
  id: string;
  /** `<repository>@sha256:<manifest digest>` for each registry repository it was pulled from or pushed to. */
  repoDigests: string[];
}

/** The local image `ref` names, or undefined when the daemon does not have it. */
export async function localImage(bin: string, ref: string): Promise<LocalImage | undefined> {
  const r = await dockerCommand(bin, ['image', 'inspect', '--format', '{{json .Id}} {{json .RepoDigests}}', ref], { timeoutMs: 20_000 });
  if (r.code !== 0) return undefined;
  const [id, digests] = r.stdout.trim().split(' ', 2);
  const repoDigests: unknown = JSON.parse(digests ?? '[]');
  return { id: parseJsonString(id ?? '') ?? '', repoDigests: Array.isArray(repoDigests) ? repoDigests.filter((d): d is string => typeof d === 'string') : [] };
}

/** The registry host of an image reference (`localhost:5000` of `localhost:5000/a/b:1`); docker.io when it names none. */
export function registryHost(ref: string): string {
  const first = ref.split('/')[0]!;
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** The repository of a reference, without tag or digest: `localhost:5000/formalize/x` of `localhost:5000/formalize/x:1@sha256:...`. */
export function repositoryOf(ref: string): string {
  const noDigest = ref.split('@')[0]!;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** Loopback registries speak plain HTTP, as the daemon allows for 127.0.0.0/8 by default. */
function isLoopbackRegistry(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

export type RegistryCheck = { ok: true } | { ok: false; reason: string };

/** Whether the registry has a manifest for `ref` (`docker manifest inspect`, with the CLI's credentials). */
export async function registryHas(bin: string, ref: string): Promise<RegistryCheck> {
  const host = registryHost(ref);
  const r = await dockerCommand(bin, ['manifest', 'inspect', ...(isLoopbackRegistry(host) ? ['--insecure'] : []), ref], { timeoutMs: 60_000 });
  if (r.code === 0) return { ok: true };
  return { ok: false, reason: `${registryProblem(host, r.stderr || r.stdout)} (docker manifest inspect ${ref})` };
}

/** `docker pull ref`; resolves to undefined when done, else to why not. */
export async function pullImage(bin: string, ref: string): Promise<string | undefined> {
  const r = await dockerCommand(bin, ['pull', '--quiet', ref], { timeoutMs: 30 * 60_000 });
  return r.code === 0 ? undefined : `${registryProblem(registryHost(ref), r.stderr || r.stdout)} (docker pull ${ref})`;
}

/** A registry error in words a user can act on, with the CLI's own last line. */
function registryProblem(host: string, output: string): string {
  const said = output.trim().split('\n').filter(Boolean).slice(-1)[0] ?? 'no output';
  if (/no such manifest|manifest unknown|not found/i.test(output)) return `not in registry ${host}: ${said}`;
  if (/no basic auth credentials|unauthorized|authentication required|denied/i.test(output)) return `registry ${host} refused access: log in with docker login ${host}: ${said}`;
  if (/connection refused|no such host|i\/o timeout|dial tcp/i.test(output)) return `registry ${host} is not reachable: ${said}`;
  return `registry ${host}: ${said}`;
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
