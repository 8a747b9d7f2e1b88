// Test harness: pipelines of shell container components, run by the host launcher (their image is a
// stand-in mapped to this machine), each in a fresh pipeline root.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { containerComponent, type ArgsOf, type ComponentFactory, type OutputsOf } from '@formalize/dsl';
import { createHostLauncher } from '../src/launchers/host.ts';
import { runPipeline, type RunOptions } from '../src/run.ts';
import type { RunRecord, TaskRecord } from '../src/types.ts';

export const SH_IMAGE = 'formalize-test/sh:1';

type Shape = Record<string, z.ZodType>;
type IoView = { inputs: Record<string, unknown>; outputs: Record<string, unknown> };

/** A container component running `sh -c <script>` with the given positional args ($0, $1, ...). */
export function sh<I extends Shape = {}, O extends Shape = {}>(name: string, io: { inputs?: I; outputs?: O }, script: string, args: (v: IoView) => unknown[] = () => []): ComponentFactory<ArgsOf<I>, OutputsOf<O>> {
  return containerComponent({
    name, image: SH_IMAGE, ...(io.inputs ? { inputs: io.inputs } : {}), ...(io.outputs ? { outputs: io.outputs } : {}),
    command: ['sh', '-c', script],
    args: (v) => args(v as unknown as IoView).map(String),
  });
}

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'formalize-run-'));
}

export async function run(p: { compile(): unknown }, opts: Partial<RunOptions> & { pipelineRoot: string }): Promise<RunRecord> {
  return runPipeline(p.compile(), { launchers: [createHostLauncher({ images: [SH_IMAGE] })], parallelism: 2, ...opts });
}

export function task(run: RunRecord, id: string): TaskRecord {
  const t = run.tasks.find((x) => x.id === id);
  if (!t) throw new Error(`no task '${id}' in run (tasks: ${run.tasks.map((x) => x.id).join(', ')})`);
  return t;
}

export const states = (run: RunRecord) => Object.fromEntries(run.tasks.map((t) => [t.id, t.state]));
