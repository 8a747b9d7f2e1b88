// The train component's work: dataset + base model -> hyperparameters (ML Metadata, else defaults, then the
// overrides) -> feeder over the train shards (and their mirrors) -> training loop (fused step when the model
// is the seed's architecture) -> model folder (Layers model, transform.json, metrics.txt), metrics, TensorBoard
// events; warmup registers the result as a new base model version.
import { createHash } from 'node:crypto';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonObject } from '@formalize/common';
import { ContractError, describeValue, uriToLocalPath } from '@formalize/common';
import { DEFAULT_HYPERPARAMETERS, resolveHyperparameters, type Hyperparameters } from '@formalize/common/hyperparameters';
import { METADATA_STORE_ENV, openSqliteStore, type MetadataStore } from '@formalize/common/metadata';
import type { LayersModel, ModelSpec } from '@formalize/common/model';
import { architectureHash, kerasTopology, LAYER_NAMES, loadModel, loadTf, MODEL_FRAMEWORK, modelArtifactMetadataSchema, modelSpecFromTransform, saveModel } from '@formalize/common/model';
import { createEventWriter } from '@formalize/common/tfevents';
import { listShards, readTransformArtifact, type TransformArtifact } from '@formalize/common/transform';
import type { TrainContext, TrainResult } from '../components/train.ts';
import { adaptivePolicy, createFeeder, duckdbShardSource, feederSpecFromModel, readSplit, stratumOf } from '../feeder/index.ts';
import type { SplitColumns } from '../feeder/index.ts';
import { datasetInfo } from '../model-build/dataset.ts';
import { registerBaseModel } from '../model-build/register.ts';
import { HYPERTUNE_TRIAL_ENV, HypertuneReporter } from './hypertune.ts';
import type { EpochRecord, TrainLoopResult } from './loop.ts';
import { trainLoop } from './loop.ts';
import { binaryMetrics } from './metrics.ts';
import { metricsTxt } from './metrics-file.ts';
import { createTrainer } from './create-trainer.ts';
import { trainingReportHtml } from './report.ts';
import { vertexDirs } from './vertex-env.ts';

export const METRICS_FILE = 'metrics.txt';
const PREFIX_KEY = 'transformed_data_prefix';

function requireString(value: unknown, field: string, expectation: string): string {
  if (typeof value !== 'string' || value === '') throw new ContractError([`${field}: expected ${expectation}, received ${describeValue(value)}`]);
  return value;
}

/** The base model's architecture must be the one the dataset's transform artifact describes. */
function checkModelFitsData(model: LayersModel, spec: ModelSpec, transformUri: string): void {
  const want = spec.inputs.map((i) => i.name).sort();
  const have = [...model.inputNames].sort();
  if (JSON.stringify(want) !== JSON.stringify(have)) {
    throw new ContractError([`inputs.artifacts.base_model: the model's inputs [${have.join(', ')}] are not the features of the dataset's transform artifact ${transformUri} [${want.join(', ')}]`]);
  }
  for (const input of spec.inputs) {
    if (input.kind !== 'embedding') continue;
    const layer = model.getLayer(LAYER_NAMES.embedding(input.name));
    const rows = layer.getWeights()[0]?.shape[0];
    if (rows !== input.rows) throw new ContractError([`inputs.artifacts.base_model: ${input.name}'s embedding has ${rows} rows, the dataset's vocabulary needs ${input.rows} (the model was built for another transform: rebuild it with model-build)`]);
  }
}

async function openStore(log: TrainContext['log']): Promise<MetadataStore | undefined> {
  const path = process.env[METADATA_STORE_ENV];
  if (!path) {
    log.warn(`${METADATA_STORE_ENV} is not set: no tuned hyperparameters can be read, the defaults are used`);
    return undefined;
  }
  return openSqliteStore(path);
}

/** Warmup needs its ramp start and steps per epoch; a tuned set may not carry them. */
function forMode(hp: Hyperparameters, mode: 'train' | 'warmup'): Hyperparameters {
  if (mode === 'train') return hp;
  return { ...hp, start_learning_rate: hp.start_learning_rate ?? DEFAULT_HYPERPARAMETERS.start_learning_rate!, steps: hp.steps ?? DEFAULT_HYPERPARAMETERS.steps! };
}

function weightsHash(model: LayersModel): string {
  const h = createHash('sha256');
  for (const w of model.getWeights()) {
    const data = w.dataSync() as Float32Array;
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return h.digest('hex');
}

const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);

function metricsOf(r: EpochRecord): JsonObject {
  return {
    loss: finite(r.loss), accuracy: finite(r.accuracy), auc: finite(r.auc),
    val_loss: finite(r.val_loss), val_accuracy: finite(r.val_accuracy), val_auc: finite(r.val_auc),
  };
}

export async function runTrain({ inputs, outputs, log, signal }: TrainContext): Promise<TrainResult> {
  const mode = inputs.mode;
  const info = await datasetInfo(inputs.dataset);
  const prefix = uriToLocalPath(requireString(info.metadata[PREFIX_KEY], `inputs.artifacts.dataset.metadata.${PREFIX_KEY}`, 'the folder of the train/, val/ and test/ Parquet shards (the data pipeline\'s dataflow-preprocess outputs)'));
  const family = requireString(inputs.base_model.metadata['model_family'], 'inputs.artifacts.base_model.metadata.model_family', 'the model family (model-build records it)');
  const transform: TransformArtifact = await readTransformArtifact(uriToLocalPath(info.transformUri));
  const spec = modelSpecFromTransform(transform);
  const fspec = feederSpecFromModel(spec);

  const store = await openStore(log);
  let resolved;
  try {
    resolved = await resolveHyperparameters({ store, family, overrides: inputs.hyperparameter_overrides ?? {} });
  } finally {
    await store?.close();
  }
  const hp = forMode(resolved.hyperparameters, mode);
  log.info('hyperparameters', { source: resolved.source, ...(resolved.tuned && { tunedArtifact: resolved.tuned.id }), overridden: resolved.overridden, ...hp });

  const { tf, backend } = await loadTf({ log: (m, f) => log.info(m, f) });
  const model = await loadModel(tf, inputs.base_model.path);
  const vertex = vertexDirs();
  try {
    checkModelFitsData(model, spec, info.transformUri);
    const { trainer, note } = createTrainer(tf, model, spec);
    log.info('trainer', { kind: trainer.kind, backend, ...(note && { note }) });

    const shardsOf = async (root: string, split: string) => listShards(join(root, split));
    const sources = [
      { shards: await shardsOf(prefix, 'train'), mirror: 'primary' },
      ...await Promise.all(inputs.data_mirrors.map(async (uri, i) => ({ shards: await shardsOf(uriToLocalPath(uri), 'train'), mirror: `mirror-${i + 1}` }))),
    ];
    const sliced = inputs.slice_column !== undefined;
    const strata = stratumOf(fspec, inputs.slice_column);
    const reader = duckdbShardSource(fspec, strata);
    const validation = await readSplit(reader, await shardsOf(prefix, 'val'), fspec);
    const feeder = createFeeder({
      sources, spec: fspec, batchSize: hp.batch_size, seed: inputs.seed, log,
      ...(inputs.slice_column !== undefined && { sliceColumn: inputs.slice_column }),
    });

    const logDir = vertex.tensorboardLogDir?.path ?? outputs.tensorboard.path;
    if (vertex.tensorboardLogDir) outputs.tensorboard.uri = vertex.tensorboardLogDir.uri;
    await mkdir(logDir, { recursive: true });
    const events = await createEventWriter(logDir, { suffix: '.v2' });
    const tuning = inputs.tuning || process.env[HYPERTUNE_TRIAL_ENV] !== undefined;
    const base = binaryMetrics(trainer.logits(validation), validation.labels);
    log.info('base model', { val_loss: base.loss, val_auc: base.auc });

    let result: TrainLoopResult;
    try {
      result = await trainLoop({
        mode, trainer, feeder, hyperparameters: hp, events, signal, log, sliced,
        ...(mode === 'train' && { validation }),
        ...(tuning && { hypertune: new HypertuneReporter() }),
        ...(inputs.feeder_policy === 'adaptive' && { policy: adaptivePolicy() }),
        context: `${mode} with lr ${hp.learning_rate}, batch ${hp.batch_size}, hyperparameters ${resolved.source}`,
        ...(vertex.checkpointDir && { onEpoch: checkpoint(model, trainer, vertex.checkpointDir.path) }),
      });
    } finally {
      await events.close();
      await feeder.close();
    }
    const feederStats = feeder.stats();

    // The returned model on validation (warmup trains without it) and on test.
    const val = binaryMetrics(trainer.logits(validation), validation.labels);
    if (!Number.isFinite(val.loss)) throw new Error(`${mode} diverged: the final model's val_loss is ${val.loss} (lr ${hp.learning_rate}); lower the learning rate`);
    let test: SplitColumns | undefined;
    try {
      test = await readSplit(reader, await shardsOf(prefix, 'test'), fspec);
    } catch (err) {
      log.warn('no test split: metrics.txt has no test metrics', { error: (err as Error).message });
    }
    await reader.close();
    const testMetrics = test && binaryMetrics(trainer.logits(test), test.labels);

    const architecture = architectureHash(kerasTopology(model));
    const baseMeta = inputs.base_model.metadata;
    const initialization = mode === 'warmup'
      ? createHash('sha256').update(JSON.stringify({ architecture, warmedWeights: weightsHash(model) })).digest('hex')
      : requireString(baseMeta['initialization'], 'inputs.artifacts.base_model.metadata.initialization', 'the sha256 of the base model\'s initialization (model-build records it)');
    const best = { ...result.best, val_loss: val.loss, val_accuracy: val.accuracy, val_auc: val.auc };
    const metrics: JsonObject = {
      ...metricsOf(best),
      base_val_loss: finite(base.loss), base_val_auc: finite(base.auc),
      ...(testMetrics && { test_loss: finite(testMetrics.loss), test_accuracy: finite(testMetrics.accuracy), test_auc: finite(testMetrics.auc) }),
      best_epoch: result.bestEpoch, epochs_run: result.history.length, stopped_early: result.stoppedEarly,
    };
    const labels: Record<string, string> = mode === 'warmup' ? { base_model: '1' } : { candidate_model: '1' };
    const metadata: JsonObject = {
      framework: MODEL_FRAMEWORK, model_family: family, labels, architecture, initialization,
      transform: info.transformUri, dataset: info.resourceName,
      hyperparameters: hp as unknown as JsonObject, hyperparameters_source: resolved.source,
      metrics,
      training: {
        mode, trainer: trainer.kind, backend, seed: inputs.seed, feeder_policy: inputs.feeder_policy, seconds: result.seconds,
        base_model: inputs.base_model.uri, feeder: { rows: feederStats.rows, failures: feederStats.failures.length, sources: feederStats.sources.map((s) => ({ name: s.name, reads: s.reads, failures: s.failures })) },
      },
    };
    modelArtifactMetadataSchema.parse(metadata);
    await saveModel(model, outputs.model.path, { metadata, transform });
    await writeFile(join(outputs.model.path, METRICS_FILE), metricsTxt(info.metadata, hp, mode, testMetrics));
    if (vertex.modelDir) await cp(outputs.model.path, vertex.modelDir.path, { recursive: true });
    outputs.model.metadata = { ...metadata };
    outputs.metrics.metadata = { ...metrics };
    await writeFile(outputs.metrics.path, `${JSON.stringify({ metrics, history: result.history.map((h) => ({ ...h, ...metricsOf(h) })) }, null, 2)}\n`);
    await writeFile(outputs.report.path, trainingReportHtml({
      title: `${mode === 'warmup' ? 'Warmup' : 'Training'} of ${family}`,
      history: result.history,
      bestEpoch: result.bestEpoch,
      notes: [
        `${trainer.kind} trainer on the ${backend} backend; hyperparameters ${resolved.source}: learning rate ${hp.learning_rate}, batch ${hp.batch_size}, up to ${hp.epochs} epochs.`,
        mode === 'warmup'
          ? `Learning rate ramped linearly over ${result.history.length} epochs; the last epoch's weights are kept.`
          : `${result.stoppedEarly ? 'Stopped early' : 'Ran every epoch'}; restored epoch ${result.bestEpoch} (val_loss ${val.loss.toPrecision(4)}, val AUC ${val.auc.toPrecision(4)}).`,
      ],
    }));
    outputs.tensorboard.metadata = { log_dir: outputs.tensorboard.uri, scalars: ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'auc', 'val_auc', 'learning_rate', 'batch_size'] };

    if (mode === 'warmup') {
      const version = await registerBaseModel({ family, uri: outputs.model.uri, metadata, description: `${family} (warmed up)`, ...(info.project && { project: info.project }) });
      outputs.model.metadata = { ...metadata, resourceName: version.resourceName, version: version.version };
      log.info('registered the warmed-up base model', { resourceName: version.resourceName });
    }
    trainer.dispose();
    log.info('trained', { mode, epochs: result.history.length, bestEpoch: result.bestEpoch, val_loss: val.loss, val_auc: val.auc, seconds: result.seconds });
    return { val_loss: val.loss, val_auc: finite(val.auc) ?? 0, hyperparameters: hp, hyperparameters_source: resolved.source };
  } finally {
    model.dispose();
  }
}

function checkpoint(model: LayersModel, trainer: { sync(): void }, dir: string) {
  return async (record: EpochRecord) => {
    trainer.sync();
    await saveModel(model, join(dir, 'latest'), { metadata: { epoch: record.epoch, metrics: metricsOf(record) } });
  };
}

