// The continuous-training demo: K successive runs of the formalization pipelines over fresh synthetic batches, with
// a drift injected from one step on, in a fresh pipeline root (its own warehouse, metadata store and registry).
//   once:      a holdout drawn from the undrifted world -> data-preprocessing (a registered dataset, never trained on)
//   each step: a new batch -> data-preprocessing (keeping the first step's vocabularies, so the base model fits)
//              -> build-model (first step only) -> chicago-custom-training (drift check since tuning -> search,
//              fine-tune or reuse -> train -> evaluate -> champion/challenger on the holdout)
// and records, per step, what happened, with the candidate and the registry's best scored on the holdout here.
// The three properties are then computed from those records (properties.ts); nothing here decides them.
import { mkdir, readdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { JsonObject, JsonValue } from '@formalize/common';
import { uriToLocalPath } from '@formalize/common';
import type { ArtifactRecord, RunRecord } from '@formalize/runner';
import { holdoutScorer, readHoldout } from './holdout.ts';
import { artifactOf, isBoolean, isNumber, isString, metadataStoreOf, parameterOf, pipelineRunner, taskOf, warehouseOf, type PipelineName } from './pipelines.ts';
import { checkProperties } from './properties.ts';
import { continuousTrainingOptionsSchema, type ContinuousTrainingOptions, type DemoResult, type StepRecord } from './schema.ts';
import { batchOf, DRIFT_THRESHOLDS, holdoutOf, SOURCE_PROJECT, WORLD_YEAR, type Batch } from './world.ts';

export const MODEL_FAMILY = 'chicago-taxi-tip';
export const STEP_DATASETS = 'continuous-training step';
export const HOLDOUT_DATASET = 'continuous-training holdout';

export type DemoEvent =
  | { type: 'generating'; what: string; table: string; rows: number; seed: number }
  | { type: 'pipeline'; step: number | 'holdout'; name: PipelineName; run?: RunRecord }
  | { type: 'step-finished'; record: StepRecord };

export interface DemoHooks {
  /** The checkout whose compiled pipelines and components run. */
  workspace: string;
  signal?: AbortSignal;
  onEvent?: (e: DemoEvent) => void;
}

export class RootNotFreshError extends Error {
  override name = 'RootNotFreshError';
}

export async function runContinuousTraining(input: ContinuousTrainingOptions, hooks: DemoHooks): Promise<DemoResult> {
  const o = continuousTrainingOptionsSchema.parse(input);
  const started = performance.now();
  await freshRoot(o.root);
  const emit = hooks.onEvent ?? (() => {});
  let current: number | 'holdout' = 'holdout';
  const runner = await pipelineRunner({
    workspace: hooks.workspace, root: o.root, ...(hooks.signal && { signal: hooks.signal }),
    onRun: (name, run) => emit({ type: 'pipeline', step: current, name, ...(run && { run }) }),
  });

  const holdoutBatch = holdoutOf({ rows: o.holdoutRows, seed: o.seed });
  emit({ type: 'generating', what: 'holdout', table: holdoutBatch.table, rows: holdoutBatch.rows, seed: holdoutBatch.seed });
  await generate(o.root, holdoutBatch);
  const holdoutRun = await runner.run('data-preprocessing', dataParameters(holdoutBatch, HOLDOUT_DATASET, { role: 'holdout' }));
  const holdoutDataset = artifactOf(holdoutRun, 'dataset', 'the holdout\'s data-preprocessing run');
  const score = await holdoutScorer(await readHoldout(holdoutDataset.metadata));

  const steps: StepRecord[] = [];
  let vocabulary: ArtifactRecord | undefined;
  for (let step = 1; step <= o.steps; step++) {
    hooks.signal?.throwIfAborted();
    current = step;
    const stepStarted = performance.now();
    const batch = batchOf(step, o);
    emit({ type: 'generating', what: `step ${step}${batch.drifted ? ' (drifted)' : ''}`, table: batch.table, rows: batch.rows, seed: batch.seed });
    await generate(o.root, batch);
    const data = await runner.run('data-preprocessing', dataParameters(batch, `${STEP_DATASETS} ${step}`, { user_metadata: 'formalize' }), vocabulary ? { vocabulary_source: asInput(vocabulary) } : {});
    let model: RunRecord | undefined;
    if (step === 1) {
      vocabulary = artifactOf(data, 'transform', 'the first step\'s data-preprocessing run');
      model = await runner.run('build-model', { dataset_display_name: STEP_DATASETS, model_family: MODEL_FAMILY });
    }
    const training = await runner.run('chicago-custom-training', {
      dataset_display_name: STEP_DATASETS, model_family: MODEL_FAMILY, max_trial_count: o.trials, seed: o.seed,
      drift_threshold_categorical: DRIFT_THRESHOLDS.categorical, drift_threshold_numeric: DRIFT_THRESHOLDS.numeric,
    }, { holdout: asInput(holdoutDataset) });
    const record = await recordStep({ batch, data, model, training, root: o.root, score, seconds: (performance.now() - stepStarted) / 1000 });
    steps.push(record);
    emit({ type: 'step-finished', record });
  }

  const properties = checkProperties(steps, o.driftStep);
  return {
    options: o,
    holdout: { table: holdoutBatch.table, rows: holdoutBatch.rows, seed: holdoutBatch.seed, dataset: String(holdoutDataset.metadata['resourceName'] ?? holdoutDataset.uri) },
    steps,
    properties,
    ok: properties.every((p) => p.holds),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The root must be new or empty: the demo's claims start from an empty registry and metadata store. */
async function freshRoot(root: string): Promise<void> {
  const entries = await readdir(root).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  if (entries.length) throw new RootNotFreshError(`${root} is not empty: the demo needs a fresh pipeline root (its model registry must start empty)`);
  await mkdir(root, { recursive: true });
}

/** An output artifact of one run as an input artifact of the next (its metadata, which components read, with it). */
const asInput = (a: ArtifactRecord) => ({ uri: a.uri, metadata: a.metadata });

function dataParameters(batch: Pick<Batch, 'table' | 'rows'>, displayName: string, labels: Record<string, string>): Record<string, JsonValue> {
  // limit: every trip of the batch (the extract's limit only ever samples down).
  return { bq_table: `bq://${batch.table}`, year: WORLD_YEAR, limit: batch.rows, display_name: displayName, dataset_labels: labels };
}

/** Writes a batch into the demo's warehouse; closed again before any pipeline opens it. */
async function generate(root: string, batch: Pick<Batch, 'table' | 'rows' | 'seed' | 'drift'>): Promise<void> {
  const w = await import('@formalize/common/warehouse');
  const wh = await w.DuckdbWarehouse.open({ dir: warehouseOf(root), writeProjects: [SOURCE_PROJECT] });
  try {
    await w.generateTaxiTrips(wh, { table: batch.table, rows: batch.rows, seed: batch.seed, drift: batch.drift });
  } finally {
    await wh.close();
  }
}

interface StepRuns {
  batch: Batch;
  data: RunRecord;
  model: RunRecord | undefined;
  training: RunRecord;
  root: string;
  score: (modelDir: string) => Promise<number>;
  seconds: number;
}

async function recordStep(r: StepRuns): Promise<StepRecord> {
  const { training } = r;
  const preprocess = taskOf(r.data, 'dataflow-preprocess');
  const decision = taskOf(training, 'tuning-decision');
  const drift = taskOf(training, 'drift-since-tuning');
  const trained = taskOf(training, 'train-model');
  const evaluation = taskOf(training, 'evaluate-model');
  const registration = taskOf(training, 'register-candidate');
  const candidate = artifactOf(trained, 'model', 'train-model');
  const distances = driftDistances(artifactOf(drift, 'drift', 'drift-since-tuning').metadata);
  const action = parameterOf(decision, 'action', isString);
  if (action !== 'search' && action !== 'fine_tune' && action !== 'reuse') throw new Error(`tuning-decision: unknown action ${action}`);

  const best = await bestModel(r.root);
  const hyperparameters = trained.outputs.parameters['hyperparameters'] as JsonObject;
  const record: StepRecord = {
    step: r.batch.step,
    batch: { table: r.batch.table, rows: r.batch.rows, seed: r.batch.seed, drifted: r.batch.drifted },
    datasetRows: { train: parameterOf(preprocess, 'train_rows', isNumber), val: parameterOf(preprocess, 'val_rows', isNumber), test: parameterOf(preprocess, 'test_rows', isNumber) },
    tuning: {
      action, reason: parameterOf(decision, 'reason', isString), driftDetected: parameterOf(drift, 'drift_detected', isBoolean),
      distances, maxCategorical: largest(distances, '.l_infinity'), maxNumeric: largest(distances, '.jensen_shannon'),
      hyperparameters: { ...hyperparameters, learning_rate: Number(hyperparameters['learning_rate']), batch_size: Number(hyperparameters['batch_size']) },
    },
    candidate: {
      uri: candidate.uri,
      valAuc: parameterOf(trained, 'val_auc', isNumber),
      testAuc: parameterOf(evaluation, 'auc', isNumber),
      holdoutAuc: await r.score(uriToLocalPath(candidate.uri)),
    },
    registry: {
      isNewBest: parameterOf(registration, 'is_new_best', isBoolean),
      decision: parameterOf(registration, 'decision', isString),
      pValue: parameterOf(registration, 'p_value', isNumber),
      aucDelta: parameterOf(registration, 'auc_delta', isNumber),
      version: parameterOf(registration, 'version', isNumber),
      ...comparisonOf(artifactOf(registration, 'comparison', 'register-candidate').metadata),
    },
    best: { version: best.version, resourceName: best.resourceName, holdoutAuc: await r.score(uriToLocalPath(best.uri)) },
    runs: { data: r.data.runDir, training: training.runDir, ...(r.model && { model: r.model.runDir }) },
    seconds: r.seconds,
  };
  return record;
}

/** What the registry compared on, from register-model's comparison metrics (no AUCs without a champion). */
function comparisonOf(m: JsonObject): Pick<StepRecord['registry'], 'comparedOn' | 'aucCandidate' | 'aucChampion'> {
  const on = m['compared_on'];
  const num = (v: JsonValue | undefined) => (typeof v === 'number' ? v : null);
  const aucCandidate = num(m['auc_candidate']);
  return { comparedOn: aucCandidate === null ? null : on === 'holdout' || on === 'test' ? on : null, aucCandidate, aucChampion: num(m['auc_champion']) };
}

/** `drift.<feature>.<metric>` metrics of tfdv-validate as `<feature>.<metric>` -> distance. */
function driftDistances(metadata: JsonObject): Record<string, number> {
  return Object.fromEntries(Object.entries(metadata).flatMap(([k, v]) => (k.startsWith('drift.') && typeof v === 'number' ? [[k.slice('drift.'.length), v]] : [])));
}

function largest(distances: Record<string, number>, suffix: string): { feature: string; value: number } | null {
  let top: { feature: string; value: number } | null = null;
  for (const [k, v] of Object.entries(distances)) if (k.endsWith(suffix) && (!top || v > top.value)) top = { feature: k.slice(0, -suffix.length), value: v };
  return top;
}

/** The registry's best version now, read from the demo's metadata store. */
async function bestModel(root: string): Promise<{ version: number; resourceName: string; uri: string }> {
  const [{ openSqliteStore }, { openRegistry, ALIAS }] = await Promise.all([import('@formalize/common/metadata'), import('@formalize/common/registry')]);
  const store = await openSqliteStore(metadataStoreOf(root));
  try {
    const best = await openRegistry(store).getByAlias(MODEL_FAMILY, ALIAS.best);
    if (!best) throw new Error(`the registry has no best ${MODEL_FAMILY} model after a training run`);
    return { version: best.version, resourceName: best.resourceName, uri: best.uri };
  } finally {
    await store.close();
  }
}
