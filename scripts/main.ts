// The README's main job (until the local runner lands): compile every pipeline spec to IR,
// validate it, then execute the smallest pipeline's first task through the KFP executor protocol,
// exactly as the KFP launcher drives a container (ExecutorInput JSON in, ExecutorOutput JSON out).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseIrYaml, type PipelineSpec } from '@formalize/common';
import { validateIr } from '@formalize/dsl';
import { compileAll } from '../pipelines/src/compile-all.ts';

const root = join(import.meta.dirname, '..');
// Components run their compiled entrypoint (as in their images), so build first (Nx caches it).
const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) throw new Error('build failed');
const { files, ok } = await compileAll();
if (!ok) throw new Error('compiling pipelines failed');
const specs = files.map((f) => ({ path: f.path, spec: validateIr(parseIrYaml(readFileSync(f.path, 'utf8')).documents[0]) as PipelineSpec }));
for (const s of specs) console.log(`compiled + validated ${relative(root, s.path)} (${Object.keys(s.spec.components ?? {}).length} components)`);

const smallest = specs.sort((a, b) => Object.keys(a.spec.root.dag!.tasks).length - Object.keys(b.spec.root.dag!.tasks).length)[0]!.spec;
const [taskName, task] = Object.entries(smallest.root.dag!.tasks).find(([, t]) => !t.dependentTasks?.length)!;
const component = smallest.components![task.componentRef.name]!;
const container = smallest.deploymentSpec!.executors![component.executorLabel!]!.container!;

// Resolve the task's inputs from the pipeline defaults (pipeline parameters) and constants.
const parameterValues: Record<string, unknown> = {};
for (const [name, input] of Object.entries(task.inputs?.parameters ?? {})) {
  if (input.runtimeValue) parameterValues[name] = input.runtimeValue.constant;
  else if (input.componentInputParameter) parameterValues[name] = smallest.root.inputDefinitions?.parameters?.[input.componentInputParameter]?.defaultValue;
}
const runRoot = join(root, '.formalize', `${smallest.pipelineInfo.name}-${new Date().toISOString().replace(/[:.]/g, '-')}`, taskName);
mkdirSync(runRoot, { recursive: true });
const executorInput = {
  inputs: { parameterValues },
  outputs: {
    parameters: Object.fromEntries(Object.keys(component.outputDefinitions?.parameters ?? {}).map((p) => [p, { outputFile: join(runRoot, p) }])),
    artifacts: Object.fromEntries(Object.entries(component.outputDefinitions?.artifacts ?? {}).map(([a, def]) => [a, { artifacts: [{ name: a, type: def.artifactType, uri: join(runRoot, a), metadata: {} }] }])),
    outputFile: join(runRoot, 'executor_output.json'),
  },
};
// The image runs `/app/packages/<pkg>/dist/main.js`; locally the same file lives in this checkout.
const argv = [...(container.command ?? []), ...(container.args ?? [])].map((a) => a.replace(/^\/app\//, `${root}/`).replace('{{$}}', JSON.stringify(executorInput)));
console.log(`running task '${taskName}' of '${smallest.pipelineInfo.name}' (${container.image}) via the executor protocol`);
const res = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit' });
if (res.status !== 0) throw new Error(`task '${taskName}' failed with exit code ${res.status}`);
console.log(`ExecutorOutput (${relative(root, executorInput.outputs.outputFile)}):`);
console.log(readFileSync(executorInput.outputs.outputFile, 'utf8'));
