// A pipeline run end to end in containers: the docker launcher with the real runner, daemon and
// formalize/busybox:local (scripts/ci-services.sh sets them up; without them this test fails).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { artifact } from '@formalize/common';
import { containerComponent, pipeline } from '@formalize/dsl';
import { createDockerLauncher } from '../src/launchers/docker.ts';
import { runPipeline } from '../src/run.ts';

const BUSYBOX = 'formalize/busybox:local';

describe('runner with the docker launcher', () => {
  beforeEach(async () => {
    if (!(await createDockerLauncher().canRun(BUSYBOX))) {
      throw new Error(`no Docker daemon with ${BUSYBOX} here: run scripts/ci-services.sh as root (CI runs it before the tests)`);
    }
  });

  it('runs a pipeline in containers through the executor protocol: parameters and artifacts flow between tasks', async () => {
    const write = containerComponent({
      name: 'write', image: BUSYBOX, inputs: { text: z.string() }, outputs: { data: artifact('system.Dataset'), size: z.int() },
      command: ['sh', '-c', 'mkdir -p "$(dirname "$1")"; printf %s "$0" > "$1"; printf %s "$0" | wc -c > "$2"'],
      args: ({ inputs, outputs }) => [inputs.text, (outputs.data as { path: string }).path, outputs.size].map(String),
    });
    const read = containerComponent({
      name: 'read', image: BUSYBOX, inputs: { data: artifact('system.Dataset') }, outputs: { Output: z.string() },
      command: ['sh', '-c', 'cat "$0" > "$1"'],
      args: ({ inputs, outputs }) => [(inputs.data as { path: string }).path, outputs.Output].map(String),
    });
    const p = pipeline({ name: 'docker-seq', inputs: { text: z.string() } }, ({ text }) => {
      const w = write({ text });
      return { echoed: read({ data: w.outputs.data }).output, size: w.outputs.size, data: w.outputs.data };
    });
    const root = mkdtempSync(join(tmpdir(), 'formalize-docker-test-run-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const r = await runPipeline(p.compile(), { pipelineRoot: root, launchers: [createDockerLauncher()], parameters: { text: 'in a container' } });
    expect(r.error).toBeUndefined();
    expect(r.state).toBe('SUCCEEDED');
    expect(r.outputs.parameters).toEqual({ echoed: 'in a container', size: 14 });
    const data = r.outputs.artifacts['data']![0]!;
    expect(readFileSync(data.uri, 'utf8')).toBe('in a container');
    expect(statSync(data.uri).uid).toBe(process.getuid!());
  });
});
