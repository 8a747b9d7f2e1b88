// The docker launcher against the real local daemon and formalize/busybox:local, both set up by
// scripts/ci-services.sh. Without them these tests fail (never skip): CI runs that script first.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { daemonStatus, imagePresent, resolveBinary } from '../src/launchers/docker-daemon.ts';
import { createDockerLauncher, dockerRunArgs, TASK_LABEL } from '../src/launchers/docker.ts';
import { TASK_GID, TASK_UID } from '../src/launchers/docker-user.ts';
import type { LaunchSpec } from '../src/types.ts';

// Lets a test choose the next container name suffix (randomBytes is the suffix's only source).
const forcedSuffixes = vi.hoisted(() => [] as string[]);
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  const randomBytes = (n: number) => (forcedSuffixes.length ? Buffer.from(forcedSuffixes.shift()!, 'hex') : actual.randomBytes(n));
  return { ...actual, default: { ...actual, randomBytes }, randomBytes };
});

const BUSYBOX = 'formalize/busybox:local';
const DOCKER = resolveBinary('docker');
const SETUP_HINT = 'run scripts/ci-services.sh as root (CI runs it before the tests): it installs docker.io, starts dockerd and builds formalize/busybox:local';

/** Fails every test (rather than skipping it), with the way out, when the daemon or the test image is missing. */
let dockerChecked: Promise<void> | undefined;
const requireDocker = () => (dockerChecked ??= checkDocker());
async function checkDocker(): Promise<void> {
  const status = await daemonStatus(DOCKER);
  if (!status.ok) throw new Error(`${status.reason}\n-> ${SETUP_HINT}`);
  if (!(await imagePresent(DOCKER, BUSYBOX))) throw new Error(`image ${BUSYBOX} is missing from the Docker daemon\n-> ${SETUP_HINT}`);
}

const docker = (...args: string[]) => execFileSync(DOCKER, args, { encoding: 'utf8' }).trim();
const containersOf = (taskId: string) => docker('ps', '--all', '--quiet', '--filter', `label=${TASK_LABEL}=${taskId}`);
let seq = 0;
const tempDirs: string[] = [];
const tempDir = (prefix = 'formalize-docker-test-') => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });

function spec(argv: string[], extra: Partial<LaunchSpec> = {}): LaunchSpec {
  const dir = tempDir();
  return { taskId: `docker-test-${process.pid}-${++seq}`, image: BUSYBOX, argv, env: {}, mounts: [dir], logFile: join(dir, 'task.log'), cwd: dir, ...extra };
}
const never = new AbortController().signal;

describe('docker launcher', () => {
  beforeEach(requireDocker);
  const launcher = createDockerLauncher();

  it("runs in the image (in its working directory) with the pipeline root mounted at the same path, files owned by the invoking user", async () => {
    const s = spec(['sh', '-c', 'echo hi > "$0"; pwd; id -u; id -g']);
    const out = join(s.cwd, 'out.txt');
    s.argv.push(out);
    expect(await launcher.canRun(BUSYBOX)).toBe(true);
    const result = await launcher.launch(s, never);
    expect(result).toMatchObject({ exitCode: 0, signal: null });
    // The image that ran, by ID; a local image has no registry digest.
    expect(result.image).toEqual({ id: docker('image', 'inspect', '--format', '{{.Id}}', BUSYBOX) });
    expect(readFileSync(out, 'utf8')).toBe('hi\n');
    const st = statSync(out);
    expect([st.uid, st.gid]).toEqual([process.getuid!(), process.getgid!()]);
    // formalize/busybox:local sets no WORKDIR: the container starts in /, not in the task folder. Under a root
    // runner the task runs as the unprivileged task user, and its folder is handed back afterwards.
    const [uid, gid] = process.getuid!() === 0 ? [TASK_UID, TASK_GID] : [process.getuid!(), process.getgid!()];
    expect(readFileSync(s.logFile, 'utf8')).toBe(`/\n${uid}\n${gid}\n`);
    expect(containersOf(s.taskId)).toBe('');
  });

  it('passes environment variables without putting their values on the command line', async () => {
    const env = { GREETING: 'hello, world', MULTI: 'a\nb', HOME: '/tmp/home', DOCKER_TOKEN: 's3cret' };
    const s = spec(['sh', '-c', 'printf "%s|%s|%s|%s" "$GREETING" "$MULTI" "$HOME" "$DOCKER_TOKEN"'], { env });
    expect(await launcher.launch(s, never)).toMatchObject({ exitCode: 0, signal: null });
    expect(readFileSync(s.logFile, 'utf8')).toBe('hello, world|a\nb|/tmp/home|s3cret');
    const argv = dockerRunArgs(s, { name: 'n', network: 'none', user: '0:0', envFile: '/x/env' }).join(' ');
    for (const value of Object.values(env)) expect(argv).not.toContain(value);
    expect(argv).toContain('--env GREETING --env MULTI --env-file /x/env');
  });

  it('propagates a non-zero exit code and appends stdout and stderr to the log', async () => {
    const s = spec(['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 7']);
    writeFileSync(s.logFile, 'earlier attempt\n');
    expect(await launcher.launch(s, never)).toMatchObject({ exitCode: 7, signal: null });
    const log = readFileSync(s.logFile, 'utf8');
    expect(log.startsWith('earlier attempt\n')).toBe(true);
    expect(log).toContain('to-stdout\n');
    expect(log).toContain('to-stderr\n');
  });

  it('reports a log it cannot write instead of hanging the container on a full pipe', async () => {
    const s = spec(['sh', '-c', 'head -c 2000000 /dev/zero; echo done > "$0"'], { logFile: '/dev/full' });
    s.argv.push(join(s.cwd, 'done.txt'));
    await expect(launcher.launch(s, never)).rejects.toThrow(/cannot write its log \/dev\/full: .*ENOSPC/);
    expect(readFileSync(join(s.cwd, 'done.txt'), 'utf8')).toBe('done\n');
  });

  it('stops a running container on abort and removes it', async () => {
    const s = spec(['sh', '-c', 'echo started; sleep 60; echo finished']);
    const ac = new AbortController();
    const running = launcher.launch(s, ac.signal);
    await waitFor(() => existsSync(s.logFile) && readFileSync(s.logFile, 'utf8').includes('started'), 20_000);
    expect(containersOf(s.taskId)).not.toBe('');
    ac.abort();
    const result = await running;
    expect(result.signal).toBe('SIGTERM');
    // Stopped, not waited for: the command never got past its sleep.
    expect(readFileSync(s.logFile, 'utf8')).not.toContain('finished');
    expect(containersOf(s.taskId)).toBe('');
  });

  it('aborting while the container is still being created leaves no container behind', async () => {
    const s = spec(['sleep', '60']);
    const ac = new AbortController();
    const running = launcher.launch(s, ac.signal);
    setTimeout(() => ac.abort(), 150);
    expect((await running).signal).toBe('SIGTERM');
    expect(containersOf(s.taskId)).toBe('');
  });

  it('removes its still-running containers when the process exits', () => {
    const s = spec(['sleep', '60']);
    const launcherUrl = pathToFileURL(join(import.meta.dirname, '../src/launchers/docker.ts')).href;
    const child = `
      import { execFileSync } from 'node:child_process';
      import { createDockerLauncher } from ${JSON.stringify(launcherUrl)};
      const spec = JSON.parse(process.env.SPEC);
      void createDockerLauncher().launch(spec, new AbortController().signal);
      const timer = setInterval(() => {
        const ps = execFileSync(${JSON.stringify(DOCKER)}, ['ps', '--quiet', '--filter', 'label=${TASK_LABEL}=' + spec.taskId], { encoding: 'utf8' });
        if (ps.trim()) { clearInterval(timer); console.log('running'); process.exit(0); }
      }, 100);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8', env: { ...process.env, SPEC: JSON.stringify(s) }, timeout: 30_000 });
    expect(out).toBe('running\n');
    expect(containersOf(s.taskId)).toBe('');
  });

  describe('network', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer((c) => { c.on('error', () => {}); c.end('pong\n', () => c.destroy()); });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const probe = () => spec(['sh', '-c', `ip -o link | cut -d: -f2; echo | nc -w 3 127.0.0.1 ${port} || echo unreachable`]);

    it("'none' (default) has only loopback and cannot reach the host's 127.0.0.1", async () => {
      const s = probe();
      expect(await launcher.launch(s, never)).toMatchObject({ exitCode: 0, signal: null });
      const log = readFileSync(s.logFile, 'utf8');
      expect(log.split('\n').filter((l) => l.trim() && !l.includes('unreachable') && !l.includes('nc:')).map((l) => l.trim())).toEqual(['lo']);
      expect(log).toContain('unreachable');
      expect(log).not.toContain('pong');
    });

    it("'host' reaches a server on the host's 127.0.0.1", async () => {
      const s = probe();
      expect(await createDockerLauncher({ network: 'host' }).launch(s, never)).toMatchObject({ exitCode: 0, signal: null });
      expect(readFileSync(s.logFile, 'utf8')).toContain('pong');
    });
  });

  it('runs as the configured user', async () => {
    const s = spec(['sh', '-c', 'id -u > "$0"']);
    chmodSync(s.cwd, 0o777);
    const out = join(s.cwd, 'uid.txt');
    s.argv.push(out);
    expect(await createDockerLauncher({ user: '65534:65534' }).launch(s, never)).toMatchObject({ exitCode: 0, signal: null });
    expect(readFileSync(out, 'utf8')).toBe('65534\n');
    // A root runner hands the task folder back once the task ended; otherwise the file stays the task user's.
    expect(statSync(out).uid).toBe(process.getuid!() === 0 ? 0 : 65534);
  });

  it('retries under another name when the container name is taken', async () => {
    const s = spec(['echo', 'ran']);
    const taken = `formalize-${s.taskId}-0badcafe`;
    docker('create', '--name', taken, BUSYBOX, 'true');
    try {
      forcedSuffixes.push('0badcafe');
      expect(await launcher.launch(s, never)).toMatchObject({ exitCode: 0, signal: null });
      const log = readFileSync(s.logFile, 'utf8');
      expect(log).toContain(`container name ${taken} is already in use; retrying under another name`);
      expect(log.endsWith('ran\n')).toBe(true);
    } finally {
      docker('rm', '--force', taken);
    }
  });

  it('runs a stand-in image in place of an image of the IR', async () => {
    const foreign = 'gcr.io/example/trainer:1';
    expect(await launcher.canRun(foreign)).toBe(false);
    const standIn = createDockerLauncher({ standIns: { [foreign]: BUSYBOX } });
    expect(await standIn.canRun(foreign)).toBe(true);
    const s = spec(['sh', '-c', 'echo stood in'], { image: foreign });
    expect(await standIn.launch(s, never)).toMatchObject({ exitCode: 0, signal: null });
    expect(readFileSync(s.logFile, 'utf8')).toBe('stood in\n');
    const missing = createDockerLauncher({ standIns: { [foreign]: 'formalize/not-built-here:0.0.0' } });
    expect(await missing.canRun(foreign)).toBe(false);
    await expect(missing.launch(spec(['true'], { image: foreign }), never))
      .rejects.toThrow(`image formalize/not-built-here:0.0.0 (stand-in for ${foreign}) is not in the local Docker image store`);
  });

  it("never pulls by default: a missing image cannot run, and the reason and the launch error name the image", async () => {
    const missing = 'formalize/not-built-here:0.0.0';
    expect(await launcher.canRun(missing)).toBe(false);
    expect(await launcher.whyNot!(missing)).toBe(`image ${missing} is not in the local Docker image store and pulling is off (pull policy 'never'): build, load or import it first, or pull with policy 'missing'`);
    await expect(launcher.launch(spec(['true'], { image: missing }), never))
      .rejects.toThrow(`image ${missing} is not in the local Docker image store and pulling is off (pull policy 'never')`);
  });

  it('cannot run anything without a reachable daemon, and says why', async () => {
    const broken = createDockerLauncher({ docker: '/nonexistent/docker' });
    expect(await broken.canRun(BUSYBOX)).toBe(false);
    await expect(broken.launch(spec(['true']), never)).rejects.toThrow(/docker daemon not reachable via '\/nonexistent\/docker'/);
  });

  it("binds mounts as CSV fields and leaves the working directory to the image", () => {
    const s = spec(['true']);
    const odd = tempDir('formalize-docker-test-a,b"c-');
    const args = dockerRunArgs({ ...s, mounts: [odd, odd], cwd: odd }, { name: 'n', network: 'none', user: '1:1' });
    expect(args.filter((a) => a === '--mount')).toHaveLength(1);
    expect(args).toContain(`type=bind,"source=${odd.replace('"', '""')}","target=${odd.replace('"', '""')}"`);
    expect(args).not.toContain('--workdir');
    expect(() => dockerRunArgs({ ...s, mounts: ['gs://bucket/root'] }, { name: 'n', network: 'none', user: '1:1' })).toThrow(/not an absolute host path/);
  });
});

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
