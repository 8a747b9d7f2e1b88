// The study in ML Metadata: a `formalize.Study` context holding one `formalize.Trial` execution per trial (its
// hyperparameters, state, metrics and objective), each with INPUT events to the dataset and base model artifacts
// when the store knows them, so the trials show up in their lineage. Trials are written as they start and end, so
// a study cancelled half-way still shows what ran.
import type { MetadataStore } from '@formalize/common/metadata';
import type { JsonObject } from '@formalize/common/metadata';
import type { Objective, Trial, TrialState } from './study.ts';

export const STUDY_CONTEXT_TYPE = 'formalize.Study';
export const TRIAL_EXECUTION_TYPE = 'formalize.Trial';

const EXECUTION_STATE: Record<TrialState, 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CANCELED'> = {
  ACTIVE: 'RUNNING', SUCCEEDED: 'COMPLETE', INFEASIBLE: 'FAILED', FAILED: 'FAILED', CANCELED: 'CANCELED',
};

export interface StudyRecordOptions {
  /** Unique name of the study (context names are unique per type). */
  name: string;
  objective: Objective;
  /** Facts about the study kept on its context: algorithm, mode, space, counts, seed, inputs. */
  metadata: JsonObject;
  /** URIs of the artifacts every trial reads (dataset, base model), linked when the store has them. */
  inputs: Record<string, string>;
}

export interface StudyRecorder {
  readonly contextId: string;
  trialStarted(trial: Trial, hyperparameters: JsonObject): Promise<void>;
  trialEnded(trial: Trial): Promise<void>;
  /** The study's outcome on its context: state, best trial, counts. */
  finish(update: JsonObject): Promise<void>;
}

function trialMetadata(trial: Trial, objective: Objective): JsonObject {
  return {
    trial_id: trial.id,
    trial_state: trial.state,
    start_time: trial.startTime,
    ...(trial.endTime !== undefined && { end_time: trial.endTime }),
    ...(trial.metrics !== undefined && { metrics: JSON.parse(JSON.stringify(trial.metrics, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))) as JsonObject }),
    ...(trial.objective !== undefined && { objective: { metric: objective.metric, goal: objective.goal, value: trial.objective } }),
    ...(trial.error !== undefined && { error: trial.error }),
  };
}

export async function openStudyRecorder(store: MetadataStore, opts: StudyRecordOptions): Promise<StudyRecorder> {
  const context = await store.createContext({
    type: STUDY_CONTEXT_TYPE,
    name: opts.name,
    metadata: { ...opts.metadata, objective: { metric: opts.objective.metric, goal: opts.objective.goal }, state: 'ACTIVE' },
  });
  const inputArtifacts: { id: string; path: string }[] = [];
  for (const [path, uri] of Object.entries(opts.inputs)) {
    const [artifact] = await store.listArtifacts({ filter: { uri }, orderBy: 'createTime desc', limit: 1 });
    if (artifact) inputArtifacts.push({ id: artifact.id, path });
  }
  if (inputArtifacts.length) await store.addContextArtifactsAndExecutions(context.id, inputArtifacts.map((a) => a.id), []);
  const executions = new Map<string, string>();
  return {
    contextId: context.id,
    async trialStarted(trial, hyperparameters) {
      const execution = await store.createExecution({
        type: TRIAL_EXECUTION_TYPE,
        name: `${opts.name}/trials/${trial.id}`,
        state: 'RUNNING',
        metadata: { study: opts.name, hyperparameters, parameters: trial.params, ...trialMetadata(trial, opts.objective) },
      });
      executions.set(trial.id, execution.id);
      await store.addContextArtifactsAndExecutions(context.id, [], [execution.id]);
      if (inputArtifacts.length) await store.addExecutionEvents(execution.id, inputArtifacts.map((a) => ({ artifactId: a.id, type: 'INPUT', path: a.path })));
    },
    async trialEnded(trial) {
      const id = executions.get(trial.id);
      // A trial that failed before it was recorded as started (the store refused it) has nothing to update.
      if (id === undefined) return;
      await store.updateExecution(id, { state: EXECUTION_STATE[trial.state], metadata: trialMetadata(trial, opts.objective) });
    },
    async finish(update) {
      await store.updateContext(context.id, { metadata: update });
    },
  };
}
