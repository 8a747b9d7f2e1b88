// The README's main job: compile every pipeline spec to IR (pipelines/compiled/), then run the formalization data
// pipeline on this machine with the local runner (embedded warehouse with the shipped taxi sample), as
// `formalize run` would, and print what it produced.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseIrYaml, type PipelineSpec } from '@formalize/common';
import { createProcessLauncher, runPipeline } from '@formalize/runner';
import { compileAll } from '../pipelines/src/compile-all.ts';

const root = join(import.meta.dirname, '..');
// Components run their compiled entrypoint (as in their images), so build first (Nx caches it).
const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) throw new Error('build failed');
const { files, ok } = await compileAll();
if (!ok) throw new Error('compiling pipelines failed');
const specs = files.map((f) => ({ path: f.path, spec: parseIrYaml(readFileSync(f.path, 'utf8')).documents[0] as PipelineSpec }));
for (const s of specs) console.log(`compiled ${relative(root, s.path)}`);

const MAIN_PIPELINE = 'data-preprocessing';
const chosen = specs.find((s) => s.spec.pipelineInfo.name === MAIN_PIPELINE);
if (!chosen) throw new Error(`no compiled pipeline named ${MAIN_PIPELINE}`);
console.log(`running ${chosen.spec.pipelineInfo.name} (${relative(root, chosen.path)})`);
const seen = new Map<string, string>();
const run = await runPipeline(chosen.spec, {
  launchers: [createProcessLauncher({ workspaceRoot: root })],
  onEvent: (e) => {
    if (e.type !== 'task-updated' || e.task.state === 'PENDING' || seen.get(e.task.id) === e.task.state) return;
    seen.set(e.task.id, e.task.state);
    console.log(`${e.task.state.padEnd(9)} ${e.task.id}`);
  },
});
console.log(`run ${run.runId}: ${run.state}; outputs ${JSON.stringify(run.outputs.parameters)}`);
const dataset = run.outputs.artifacts['dataset']?.[0];
if (dataset) {
  const m = dataset.metadata as Record<string, unknown>;
  console.log(`dataset ${String(m['displayName'])} (${String(m['resourceName'])}) over ${JSON.stringify(m['inputConfig'])}`);
  for (const k of ['numeric_features', 'categorical_features', 'embedding_features']) console.log(`  ${k}: ${JSON.stringify(m[k])}`);
  for (const k of ['statistics', 'transform_artifacts_dir', 'transformed_data_prefix', 'exported_jsonl_prefix']) console.log(`  ${k}: ${relative(root, String(m[k]))}`);
}
console.log(`run folder: ${relative(root, run.runDir)}  report: ${relative(root, join(run.runDir, 'report.html'))}`);
if (run.state !== 'SUCCEEDED') process.exitCode = 1;
