// Compiled KFP goldens run as they are (the IR the KFP SDK wrote), images mapped to this machine.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIrYaml } from '@formalize/common';
import { createHostLauncher } from '../src/launchers/host.ts';
import { runPipeline } from '../src/run.ts';
import { tempRoot } from './harness.ts';

const GOLDENS = resolve(import.meta.dirname, '../../../../shared/conformance/kfp-ir');
const load = (f: string) => parseIrYaml(readFileSync(join(GOLDENS, f), 'utf8')).documents[0];

describe('KFP goldens run by the local runner', () => {
  it('hello_world.yaml (container component, image mapped to the host)', async () => {
    const r = await runPipeline(load('hello_world.yaml'), { pipelineRoot: tempRoot(), launchers: [createHostLauncher({ images: ['registry.access.redhat.com/ubi9/python-311:latest'] })] });
    expect(r.state).toBe('SUCCEEDED');
    expect(readFileSync(join(r.runDir, r.tasks[0]!.log!), 'utf8').trim()).toBe('hello world');
  });

  it('container_with_concat_placeholder.yaml resolves its Concat placeholder into one argument', async () => {
    const spec = load('container_with_concat_placeholder.yaml') as { deploymentSpec: { executors: Record<string, { container: { command: string[] } }> } };
    // Stand-in for `my_program`: print the argument it receives and write the output parameter.
    spec.deploymentSpec.executors['exec-container-with-concat-placeholder']!.container.command[0] = 'sh';
    spec.deploymentSpec.executors['exec-container-with-concat-placeholder']!.container.command.splice(1, 0, '-c', 'echo "$0"; printf done > "$2"');
    const r = await runPipeline(spec, { pipelineRoot: tempRoot(), parameters: { text1: 'abc' }, launchers: [createHostLauncher({ images: ['registry.access.redhat.com/ubi9/python-311:latest'] })] });
    expect(r.state).toBe('SUCCEEDED');
    const log = readFileSync(join(r.runDir, r.tasks[0]!.log!), 'utf8').trim();
    expect(log).toBe(`prefix-abc${join(r.runDir, 'container-with-concat-placeholder', 'text2')}`);
    expect(r.outputs.parameters['output_path']).toBe('done');
  });
});
