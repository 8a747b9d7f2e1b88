// Runs a task in its image on the local Docker daemon, with the pipeline root mounted at the same path
// so the ExecutorInput's local paths hold inside the container. Where the image comes from is the pull
// policy: `never` (default) runs only images already in the daemon's store (built, loaded or imported
// here) or their local stand-ins (`standIns`); `missing` pulls an image the store lacks; `always` pulls
// every image once per launcher (per run), so a moved tag is seen. Pulls use the docker CLI's login state
// (`docker login`). Every task of a run then runs the same image, by ID, and reports it (ID and registry
// digest) for run.json. The container keeps its image's working directory, as on Vertex AI and Kubeflow,
// where commands like `sh run.sh` rely on the image's WORKDIR.
//
// Who the task runs as (docker-user.ts): the invoking user's uid:gid, so what it writes under the pipeline
// root belongs to whoever started the run; under root, the unprivileged TASK_UID:TASK_GID, with its task
// folder, the warehouse and the metadata store handed over for the task. Every container runs with all
// capabilities dropped and no-new-privileges. `user` overrides the uid:gid.
//
// Environment values never appear in argv or logs: `--env NAME` makes the docker CLI copy the value
// from its own environment. Names the CLI itself reads (HOME, DOCKER_*) go through a private 0600
// env file instead, removed when the container ends.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Launcher, LaunchResult, LaunchSpec } from '../types.ts';
import {
  daemonStatus, dockerCommand, localImage, pullImage, registryHas, repositoryOf, resolveBinary, trackContainer, untrackContainer,
  type DaemonStatus, type LocalImage,
} from './docker-daemon.ts';
import { handOver, takeBack, taskUser } from './docker-user.ts';

export type DockerNetwork = 'none' | 'host';
export type PullPolicy = 'never' | 'missing' | 'always';
export const PULL_POLICIES: readonly PullPolicy[] = ['never', 'missing', 'always'];

export interface DockerLauncherOptions {
  /** docker CLI binary (default: `docker` on PATH). */
  docker?: string;
  /** 'none' (default): loopback only; 'host': the machine's network. */
  network?: DockerNetwork;
  /** `uid:gid` (or a user name of the image) the task runs as; default: this process's uid:gid, 65532:65532 under root. */
  user?: string;
  /** Images of the IR mapped to local images that run in their place (e.g. `gcr.io/x/trainer` -> `formalize/busybox:local`). */
  standIns?: Readonly<Record<string, string>>;
  /** Where images come from: 'never' (default: the local store only), 'missing' or 'always' (pull once per launcher). */
  pull?: PullPolicy;
}

/** Seconds between SIGTERM and SIGKILL when a task is aborted (`docker stop --time`). */
export const STOP_TIMEOUT_S = 10;
/** Label on every container this launcher starts; its value is the task id. */
export const TASK_LABEL = 'io.formalize.task';
const NAME_ATTEMPTS = 3;

/** The image a task runs: its local ID and, when it came from (or went to) a registry, the manifest digest. */
interface ResolvedImage { id: string; digest?: string }

export function createDockerLauncher(opts: DockerLauncherOptions = {}): Launcher {
  const bin = resolveBinary(opts.docker ?? 'docker');
  const network = opts.network ?? 'none';
  if (network !== 'none' && network !== 'host') throw new Error(`docker launcher: network must be 'none' or 'host', got ${JSON.stringify(network)}`);
  if (opts.user !== undefined && !/^[\w.-]+(:[\w.-]+)?$/.test(opts.user)) throw new Error(`docker launcher: user must be 'uid[:gid]' or a name, got ${JSON.stringify(opts.user)}`);
  const pull = opts.pull ?? 'never';
  if (!PULL_POLICIES.includes(pull)) throw new Error(`docker launcher: pull must be one of ${PULL_POLICIES.join(', ')}, got ${JSON.stringify(pull)}`);
  const user = taskUser(opts.user);
  const standIns = new Map(Object.entries(opts.standIns ?? {}));
  const local = (image: string) => standIns.get(image) ?? image;
  const what = (image: string) => (local(image) === image ? `image ${image}` : `image ${local(image)} (stand-in for ${image})`);
  let daemon: Promise<DaemonStatus> | undefined;
  const status = () => (daemon ??= daemonStatus(bin));

  // Why an image cannot run here (undefined: it can), asked once per image.
  const availability = new Map<string, Promise<string | undefined>>();
  const unavailable = (image: string) => {
    let p = availability.get(image);
    if (!p) availability.set(image, (p = (async () => {
      const s = await status();
      if (!s.ok) return s.reason;
      const ref = local(image);
      if (pull !== 'always' && (await localImage(bin, ref))) return undefined;
      if (pull === 'never') return `${what(image)} is not in the local Docker image store and pulling is off (pull policy 'never'): build, load or import it first, or pull with policy 'missing'`;
      const inRegistry = await registryHas(bin, ref);
      return inRegistry.ok ? undefined : `${what(image)}: ${inRegistry.reason}`;
    })()));
    return p;
  };
  // The image each task of this launcher runs, pulled at most once.
  const resolved = new Map<string, Promise<ResolvedImage>>();
  const resolve = (image: string) => {
    let p = resolved.get(image);
    if (!p) resolved.set(image, (p = resolveImage(bin, local(image), pull, what(image))));
    return p;
  };
  return {
    name: 'docker',
    async canRun(image) {
      return (await unavailable(image)) === undefined;
    },
    whyNot: unavailable,
    async launch(spec, signal) {
      const s = await status();
      if (!s.ok) throw new Error(`task '${spec.taskId}': ${s.reason}`);
      let image: ResolvedImage;
      try {
        image = await resolve(spec.image);
      } catch (err) {
        throw new Error(`task '${spec.taskId}': ${(err as Error).message}`);
      }
      if (signal.aborted) return { exitCode: null, signal: 'SIGTERM' };
      if (user.handover) await handOver(spec, user.handover);
      try {
        const result = await runWithLog(bin, { ...spec, image: image.id }, { network, user: user.user }, signal);
        return { ...result, image };
      } finally {
        if (user.handover) await takeBack(spec, user.handover);
      }
    },
  };
}

/** Pulls `ref` as the policy says and names the local image a task will run. */
async function resolveImage(bin: string, ref: string, pull: PullPolicy, what: string): Promise<ResolvedImage> {
  let found = pull === 'always' ? undefined : await localImage(bin, ref);
  if (!found && pull === 'never') {
    throw new Error(`${what} is not in the local Docker image store and pulling is off (pull policy 'never'): build, load or import it first`);
  }
  if (!found) {
    const failed = await pullImage(bin, ref);
    if (failed) throw new Error(`${what}: ${failed}`);
    found = await localImage(bin, ref);
    if (!found) throw new Error(`${what}: pulled, but the daemon does not list it`);
  }
  const digest = registryDigest(ref, found);
  return { id: found.id, ...(digest && { digest }) };
}

/** `<repository>@sha256:...` of `ref`'s repository: the reference itself when it pins a digest. */
function registryDigest(ref: string, image: LocalImage): string | undefined {
  const pinned = /@(sha256:[0-9a-f]{64})$/.exec(ref);
  const repo = repositoryOf(ref);
  if (pinned) return `${repo}@${pinned[1]}`;
  return image.repoDigests.find((d) => d.startsWith(`${repo}@`));
}

/** `docker run` arguments for a task (everything but the env values). */
export function dockerRunArgs(spec: LaunchSpec, o: { name: string; network: DockerNetwork; user: string; envFile?: string }): string[] {
  const mounts = checkedMounts(spec.mounts);
  const args = [
    // The image is already resolved (pulled or local): `run` itself never pulls.
    'run', '--rm', '--init', '--pull', 'never', '--name', o.name, '--label', `${TASK_LABEL}=${spec.taskId}`,
    '--network', o.network, '--user', o.user, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    // Output is streamed from the attached CLI; the daemon need not keep a copy.
    '--log-driver', 'none',
  ];
  for (const m of mounts) args.push('--mount', ['type=bind', `source=${m}`, `target=${m}`].map(csvField).join(','));
  for (const name of Object.keys(spec.env)) {
    if (!/^[^=\0]+$/.test(name)) throw new Error(`task '${spec.taskId}': invalid environment variable name ${JSON.stringify(name)}`);
    if (!readByCli(name)) args.push('--env', name);
  }
  if (o.envFile) args.push('--env-file', o.envFile);
  args.push(spec.image, ...spec.argv);
  return args;
}

/** Variables the docker CLI itself reads (daemon address, config dir): they cannot ride in its environment. */
function readByCli(name: string): boolean {
  return name === 'HOME' || name.startsWith('DOCKER_');
}

function checkedMounts(mounts: readonly string[]): string[] {
  const unique = [...new Set(mounts)];
  for (const m of unique) {
    if (!isAbsolute(m) || m.includes('\n')) throw new Error(`mount ${JSON.stringify(m)} is not an absolute host path`);
    try {
      if (!statSync(m).isDirectory()) throw new Error(`mount ${m} is not a directory`);
    } catch (err) {
      throw new Error(`mount ${m} cannot be bound into a container: ${(err as Error).message}`);
    }
  }
  return unique;
}

/** One field of `--mount`, which docker parses as CSV. */
function csvField(f: string): string {
  return /[",]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f;
}

/** A container name derived from the task id, unique per launch: `formalize-<task>-<8 hex>`. */
function containerName(taskId: string): string {
  const slug = taskId.replace(/[^\w.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 48) || 'task';
  return `formalize-${slug}-${randomBytes(4).toString('hex')}`;
}

async function runWithLog(bin: string, spec: LaunchSpec, o: { network: DockerNetwork; user: string }, signal: AbortSignal): Promise<LaunchResult> {
  const cliEnv: NodeJS.ProcessEnv = { ...process.env };
  const fileEnv: string[] = [];
  for (const [name, value] of Object.entries(spec.env)) {
    if (!readByCli(name)) cliEnv[name] = value;
    else if (/[\n\0]/.test(value)) throw new Error(`task '${spec.taskId}': environment variable ${name} cannot hold a multi-line value in a container`);
    else fileEnv.push(`${name}=${value}`);
  }
  const log = createWriteStream(spec.logFile, { flags: 'a' });
  await new Promise<void>((resolve, reject) => log.once('open', () => resolve()).once('error', reject));
  let logError: Error | undefined;
  log.on('error', (err) => { logError ??= err; });
  const secretDir = fileEnv.length ? await mkdtemp(join(tmpdir(), 'formalize-docker-env-')) : undefined;
  let result: LaunchResult;
  try {
    let envFile: string | undefined;
    if (secretDir) {
      envFile = join(secretDir, 'env');
      await writeFile(envFile, `${fileEnv.join('\n')}\n`, { mode: 0o600 });
    }
    for (let attempt = 1; ; attempt++) {
      const name = containerName(spec.taskId);
      const args = dockerRunArgs(spec, { ...o, name, ...(envFile ? { envFile } : {}) });
      const r = await attach(bin, args, cliEnv, name, log, signal);
      result = r.result;
      if (!r.nameInUse || attempt === NAME_ATTEMPTS || signal.aborted) break;
      log.write(`[formalize] container name ${name} is already in use; retrying under another name\n`);
    }
  } finally {
    if (!log.destroyed) await new Promise<void>((resolve) => log.end(resolve));
    if (secretDir) await rm(secretDir, { recursive: true, force: true });
  }
  if (logError) throw new Error(`task '${spec.taskId}': cannot write its log ${spec.logFile}: ${logError.message}`);
  return result;
}

/** Runs the attached `docker run`, streaming its output to `log`; aborting stops the container. */
function attach(bin: string, args: string[], env: NodeJS.ProcessEnv, name: string, log: WriteStream, signal: AbortSignal): Promise<{ result: LaunchResult; nameInUse: boolean }> {
  return new Promise((resolve, reject) => {
    trackContainer(bin, name);
    // Own process group: a terminal's Ctrl-C reaches the runner, which aborts through `signal`.
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let exited = false;
    let aborted = false;
    let stderrTail = '';
    const closed = new Promise<void>((done) => child.once('close', () => done()));
    const resume = () => { child.stdout.resume(); child.stderr.resume(); };
    // A log that failed (disk full) drops output rather than leave the container blocked on a full pipe.
    const forward = (chunk: Buffer) => {
      if (log.destroyed || log.write(chunk)) return;
      child.stdout.pause();
      child.stderr.pause();
      log.once('drain', resume);
    };
    log.once('close', resume);
    child.stdout.on('data', forward);
    child.stderr.on('data', (chunk: Buffer) => {
      forward(chunk);
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    const onAbort = () => {
      aborted = true;
      void stopContainer(bin, name, child, () => exited, closed);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      exited = true;
      signal.removeEventListener('abort', onAbort);
      log.off('close', resume);
      untrackContainer(bin, name);
      reject(new Error(`cannot start '${bin}': ${err.message}`));
    });
    child.once('close', (code, sig) => {
      if (exited) return; // 'error' already settled
      exited = true;
      signal.removeEventListener('abort', onAbort);
      log.off('close', resume);
      const finish = () => {
        untrackContainer(bin, name);
        // 125: docker could not create the container; a name clash is worth another name.
        resolve({ result: { exitCode: code, signal: aborted ? 'SIGTERM' : sig }, nameInUse: code === 125 && /is already in use/.test(stderrTail) });
      };
      // After an abort, a container the daemon created too late for `docker stop` must not linger.
      if (aborted) void dockerCommand(bin, ['rm', '--force', name], { timeoutMs: 20_000 }).then(finish);
      else finish();
    });
  });
}

/** `docker stop` (SIGTERM, SIGKILL after STOP_TIMEOUT_S), then `docker kill`, then the CLI itself. */
async function stopContainer(bin: string, name: string, child: ChildProcess, exited: () => boolean, closed: Promise<void>): Promise<void> {
  const createDeadline = Date.now() + STOP_TIMEOUT_S * 1000;
  while (!exited()) {
    const r = await dockerCommand(bin, ['stop', '--time', String(STOP_TIMEOUT_S), name], { timeoutMs: (STOP_TIMEOUT_S + 20) * 1000 });
    if (r.code === 0) break;
    // Not created yet (or already removed while the CLI exits): look again shortly.
    if (!/no such container/i.test(r.stderr) || Date.now() > createDeadline) break;
    await delay(200);
  }
  const settled = (ms: number) => Promise.race([closed, delay(ms)]);
  await settled(3000);
  if (exited()) return;
  await dockerCommand(bin, ['kill', name], { timeoutMs: 20_000 });
  await settled(3000);
  if (exited() || child.pid === undefined) return;
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
}
