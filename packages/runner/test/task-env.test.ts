// Every task, whatever its launcher, is told where the pipeline root's embedded stores are:
// FORMALIZE_WAREHOUSE and FORMALIZE_METADATA_STORE, unless the caller's environment already says.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { containerComponent, pipeline } from '@formalize/dsl';
import { createDockerLauncher } from '../src/launchers/docker.ts';
import { createHostLauncher } from '../src/launchers/host.ts';
import { createProcessLauncher } from '../src/launchers/process.ts';
import { runPipeline } from '../src/run.ts';
import { METADATA_STORE_ENV, WAREHOUSE_ENV } from '../src/task-env.ts';
import type { Launcher } from '../src/types.ts';
import { tempRoot } from './harness.ts';

const WORKSPACE = resolve(import.meta.dirname, '../../..');

/** A task that reports both variables and leaves a file in the warehouse folder (which must be reachable). */
function envPipeline(image: string) {
  const report = containerComponent({
    name: 'report-env', image, outputs: { Output: z.string() },
    command: ['sh', '-c', `mkdir -p "$${WAREHOUSE_ENV}" && echo seen > "$${WAREHOUSE_ENV}/from-task"; printf '%s\\n%s' "$${WAREHOUSE_ENV}" "$${METADATA_STORE_ENV}" > "$0"`],
    args: ({ outputs }) => [String(outputs.Output)],
  });
  return pipeline({ name: 'task-env' }, () => ({ seen: report({}).output })).compile();
}

async function seen(image: string, launcher: Launcher, opts: { pipelineRoot: string; env?: Record<string, string> }): Promise<string[]> {
  const r = await runPipeline(envPipeline(image), { ...opts, launchers: [launcher], cache: false });
  expect(r.error).toBeUndefined();
  expect(r.state).toBe('SUCCEEDED');
  return String(r.outputs.parameters['seen']).split('\n');
}

const saved = { [WAREHOUSE_ENV]: process.env[WAREHOUSE_ENV], [METADATA_STORE_ENV]: process.env[METADATA_STORE_ENV] };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('store locations in every task environment', () => {
  it('host launcher: <pipeline root>/warehouse and <pipeline root>/metadata.sqlite', async () => {
    const root = tempRoot();
    expect(await seen('formalize-test/sh:1', createHostLauncher({ images: ['formalize-test/sh:1'] }), { pipelineRoot: root }))
      .toEqual([join(root, 'warehouse'), join(root, 'metadata.sqlite')]);
    expect(readFileSync(join(root, 'warehouse', 'from-task'), 'utf8')).toBe('seen\n');
  });

  it('process launcher (a workspace component image)', async () => {
    // A checkout with one component, envprobe: the process launcher runs its image's command here.
    const workspace = tempRoot();
    mkdirSync(join(workspace, 'packages', 'envprobe'), { recursive: true });
    symlinkSync(join(WORKSPACE, 'node_modules'), join(workspace, 'node_modules'), 'dir');
    const image = 'localhost:5000/formalize/envprobe:1.0.0';
    writeFileSync(join(workspace, 'packages', 'envprobe', 'component.yaml'),
      `pipelineInfo:\n  name: envprobe\ndeploymentSpec:\n  executors:\n    exec-envprobe:\n      container:\n        image: ${image}\nroot: {}\nschemaVersion: 2.1.0\n`);
    const root = tempRoot();
    expect(await seen(image, createProcessLauncher({ workspaceRoot: workspace }), { pipelineRoot: root }))
      .toEqual([join(root, 'warehouse'), join(root, 'metadata.sqlite')]);
  });

  it('docker launcher: the paths lie inside the mounted pipeline root', async () => {
    const docker = createDockerLauncher();
    if (!(await docker.canRun('formalize/busybox:local'))) throw new Error('no Docker daemon with formalize/busybox:local: run scripts/ci-services.sh as root');
    const root = tempRoot();
    expect(await seen('formalize/busybox:local', docker, { pipelineRoot: root })).toEqual([join(root, 'warehouse'), join(root, 'metadata.sqlite')]);
    // Written inside the container, visible on the host: the warehouse path is inside the mount.
    expect(readFileSync(join(root, 'warehouse', 'from-task'), 'utf8')).toBe('seen\n');
  });

  it('a gs:// pipeline root: the local folder of the root under FORMALIZE_GCS_MOUNT', async () => {
    const mount = tempRoot();
    const values = await seen('formalize-test/sh:1', createHostLauncher({ images: ['formalize-test/sh:1'] }), { pipelineRoot: 'gs://bucket/runs', env: { FORMALIZE_GCS_MOUNT: mount } });
    expect(values).toEqual([join(mount, 'bucket', 'runs', 'warehouse'), join(mount, 'bucket', 'runs', 'metadata.sqlite')]);
  });

  it("the caller's settings pass through: run options first, then the runner's own environment", async () => {
    const elsewhere = tempRoot();
    process.env[METADATA_STORE_ENV] = join(elsewhere, 'shared.sqlite');
    process.env[WAREHOUSE_ENV] = join(elsewhere, 'ignored');
    const values = await seen('formalize-test/sh:1', createHostLauncher({ images: ['formalize-test/sh:1'] }), { pipelineRoot: tempRoot(), env: { [WAREHOUSE_ENV]: join(elsewhere, 'wh') } });
    expect(values).toEqual([join(elsewhere, 'wh'), join(elsewhere, 'shared.sqlite')]);
  });
});
