// The README's main job: compile every pipeline spec to IR (pipelines/compiled/), then run the three formalization
// pipelines on this machine with the local runner, as `formalize run` would, sharing one pipeline root (.formalize):
// data-preprocessing (embedded warehouse with the shipped taxi sample -> registered dataset), build-model (base model
// in the registry), chicago-custom-training (tune when needed, train, evaluate, champion/challenger). Ends with a
// summary: the dataset, the tuning decision, the hyperparameters, the test metrics, whether a new best model was
// registered, and the run reports (the training report shows the curves).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseIrYaml, type PipelineSpec } from '@formalize/common';
import { createProcessLauncher, runPipeline, type RunRecord, type TaskRecord } from '@formalize/runner';
import { compileAll } from '../pipelines/src/compile-all.ts';

const root = join(import.meta.dirname, '..');
// Components run their compiled entrypoint (as in their images), so build first (Nx caches it).
const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) throw new Error('build failed');
const { files, ok } = await compileAll();
if (!ok) throw new Error('compiling pipelines failed');
const specs = new Map(files.map((f) => {
  const spec = parseIrYaml(readFileSync(f.path, 'utf8')).documents[0] as PipelineSpec;
  console.log(`compiled ${relative(root, f.path)}`);
  return [spec.pipelineInfo.name, spec] as const;
}));

const launchers = [createProcessLauncher({ workspaceRoot: root })];
async function run(name: string): Promise<RunRecord> {
  const spec = specs.get(name);
  if (!spec) throw new Error(`no compiled pipeline named ${name}`);
  console.log(`\nrunning ${name}`);
  const seen = new Map<string, string>();
  const record = await runPipeline(spec, {
    launchers,
    onEvent: (e) => {
      if (e.type !== 'task-updated' || e.task.kind === 'dag' || e.task.state === 'PENDING' || seen.get(e.task.id) === e.task.state) return;
      seen.set(e.task.id, e.task.state);
      console.log(`  ${e.task.state.padEnd(13)} ${e.task.displayName}`);
    },
  });
  console.log(`${name}: ${record.state} (${relative(root, join(record.runDir, 'report.html'))})`);
  if (record.state !== 'SUCCEEDED') {
    for (const t of record.tasks.filter((x) => x.state === 'FAILED' && x.kind !== 'dag')) console.error(`  ${t.displayName} failed: ${t.error}`);
    process.exit(1);
  }
  return record;
}

const data = await run('data-preprocessing');
const model = await run('build-model');
const training = await run('chicago-custom-training');

const task = (r: RunRecord, displayName: string): TaskRecord | undefined => r.tasks.find((t) => t.displayName === displayName && t.state !== 'NOT_TRIGGERED');
const param = (t: TaskRecord | undefined, key: string) => t?.outputs?.parameters[key];
const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : JSON.stringify(v));

const dataset = data.outputs.artifacts['dataset']?.[0]?.metadata as Record<string, unknown> | undefined;
const decision = task(training, 'tuning-decision');
const tuned = task(training, 'tune') ?? task(training, 'fine-tune');
const trained = task(training, 'train-model');
const evaluation = task(training, 'evaluate-model');
const registration = task(training, 'register-candidate');
console.log(`
summary
  dataset          ${String(dataset?.['displayName'])} ${String(dataset?.['resourceName'])}: ${String(data.outputs.parameters['row_count'])} trips,
                   numeric ${JSON.stringify(dataset?.['numeric_features'])}, categorical ${JSON.stringify(dataset?.['categorical_features'])},
                   embedded ${JSON.stringify(dataset?.['embedding_features'])}
  base model       ${String(model.outputs.parameters['model_resource_name'])}
  tuning           ${String(param(decision, 'action'))}: ${String(param(decision, 'reason'))}${tuned ? ` (best val_loss ${fmt(param(tuned, 'best_val_loss'))})` : ''}
  hyperparameters  ${JSON.stringify(param(trained, 'hyperparameters'))} (${String(param(trained, 'hyperparameters_source'))})
  validation       val_loss ${fmt(param(trained, 'val_loss'))}, val_auc ${fmt(param(trained, 'val_auc'))}
  test             auc ${fmt(param(evaluation, 'auc'))}, loss ${fmt(param(evaluation, 'loss'))}, accuracy ${fmt(param(evaluation, 'accuracy'))}
  registry         ${param(registration, 'is_new_best') === true ? 'NEW BEST' : 'kept the champion'}: ${String(param(registration, 'decision'))}
  reports          ${[data, model, training].map((r) => relative(root, join(r.runDir, 'report.html'))).join('\n                   ')}`);
