// The tune component's work: check the inputs against each other, build the study (space, sampler, fixed
// hyperparameters), run the trials in worker threads, record everything in ML Metadata, write the outputs.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InputArtifact } from '@formalize/common';
import { fieldError, parseField } from '@formalize/common';
import type { Hyperparameters } from '@formalize/common/hyperparameters';
import { latestTunedHyperparameters, recordTunedHyperparameters, resolveHyperparameters } from '@formalize/common/hyperparameters';
import type { JsonObject, MetadataStore } from '@formalize/common/metadata';
import { METADATA_STORE_ENV, openSqliteStore } from '@formalize/common/metadata';
import type { TuneContext, TuneResult } from '../components/tune.ts';
import { fineTuneSpace } from './fine-tune.ts';
import type { StudyRecorder } from './record.ts';
import { openStudyRecorder } from './record.ts';
import { studyReportHtml } from './report.ts';
import { createSampler } from './samplers.ts';
import type { Params, SearchSpace } from './space.ts';
import { objectiveFromSpec, spaceFromSpec, studySpecMetricsSchema, studySpecParametersSchema } from './study-spec.ts';
import type { Objective, StudyResult, Trial } from './study.ts';
import { runStudy, StudyCancelledError, StudyError } from './study.ts';
import type { ArtifactRef } from './trial.ts';
import { createTrialRunner } from './trial-runner.ts';


export interface RunTuneOptions {
  trialModule: string;
}

function requireString(a: InputArtifact, key: string, input: string): string {
  const v = a.metadata[key];
  if (typeof v !== 'string' || v === '') throw fieldError(`inputs.artifacts.${input}.metadata.${key}`, 'expected a non-empty string', v);
  return v;
}

const ref = (a: InputArtifact): ArtifactRef => ({ uri: a.uri, path: a.path, metadata: structuredClone(a.metadata) as Record<string, unknown> });

/** The value the gate compares, and whether it passes. */
export function isBeyondThreshold(value: number, threshold: number | undefined, direction: 'below' | 'above'): boolean {
  if (threshold === undefined) return true;
  return direction === 'below' ? value < threshold : value > threshold;
}

const finite = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function metricsMetadata(result: StudyResult, objective: Objective, space: SearchSpace): JsonObject {
  const m: JsonObject = {};
  const count = (s: Trial['state']) => result.trials.filter((t) => t.state === s).length;
  m['trials'] = result.trials.length;
  m['succeeded_trials'] = count('SUCCEEDED');
  m['failed_trials'] = count('FAILED');
  m['infeasible_trials'] = count('INFEASIBLE');
  m[`best_${objective.metric}`] = result.best.objective!;
  for (const p of space) m[`best_${p.name}`] = result.best.params[p.name]!;
  for (const t of result.trials) {
    for (const p of space) m[`trial_${t.id}_${p.name}`] = t.params[p.name]!;
    for (const [k, v] of Object.entries(t.metrics ?? {})) {
      const x = finite(v);
      if (x !== undefined) m[`trial_${t.id}_${k}`] = x;
    }
  }
  return m;
}

export async function runTune(ctx: TuneContext, opts: RunTuneOptions): Promise<TuneResult> {
  const { inputs, outputs, log, signal } = ctx;
  // Cross-field checks first: bad input fails before any trial runs.
  if (inputs.parallel_trial_count > inputs.max_trial_count) {
    throw fieldError('inputs.parameterValues.parallel_trial_count', `expected at most max_trial_count (${inputs.max_trial_count})`, inputs.parallel_trial_count);
  }
  const objective = objectiveFromSpec(parseField(studySpecMetricsSchema, inputs.study_spec_metrics, 'inputs.parameterValues.study_spec_metrics'));
  let space: SearchSpace;
  try {
    space = spaceFromSpec(parseField(studySpecParametersSchema, inputs.study_spec_parameters, 'inputs.parameterValues.study_spec_parameters'));
  } catch (err) {
    if (err instanceof RangeError) throw fieldError('inputs.parameterValues.study_spec_parameters', err.message, inputs.study_spec_parameters);
    throw err;
  }
  const direction = inputs.threshold_direction ?? (objective.goal === 'minimize' ? 'below' : 'above');
  const family = requireString(inputs.base_model, 'model_family', 'base_model');
  const statisticsUri = requireString(inputs.dataset, 'statistics', 'dataset');
  const initialization = typeof inputs.base_model.metadata['initialization'] === 'string' ? inputs.base_model.metadata['initialization'] : undefined;

  const storePath = process.env[METADATA_STORE_ENV];
  const store: MetadataStore | undefined = storePath ? await openSqliteStore(storePath) : undefined;
  if (!store) log.warn(`${METADATA_STORE_ENV} is not set: the trials and the tuned set are not recorded in ML Metadata`);
  const scratch = await mkdtemp(join(tmpdir(), 'formalize-tune-'));
  try {
    // The fixed part of every trial's set: the family's current hyperparameters (tuned, else the defaults).
    const resolved = await resolveHyperparameters({ store, family });
    const base: Hyperparameters = resolved.hyperparameters;
    let initial: Params[] = [];
    if (inputs.mode === 'fine_tune') {
      const previous = inputs.previous_best ?? (store && (await latestTunedHyperparameters(store, family))?.hyperparameters as Params | undefined);
      if (!previous) throw fieldError('inputs.parameterValues.previous_best', `required for mode fine_tune: model family "${family}" has no tuned hyperparameters in ML Metadata`, undefined);
      try {
        space = fineTuneSpace(space, previous);
      } catch (err) {
        if (err instanceof RangeError) throw fieldError('inputs.parameterValues.previous_best', err.message, previous);
        throw err;
      }
      initial = [Object.fromEntries(space.map((p) => [p.name, previous[p.name]!]))];
    }
    const trialHyperparameters = (params: Params): Hyperparameters => ({ ...base, ...params, ...(inputs.trial_epochs !== undefined && { epochs: inputs.trial_epochs }) });
    const tunedHyperparameters = (params: Params): Hyperparameters => ({ ...base, ...params });

    const studyName = `tune-${new Date().toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
    const studyFacts: JsonObject = {
      algorithm: inputs.algorithm, mode: inputs.mode, seed: inputs.seed,
      max_trial_count: inputs.max_trial_count, parallel_trial_count: inputs.parallel_trial_count,
      space: space as unknown as JsonObject[], model_family: family, statistics: statisticsUri,
      dataset: inputs.dataset.uri, base_model: inputs.base_model.uri, ...(initialization !== undefined && { initialization }),
      output: outputs.trials.uri,
    };
    const recorder: StudyRecorder | undefined = store && await openStudyRecorder(store, {
      name: studyName, objective, metadata: studyFacts, inputs: { dataset: inputs.dataset.uri, base_model: inputs.base_model.uri },
    });
    log.info('study started', { study: studyName, algorithm: inputs.algorithm, mode: inputs.mode, objective, space, trials: inputs.max_trial_count, parallel: inputs.parallel_trial_count });

    const runTrial = createTrialRunner({ module: opts.trialModule, objective });
    const dataset = ref(inputs.dataset);
    const baseModel = ref(inputs.base_model);
    let done = 0;
    let result: StudyResult;
    try {
      result = await runStudy({
        space, objective, seed: inputs.seed, maxTrials: inputs.max_trial_count, parallel: inputs.parallel_trial_count, initial,
        sampler: createSampler(inputs.algorithm), signal,
        runTrial: ({ id, params }, trialSignal) => runTrial({
          trialId: id, hyperparameters: trialHyperparameters(params), dataset, baseModel, workDir: join(scratch, `trial-${id}`), seed: inputs.seed,
        }, trialSignal),
        onTrialStart: async (t) => {
          log.info('trial started', { trial: t.id, ...t.params });
          await recorder?.trialStarted(t, trialHyperparameters(t.params) as unknown as JsonObject);
        },
        onTrialEnd: async (t) => {
          log[t.state === 'SUCCEEDED' ? 'info' : 'warn']('trial ended', { trial: t.id, state: t.state, ...t.params, ...t.metrics, ...(t.error !== undefined && { error: t.error }) });
          log.progress('trials', ++done, inputs.max_trial_count);
          await recorder?.trialEnded(t);
        },
      });
    } catch (err) {
      if (err instanceof StudyError) {
        await recorder?.finish({ state: err instanceof StudyCancelledError ? 'CANCELED' : 'FAILED', error: err.message, trials: err.trials.length });
      }
      throw err;
    }

    const best = result.best;
    const bestValLoss = finite(best.metrics?.val_loss);
    if (bestValLoss === undefined) throw new Error(`best trial ${best.id} reported no finite val_loss (${JSON.stringify(best.metrics)})`);
    const hyperparameters = tunedHyperparameters(best.params);
    const beyond = isBeyondThreshold(best.objective!, inputs.metric_threshold, direction);
    const summary: JsonObject = {
      state: 'SUCCEEDED', best_trial_id: best.id, best_parameters: best.params, best_objective: best.objective!, trials: result.trials.length,
      succeeded_trials: result.trials.filter((t) => t.state === 'SUCCEEDED').length,
    };
    if (store) {
      await recordTunedHyperparameters(store, {
        family, hyperparameters, statisticsUri, ...(initialization !== undefined && { initialization }),
        study: { name: studyName, context_id: recorder!.contextId, algorithm: inputs.algorithm, mode: inputs.mode, best_trial_id: best.id, trials: result.trials.length },
        objective: { metric: objective.metric, value: best.objective! }, uri: outputs.trials.uri,
      });
      await recorder!.finish(summary);
    }

    await writeFile(outputs.trials.path, `${JSON.stringify({ study: studyName, objective, space, best_trial_id: best.id, trials: result.trials }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2)}\n`);
    Object.assign(outputs.trials.metadata, metricsMetadata(result, objective, space));
    const notes = [
      `${inputs.algorithm} ${inputs.mode === 'fine_tune' ? 'fine-tuning' : 'search'}, ${objective.goal} ${objective.metric}; ${result.trials.length} trials, ${inputs.parallel_trial_count} at a time; seed ${inputs.seed}.`,
      `Best: trial ${best.id}, ${objective.metric} ${best.objective}` + (inputs.metric_threshold === undefined ? ' (no threshold).' : `, ${beyond ? '' : 'not '}${direction} the threshold ${inputs.metric_threshold}.`),
    ];
    await writeFile(outputs.report.path, studyReportHtml({ title: `Hyperparameter tuning of ${family}`, objective, space, trials: result.trials, bestId: best.id, notes }));
    outputs.report.metadata['study'] = studyName;
    log.info('study finished', { study: studyName, best_trial: best.id, ...best.params, [objective.metric]: best.objective, beyond_threshold: beyond });
    return { best_hyperparameters: hyperparameters as unknown as Record<string, unknown>, best_val_loss: bestValLoss, beyond_threshold: beyond };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await store?.close();
  }
}
