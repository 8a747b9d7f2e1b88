// The model half end to end on the embedded default, through `formalize run` of the compiled IR, sharing one
// pipeline root (warehouse, metadata store, registry) as a user's successive runs do:
//   data-preprocessing -> build-model -> training (no tuned set: search) -> warmup (new base initialisation)
//   -> training (tuned set, initialisation changed: fine-tune).
// Checked: which branch ran each time and why, the hyperparameters the search chose are what training used,
// the registry's decisions, and the training report's curves shown in report.html. (Reuse when nothing changed
// and retuning on drift are shown by the continuous-training demo's test in packages/cli.)
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/src/main.ts');
const compiled = (name: string) => join(ROOT, 'pipelines/compiled', `${name}.yaml`);

interface Task { id: string; displayName: string; kind: string; state: string; outputs?: { parameters: Record<string, unknown>; artifacts: Record<string, { uri: string; metadata: Record<string, unknown> }[]> } }
interface RunRecord { state: string; runDir: string; tasks: Task[]; outputs: { parameters: Record<string, unknown> } }

function formalizeRun(root: string, name: string, params: string[] = []): RunRecord {
  const r = spawnSync(process.execPath, [CLI, 'run', compiled(name), '--pipeline-root', root, '--json', ...params.flatMap((p) => ['-p', p])], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`formalize run ${name} exited ${r.status}: ${r.stderr.slice(-3000)}\n${r.stdout.slice(-2000)}`);
  return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { run: RunRecord }).run;
}

/** The container tasks that ran (not the branches that were not taken), by display name. */
const ran = (r: RunRecord) => r.tasks.filter((t) => t.kind !== 'dag' && t.state !== 'NOT_TRIGGERED').map((t) => t.displayName).sort();
const task = (r: RunRecord, name: string) => {
  const t = r.tasks.find((x) => x.displayName === name && x.state === 'SUCCEEDED');
  if (!t) throw new Error(`no succeeded task ${name} in ${ran(r).join(', ')}`);
  return t;
};
const param = (r: RunRecord, name: string, key: string) => task(r, name).outputs!.parameters[key];

const TUNING = ['max_trial_count=2', 'parallel_trial_count=2'];

describe('build-model and chicago-custom-training pipelines', () => {
  let root: string;
  let build: RunRecord;
  let searched: RunRecord;
  let warmup: RunRecord;
  let fineTuned: RunRecord;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'training-pipeline-'));
    expect(formalizeRun(root, 'data-preprocessing').state).toBe('SUCCEEDED');
    build = formalizeRun(root, 'build-model');
    searched = formalizeRun(root, 'chicago-custom-training', TUNING);
    warmup = formalizeRun(root, 'chicago-custom-training', ['warmup=true']);
    fineTuned = formalizeRun(root, 'chicago-custom-training', TUNING);
  }, 900_000);

  it('build-model registers an untrained base model of the dataset\'s architecture', () => {
    expect(build.state).toBe('SUCCEEDED');
    expect(ran(build)).toEqual(['build-model', 'get-dataset']);
    expect(build.outputs.parameters['model_resource_name']).toMatch(/\/models\/chicago-taxi-tip@1$/);
  });

  it('first training run: no tuned set, so it searches, trains with the best set found and registers the first best', () => {
    expect(searched.state).toBe('SUCCEEDED');
    expect(ran(searched)).toEqual([
      'drift-since-tuning', 'evaluate-model', 'get-base-model', 'get-dataset', 'hyperparameter-state', 'importer', 'importer-2',
      'register-candidate', 'train-model', 'tune', 'tuning-decision',
    ]);
    expect(param(searched, 'tuning-decision', 'action')).toBe('search');
    expect(param(searched, 'hyperparameter-state', 'has_tuned_set')).toBe(false);
    expect(param(searched, 'train-model', 'hyperparameters')).toEqual(param(searched, 'tune', 'best_hyperparameters'));
    expect(param(searched, 'train-model', 'val_auc')).toBeGreaterThan(0.8);
    expect(param(searched, 'register-candidate', 'is_new_best')).toBe(true);
  });

  it('the training report (curves) is shown in place in the run\'s report.html', async () => {
    const report = task(searched, 'train-model').outputs!.artifacts['report']![0]!;
    const curves = await readFile(report.uri, 'utf8');
    expect(curves).toContain('data-series="val_loss"');
    const html = await readFile(join(searched.runDir, 'report.html'), 'utf8');
    const unescape = (x: string) => x.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const framed = [...html.matchAll(/<iframe class="html-artifact" srcdoc="([^"]*)"/g)].map((m) => unescape(m[1]!));
    expect(framed).toContain(curves);
  });

  it('warmup run: only the warmup branch, registering a new base model version', () => {
    expect(warmup.state).toBe('SUCCEEDED');
    expect(ran(warmup)).toEqual(['get-base-model', 'get-dataset', 'warmup-model']);
    const model = task(warmup, 'warmup-model').outputs!.artifacts['model']![0]!;
    expect(model.metadata['resourceName']).toMatch(/\/models\/chicago-taxi-tip@3$/);
  });

  it('after the warmup: tuned set present, initialisation changed, so it fine-tunes around the previous best', () => {
    expect(fineTuned.state).toBe('SUCCEEDED');
    expect(param(fineTuned, 'hyperparameter-state', 'has_tuned_set')).toBe(true);
    expect(param(fineTuned, 'hyperparameter-state', 'initialization_changed')).toBe(true);
    expect(param(fineTuned, 'tuning-decision', 'action')).toBe('fine_tune');
    expect(ran(fineTuned)).toContain('fine-tune');
    expect(ran(fineTuned)).not.toContain('tune');
    expect(ran(fineTuned)).not.toContain('reuse-hyperparameters');
    expect(param(fineTuned, 'train-model', 'hyperparameters')).toEqual(param(fineTuned, 'fine-tune', 'best_hyperparameters'));
    expect(param(fineTuned, 'train-model', 'hyperparameters_source')).toBe('tuned');
    // The registry compared it with the champion and recorded its decision either way.
    expect(typeof param(fineTuned, 'register-candidate', 'is_new_best')).toBe('boolean');
    expect(String(param(fineTuned, 'register-candidate', 'decision'))).not.toBe('');
  });
});
