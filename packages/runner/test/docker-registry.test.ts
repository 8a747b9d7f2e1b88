// The docker launcher with the local registry (docker/registry.sh: 127.0.0.1:5000, htpasswd, the docker CLI
// logged in) and a root runner's task user. scripts/ci-services.sh starts both; without them these tests fail.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { containerComponent, pipeline } from '@formalize/dsl';
import { registryHas, resolveBinary } from '../src/launchers/docker-daemon.ts';
import { createDockerLauncher } from '../src/launchers/docker.ts';
import { TASK_UID } from '../src/launchers/docker-user.ts';
import { PreflightError, runPipeline } from '../src/run.ts';
import type { LaunchSpec } from '../src/types.ts';

const DOCKER = resolveBinary('docker');
const BUSYBOX = 'formalize/busybox:local';
const REGISTRY = 'localhost:5000';
const docker = (...args: string[]) => execFileSync(DOCKER, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const never = new AbortController().signal;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'formalize-registry-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('docker launcher with a registry', () => {
  // A throwaway repository per test run: busybox pushed under a fresh tag, then dropped from the local store.
  const repo = `${REGISTRY}/formalize-test/busybox`;
  const tag = `${repo}:${randomBytes(4).toString('hex')}`;
  let digest = '';
  beforeAll(async () => {
    const probe = await registryHas(DOCKER, `${REGISTRY}/formalize-test/none:0`);
    if (!probe.ok && !/not in registry/.test(probe.reason)) {
      throw new Error(`${probe.reason}\n-> run scripts/ci-services.sh as root (CI runs it): it starts the registry (docker/registry.sh) and logs docker in`);
    }
    docker('tag', BUSYBOX, tag);
    docker('push', tag);
    digest = JSON.parse(docker('image', 'inspect', '--format', '{{json .RepoDigests}}', tag) || '[]').find((d: string) => d.startsWith(`${repo}@`));
    docker('image', 'rm', tag);
    // Pulling re-creates the repository's digest entry; without the tag the local store has none.
    for (const d of JSON.parse(docker('image', 'inspect', '--format', '{{json .RepoDigests}}', BUSYBOX) || '[]') as string[]) {
      if (d.startsWith(`${repo}@`)) docker('image', 'rm', d);
    }
  });

  const spec = (image: string, argv: string[]): LaunchSpec => {
    const dir = tempDir();
    return { taskId: `registry-test-${randomBytes(3).toString('hex')}`, image, argv, env: {}, mounts: [dir], logFile: join(dir, 'task.log'), cwd: dir };
  };

  it("pull 'missing' pulls an image the local store lacks, with the CLI's login, and reports its registry digest", async () => {
    const launcher = createDockerLauncher({ pull: 'missing' });
    expect(await launcher.canRun(tag)).toBe(true);
    const s = spec(tag, ['echo', 'pulled']);
    const result = await launcher.launch(s, never);
    expect(result).toMatchObject({ exitCode: 0, signal: null });
    expect(result.image!.digest).toBe(digest);
    expect(result.image!.id).toBe(docker('image', 'inspect', '--format', '{{.Id}}', BUSYBOX));
    expect(readFileSync(s.logFile, 'utf8')).toBe('pulled\n');
  });

  it('an image missing from the registry cannot run, and the reason names the image and the registry', async () => {
    const missing = `${repo}:not-pushed`;
    for (const pull of ['missing', 'always'] as const) {
      const launcher = createDockerLauncher({ pull });
      expect(await launcher.canRun(missing)).toBe(false);
      expect(await launcher.whyNot!(missing)).toMatch(new RegExp(`^image ${missing}: not in registry ${REGISTRY}: .*\\(docker manifest inspect ${missing}\\)$`));
    }
  });

  it('a pipeline naming an image missing from the registry fails before any task starts, naming the image', async () => {
    const missing = `${repo}:not-pushed`;
    const comp = (name: string, image: string) => containerComponent({ name, image, inputs: {}, outputs: { Output: z.string() }, command: ['sh', '-c', 'echo ran'] });
    const first = comp('first', tag);
    const second = comp('second', missing);
    const p = pipeline({ name: 'registry-preflight', inputs: {} }, () => {
      const a = first({});
      second({}).after(a);
    });
    const root = tempDir();
    const run = runPipeline(p.compile(), { pipelineRoot: root, launchers: [createDockerLauncher({ pull: 'always' })] });
    await expect(run).rejects.toThrow(PreflightError);
    await expect(run).rejects.toThrow(new RegExp(`task 'second': no launcher can run image ${missing.replace(/[.]/g, '\\.')} [^\\n]*\\n  docker: image ${missing.replace(/[.]/g, '\\.')}: not in registry ${REGISTRY}`));
    // Nothing started: no run folder, no metadata store.
    expect(existsSync(join(root, 'metadata.sqlite'))).toBe(false);
    expect(docker('ps', '--all', '--quiet', '--filter', 'label=io.formalize.task=first')).toBe('');
  });

  it('run.json records the image ID and registry digest of every container task', async () => {
    const comp = containerComponent({ name: 'echo', image: tag, inputs: { text: z.string() }, outputs: { Output: z.string() }, command: ['sh', '-c', 'printf %s "$0" > "$1"'], args: ({ inputs, outputs }) => [inputs.text, outputs.Output].map(String) });
    const p = pipeline({ name: 'registry-digest', inputs: {} }, () => ({ out: comp({ text: 'from the registry' }).output }));
    const r = await runPipeline(p.compile(), { pipelineRoot: tempDir(), launchers: [createDockerLauncher({ pull: 'always' })] });
    expect(r.error).toBeUndefined();
    expect(r.outputs.parameters).toEqual({ out: 'from the registry' });
    const recorded = JSON.parse(readFileSync(join(r.runDir, 'run.json'), 'utf8')) as { tasks: { image: string; imageId: string; imageDigest: string }[] };
    expect(recorded.tasks).toHaveLength(1);
    expect(recorded.tasks[0]).toMatchObject({ image: tag, imageDigest: digest, imageId: docker('image', 'inspect', '--format', '{{.Id}}', BUSYBOX) });
  });
});

describe('docker launcher under a root runner', () => {
  it('runs the task as the unprivileged task user, which can write its folder, the warehouse and the metadata store, and nothing else of the pipeline root', async () => {
    expect(process.getuid!(), 'CI runs the tests as root; this test checks what a root runner does').toBe(0);
    const root = tempDir();
    const runDir = join(root, 'p-run');
    const taskDir = join(runDir, 'task');
    const otherTask = join(runDir, 'other');
    for (const d of [taskDir, otherTask]) mkdirSync(d, { recursive: true });
    const store = join(root, 'metadata.sqlite');
    for (const f of [store, `${store}-wal`, `${store}-shm`, join(otherTask, 'output'), join(runDir, 'run.json')]) writeFileSync(f, 'root\n');
    const warehouse = join(root, 'warehouse');
    const script = [
      'id -u',
      `echo task > ${taskDir}/out && echo wrote-task`,
      `mkdir -p ${warehouse}/p && echo table > ${warehouse}/p/t && echo wrote-warehouse`,
      `echo store >> ${store} && echo wrote-store`,
      `{ echo x >> ${runDir}/run.json; } 2>/dev/null || echo run.json-refused`,
      `{ echo x > ${otherTask}/output; } 2>/dev/null || echo other-task-refused`,
      `{ echo x > ${root}/new; } 2>/dev/null || echo root-refused`,
    ].join('; ');
    const spec: LaunchSpec = {
      taskId: 'root-runner-test', image: BUSYBOX, argv: ['sh', '-c', script], mounts: [root], logFile: join(taskDir, 'task.log'), cwd: taskDir,
      env: { FORMALIZE_WAREHOUSE: warehouse, FORMALIZE_METADATA_STORE: store },
    };
    expect(await createDockerLauncher().launch(spec, never)).toMatchObject({ exitCode: 0, signal: null });
    expect(readFileSync(spec.logFile, 'utf8').trim().split('\n')).toEqual([
      String(TASK_UID), 'wrote-task', 'wrote-warehouse', 'wrote-store', 'run.json-refused', 'other-task-refused', 'root-refused',
    ]);
    // The task folder is the runner's again once the task ended; the shared stores stay the task user's.
    expect(statSync(join(taskDir, 'out')).uid).toBe(0);
    expect(statSync(taskDir).uid).toBe(0);
    expect(statSync(join(warehouse, 'p', 't')).uid).toBe(TASK_UID);
    expect(readFileSync(join(otherTask, 'output'), 'utf8')).toBe('root\n');
  });
});
