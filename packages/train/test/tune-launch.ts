// Launches a tune entrypoint as the KFP launcher runs a container: ExecutorInput in, outputs under a task folder,
// the metadata store of a temp pipeline root in FORMALIZE_METADATA_STORE.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FAKE_MAIN = resolve(import.meta.dirname, 'tune-main.ts');
export const OUTPUT_ARTIFACTS = { trials: 'system.Metrics', report: 'system.HTML' } as const;
export const OUTPUT_PARAMETERS = ['best_hyperparameters', 'best_val_loss', 'beyond_threshold'] as const;

export interface InputArtifactJson { uri: string; type: string; metadata: Record<string, unknown> }

export interface Launch {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  errors: string[];
  dir: string;
  out: (name: keyof typeof OUTPUT_ARTIFACTS) => string;
  output: () => Promise<{ parameterValues: Record<string, unknown>; artifacts: Record<string, { artifacts: { uri: string; metadata: Record<string, unknown> }[] }> }>;
  /** Whether the task left any output (ExecutorOutput, parameter files, artifacts). */
  anyOutput: () => boolean;
}

export interface LaunchOptions {
  main?: string;
  env?: Record<string, string>;
  /** Called once the process runs, e.g. to signal it. */
  onSpawn?: (pid: number, stderr: () => string) => void;
}

export async function launchTune(parameterValues: Record<string, unknown>, artifacts: Record<string, InputArtifactJson>, opts: LaunchOptions = {}): Promise<Launch> {
  const dir = await mkdtemp(join(tmpdir(), 'tune-task-'));
  const ei = {
    inputs: {
      parameterValues,
      artifacts: Object.fromEntries(Object.entries(artifacts).map(([name, a]) => [name, { artifacts: [{ name, type: { schemaTitle: a.type, schemaVersion: '0.0.1' }, uri: a.uri, metadata: a.metadata }] }])),
    },
    outputs: {
      artifacts: Object.fromEntries(Object.entries(OUTPUT_ARTIFACTS).map(([name, type]) => [name, { artifacts: [{ name, type: { schemaTitle: type, schemaVersion: '0.0.1' }, uri: join(dir, name), metadata: {} }] }])),
      parameters: Object.fromEntries(OUTPUT_PARAMETERS.map((name) => [name, { outputFile: join(dir, 'kfp', name) }])),
      outputFile: join(dir, 'executor_output.json'),
    },
  };
  const child = spawn(process.execPath, [opts.main ?? FAKE_MAIN, '--component', 'tune', '--executor_input', JSON.stringify(ei)], {
    env: { ...process.env, ...opts.env }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  opts.onSpawn?.(child.pid!, () => stderr);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.on('close', (c, s) => r([c, s])));
  return {
    code, signal, stderr, dir,
    errors: stderr.split('\n').filter((l) => l.startsWith('error: ')),
    out: (name) => join(dir, name),
    output: async () => JSON.parse(await readFile(join(dir, 'executor_output.json'), 'utf8')),
    anyOutput: () => existsSync(join(dir, 'executor_output.json')) || existsSync(join(dir, 'kfp')) || Object.keys(OUTPUT_ARTIFACTS).some((n) => existsSync(join(dir, n))),
  };
}
