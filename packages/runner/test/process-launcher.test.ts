// The process launcher runs workspace components' entrypoints as child processes, exactly as their
// images would (executor protocol); images it cannot map fail the run before anything starts.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { containerComponent, fromContract, pipeline } from '@formalize/dsl';
import { hello } from '@formalize/hello';
import { createProcessLauncher, localArgv } from '../src/launchers/process.ts';
import { PreflightError, runPipeline } from '../src/run.ts';
import { discoverWorkspaceComponents } from '../src/workspace.ts';
import { tempRoot } from './harness.ts';

const WORKSPACE = resolve(import.meta.dirname, '../../..');
const helloOp = fromContract(hello);

describe('process launcher', () => {
  it('finds workspace components by image, whatever the registry', () => {
    const found = discoverWorkspaceComponents(WORKSPACE);
    expect(found.get('formalize/hello:0.1.0')?.packageDir).toBe(join(WORKSPACE, 'packages/hello'));
  });

  it('maps /app paths to the checkout and falls back to the sources when dist is missing or stale', () => {
    const component = { name: 'x', image: 'formalize/x:1', packageDir: '/nowhere/packages/x' };
    expect(localArgv(['node', '--conditions=formalize-dist', '/app/packages/x/dist/main.js', '--component', 'x'], '/nowhere', component))
      .toEqual(['node', '/nowhere/packages/x/src/main.ts', '--component', 'x']);
  });

  it('runs a two-task pipeline of a workspace component through the executor protocol', async () => {
    const p = pipeline({ name: 'hello-twice' }, () => {
      const a = helloOp({ name: 'runner', times: 1 });
      return { greeting: helloOp({ name: a.outputs.greeting, times: 2 }).outputs.greeting, report: a.outputs.report };
    });
    const r = await runPipeline(p.compile(), { pipelineRoot: tempRoot(), launchers: [createProcessLauncher({ workspaceRoot: WORKSPACE })], parallelism: 2 });
    expect(r.state).toBe('SUCCEEDED');
    expect(r.outputs.parameters['greeting']).toBe('Hello, Hello, runner!! Hello, Hello, runner!!');
    const report = r.outputs.artifacts['report']![0]!;
    expect(readFileSync(report.uri, 'utf8')).toContain('Hello, runner!');
    expect(report.metadata).toEqual({ title: 'Greeting for runner', repetitions: 1 });
    const log = readFileSync(join(r.runDir, r.tasks.find((t) => t.id === 'hello')!.log!), 'utf8');
    expect(log).toContain('"message":"greeted"');
  });

  it('fails before starting when an image cannot be launched, naming the task and image', async () => {
    const foreign = containerComponent({ name: 'foreign', image: 'example.com/elsewhere:1', inputs: { x: z.string().default('a') }, command: ['true'] });
    const p = pipeline({ name: 'foreign' }, () => { helloOp({}); foreign({}); });
    const root = tempRoot();
    await expect(runPipeline(p.compile(), { pipelineRoot: root, launchers: [createProcessLauncher({ workspaceRoot: WORKSPACE })] }))
      .rejects.toThrow(PreflightError);
    await expect(runPipeline(p.compile(), { pipelineRoot: root, launchers: [createProcessLauncher({ workspaceRoot: WORKSPACE })] }))
      .rejects.toThrow(/task 'foreign': no launcher can run image example.com\/elsewhere:1/);
  });
});
