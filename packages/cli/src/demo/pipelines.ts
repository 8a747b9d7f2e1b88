// The workspace's compiled formalization pipelines, run in this process by the local runner (workspace components
// as processes) against the demo's own pipeline root and stores, and what the demo reads back from their records.
import { join } from 'node:path';
import type { JsonValue, PipelineSpec } from '@formalize/common';
import { METADATA_FILE_NAME, METADATA_STORE_ENV } from '@formalize/common/metadata';
import { WAREHOUSE_ENV } from '@formalize/common/warehouse';
import { createProcessLauncher, runPipeline, type ArtifactRecord, type InputArtifact, type RunRecord, type TaskRecord } from '@formalize/runner';
import { loadPipelineSpec } from '../spec.ts';

export const PIPELINES = ['data-preprocessing', 'build-model', 'chicago-custom-training'] as const;
export type PipelineName = (typeof PIPELINES)[number];

export class PipelineFailedError extends Error {
  override name = 'PipelineFailedError';
}

export interface PipelineRunner {
  run(name: PipelineName, parameters: Record<string, JsonValue>, artifacts?: Record<string, InputArtifact>): Promise<RunRecord>;
}

export interface RunnerOptions {
  workspace: string;
  root: string;
  signal?: AbortSignal;
  /** Called when a pipeline starts and ends. */
  onRun?: (name: PipelineName, record: RunRecord | undefined) => void;
}

/** Runs the compiled pipelines of `workspace`; a run that does not succeed throws with its failed tasks. */
export async function pipelineRunner(o: RunnerOptions): Promise<PipelineRunner> {
  const specs = new Map<PipelineName, PipelineSpec>();
  for (const name of PIPELINES) specs.set(name, await loadPipelineSpec(join(o.workspace, 'pipelines', 'compiled', `${name}.yaml`)));
  const launchers = [createProcessLauncher({ workspaceRoot: o.workspace })];
  // The demo's stores, whatever the caller's environment points at: its warehouse holds the generated batches.
  const env = { [WAREHOUSE_ENV]: warehouseOf(o.root), [METADATA_STORE_ENV]: metadataStoreOf(o.root) };
  return {
    async run(name, parameters, artifacts = {}) {
      o.onRun?.(name, undefined);
      const record = await runPipeline(specs.get(name)!, { launchers, pipelineRoot: o.root, parameters, artifacts, env, ...(o.signal && { signal: o.signal }) });
      o.onRun?.(name, record);
      if (record.state !== 'SUCCEEDED') {
        const failed = record.tasks.filter((t) => t.state === 'FAILED' && t.kind !== 'dag').map((t) => `${t.displayName}: ${t.error ?? 'failed'}`);
        throw new PipelineFailedError(`${name} ${record.state.toLowerCase()} (${join(record.runDir, 'report.html')})${failed.length ? `:\n  ${failed.join('\n  ')}` : ''}`);
      }
      return record;
    },
  };
}

export const warehouseOf = (root: string) => join(root, 'warehouse');
export const metadataStoreOf = (root: string) => join(root, METADATA_FILE_NAME);

/** The task of a run with this display name that ran (branches not taken are NOT_TRIGGERED). */
export function taskOf(run: RunRecord, displayName: string): TaskRecord {
  const t = run.tasks.find((x) => x.displayName === displayName && x.state !== 'NOT_TRIGGERED' && x.kind !== 'dag');
  if (!t) throw new Error(`${run.pipelineName} run ${run.runId}: no task ${displayName} ran`);
  return t;
}

export function parameterOf<T extends JsonValue>(task: TaskRecord, key: string, check: (v: JsonValue) => v is T): T {
  const v = task.outputs.parameters[key];
  if (v === undefined || !check(v)) throw new Error(`task ${task.displayName}: output parameter ${key} is ${JSON.stringify(v)}`);
  return v;
}

export function artifactOf(owner: { outputs: { artifacts: Record<string, ArtifactRecord[]> } }, key: string, what: string): ArtifactRecord {
  const a = owner.outputs.artifacts[key]?.[0];
  if (!a) throw new Error(`${what}: no output artifact ${key}`);
  return a;
}

export const isNumber = (v: JsonValue): v is number => typeof v === 'number';
export const isString = (v: JsonValue): v is string => typeof v === 'string';
export const isBoolean = (v: JsonValue): v is boolean => typeof v === 'boolean';
