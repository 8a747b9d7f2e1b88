// SIGTERM reaches the executor in a real component image, whichever process is PID 1: tini (the image's
// ENTRYPOINT, as `docker run` and the docker launcher start it) or node itself (KFP and Vertex replace the
// ENTRYPOINT with the component's command). `docker stop` sends SIGTERM; the task logs its cancellation and
// exits 1 through the executor well before docker's SIGKILL (which would be 137).
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDockerLauncher } from '@formalize/runner';
import { readFileSync, writeFileSync } from 'node:fs';
import { docker, dockerStatus, pushedImage, tempDir } from './harness.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures/wait-main.js');
// Next to the image's own entrypoint, so its bare imports resolve from /app/node_modules.
const IN_IMAGE = '/app/packages/hello/dist/wait-main.js';
const executorInput = JSON.stringify({
  inputs: { parameterValues: {} },
  outputs: { parameters: { Output: { outputFile: '/tmp/Output' } }, outputFile: '/tmp/executor_output.json' },
});
const command = ['node', '--conditions=formalize-dist', IN_IMAGE, '--component', 'wait', '--executor_input', executorInput];

async function logsContain(name: string, text: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (dockerStatus(['logs', name]).stderr.includes(text)) return;
    await delay(100);
  }
  throw new Error(`container ${name} never logged ${JSON.stringify(text)}; logs:\n${dockerStatus(['logs', name]).stderr}`);
}

const started: string[] = [];
afterEach(() => { for (const n of started.splice(0)) dockerStatus(['rm', '--force', n]); });

describe('SIGTERM in a component image', () => {
  const image = pushedImage('hello').image;

  it.each([
    ['tini (the image ENTRYPOINT)', [] as string[], command],
    ['node (the KFP command replaces the ENTRYPOINT)', ['--entrypoint', 'node'], command.slice(1)],
  ])('PID 1 is %s: docker stop cancels the run, which logs it and exits 1', async (_what, entrypoint, argv) => {
    const name = `formalize-sigterm-${randomBytes(4).toString('hex')}`;
    started.push(name);
    docker('run', '--detach', '--name', name, '--network', 'none', '--mount', `type=bind,source=${FIXTURE},target=${IN_IMAGE},readonly`, ...entrypoint, image, ...argv);
    await logsContain(name, 'waiting for cancellation');
    const pid1 = docker('exec', name, 'cat', '/proc/1/cmdline').split('\0')[0];
    expect(pid1).toBe(entrypoint.length ? 'node' : '/usr/bin/tini');
    docker('stop', '--time', '30', name);
    expect(docker('wait', name)).toBe('1');
    // Without the error's stack frames.
    const logs = dockerStatus(['logs', name]).stderr.trim().split('\n').filter((l) => !/^\s+at /.test(l));
    expect(logs.map((l) => (l.startsWith('{') ? (JSON.parse(l) as { message: string }).message : l))).toEqual([
      'started', 'waiting for cancellation', 'cancelled', 'error: received SIGTERM',
    ]);
  });

  it('the docker launcher cancels a task (abort -> docker stop): the task logs its cancellation', async () => {
    const dir = tempDir();
    const logFile = join(dir, 'task.log');
    const fixture = join(dir, 'wait-main.js');
    writeFileSync(fixture, readFileSync(FIXTURE));
    // The launcher mounts only the pipeline root; a stand-in image with the fixture inside plays the task.
    const standIn = `formalize-test/wait:${randomBytes(4).toString('hex')}`;
    const build = tempDir();
    writeFileSync(join(build, 'Dockerfile'), `FROM ${image}\nCOPY wait-main.js ${IN_IMAGE}\n`);
    writeFileSync(join(build, 'wait-main.js'), readFileSync(FIXTURE));
    docker('build', '--quiet', '--network', 'none', '--tag', standIn, build);
    try {
      const ac = new AbortController();
      const running = createDockerLauncher().launch({ taskId: 'sigterm-test', image: standIn, argv: command, env: {}, mounts: [dir], logFile, cwd: dir }, ac.signal);
      for (let i = 0; i < 300 && !readFileSync(logFile, { encoding: 'utf8', flag: 'a+' }).includes('waiting for cancellation'); i++) await delay(100);
      ac.abort();
      expect(await running).toMatchObject({ exitCode: 1, signal: 'SIGTERM' });
      const log = readFileSync(logFile, 'utf8');
      expect(log).toContain('"message":"cancelled"');
      expect(log).toContain('error: received SIGTERM');
    } finally {
      dockerStatus(['image', 'rm', standIn]);
    }
  });
});
