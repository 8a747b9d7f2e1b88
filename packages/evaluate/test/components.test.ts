// The three components end to end through the executor protocol, on the data pipeline's real outputs and models
// of the seed's architecture: evaluate (metrics, slices, scores), register-model (champion/challenger over the
// registry in the run's ML Metadata store), batch-predict (the registered model from the registry), and bad input.
import { cp, mkdtemp, readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lineageOf, openSqliteStore } from '@formalize/common/metadata';
import { openRegistry, REGISTRY_TYPES } from '@formalize/common/registry';
import { loadModelBundle, predictRows } from '@formalize/common/model';
import { applyTransform, listShards, parseTransformArtifact, readTransformedRows } from '@formalize/common/transform';
import { DuckDBInstance } from '@duckdb/node-api';
import { binaryMetrics } from '../src/metrics/index.ts';
import { COMPARISON_TYPE } from '../src/register/run.ts';
import { executorInput, launch, type ArtifactIn, type Launch } from './fixtures/launch.ts';
import { makeModel, runDataPipeline, testTf, type DataRun } from './fixtures/models.ts';

let work: string;
let data: DataRun;
const models: Record<string, ArtifactIn> = {};

async function evaluateModel(name: string, parameters: Record<string, unknown> = {}, task = `evaluate-${name}`): Promise<Launch> {
  return launch(work, 'evaluate', task, executorInput(work, task, {
    parameters,
    artifacts: { model: models[name]!, dataset: data.dataset },
    outputArtifacts: { classification_metrics: 'system.ClassificationMetrics', metrics: 'system.Metrics', scores: 'system.Dataset' },
    outputParameters: ['auc', 'loss', 'accuracy'],
  }));
}

const evaluations: Record<string, Launch> = {};

async function register(name: string, task: string, parameters: Record<string, unknown> = {}, holdout?: ArtifactIn): Promise<Launch> {
  const e = evaluations[name]!;
  return launch(work, 'register-model', task, executorInput(work, task, {
    parameters: { bootstrap_resamples: 500, ...parameters },
    artifacts: {
      model: models[name]!,
      dataset: data.dataset,
      scores: { type: 'system.Dataset', ...e.artifacts['scores']! },
      metrics: { type: 'system.Metrics', ...e.artifacts['metrics']! },
      ...(holdout && { holdout }),
    },
    outputArtifacts: { model_version: 'google.VertexModel', comparison: 'system.Metrics' },
    outputParameters: ['is_new_best', 'decision', 'auc_delta', 'p_value', 'version'],
  }), { FORMALIZE_METADATA_STORE: data.store });
}

async function scoresOf(l: Launch): Promise<{ label: number; score: number }[]> {
  const text = await readFile(join(l.artifacts['scores']!.uri, 'scores.jsonl'), 'utf8');
  return text.trim().split('\n').map((line) => JSON.parse(line));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'evaluate-e2e-'));
  data = await runDataPipeline(join(work, 'root'));
  // untrained: the base model of two seeds; trained: a few epochs of Adam.
  for (const [name, seed, epochs] of [['untrained', 1, 0], ['trained', 2, 4], ['untrained2', 3, 0]] as const) {
    const m = await makeModel(data, join(work, 'models', name), { seed, epochs });
    models[name] = { type: 'system.Model', uri: m.dir, metadata: m.metadata };
  }
  // The trained model as the runner records a training task: a system.Model output of a train execution that
  // read the dataset, so the registered version's lineage can reach the training run.
  const store = await openSqliteStore(data.store);
  const [dataset] = await store.listArtifacts({ filter: { uri: data.dataset.uri, type: 'google.VertexDataset' } });
  const train = await store.createExecution({ name: 'train', type: 'system.ContainerExecution', state: 'COMPLETE' });
  const model = await store.createArtifact({ type: 'system.Model', uri: models['trained']!.uri, metadata: models['trained']!.metadata as never });
  await store.addExecutionEvents(train.id, [{ artifactId: dataset!.id, type: 'INPUT', path: 'dataset' }, { artifactId: model.id, type: 'OUTPUT', path: 'model' }]);
  await store.close();
  for (const name of Object.keys(models)) evaluations[name] = await evaluateModel(name);
}, 300_000);

describe('evaluate', () => {
  it('writes KFP ClassificationMetrics and Metrics, and the score of every test row', async () => {
    const e = evaluations['trained']!;
    expect(e.errors).toEqual([]);
    expect(e.code).toBe(0);
    const scores = await scoresOf(e);
    expect(scores).toHaveLength(data.transform.analysis.rows.test);
    // The reported metrics are those of the written scores.
    const m = binaryMetrics(scores.map((s) => s.label), scores.map((s) => s.score));
    expect(e.output!.parameterValues).toEqual({ auc: m.auc, loss: m.loss, accuracy: m.accuracy });
    expect(m.auc).toBeGreaterThan(0.75);
    const metrics = e.artifacts['metrics']!.metadata;
    expect(metrics).toMatchObject({ rows: scores.length, auc: m.auc, average_precision: m.average_precision, pr_auc_trapezoid: m.pr_auc_trapezoid, f1: m.f1, threshold: 0.5 });
    const classification = e.artifacts['classification_metrics']!.metadata as { confusionMatrix: { annotationSpecs: unknown[]; rows: { row: number[] }[] }; confidenceMetrics: { confidenceThreshold: number; recall: number; falsePositiveRate: number }[] };
    expect(classification.confusionMatrix.annotationSpecs).toEqual([{ displayName: '0' }, { displayName: '1' }]);
    expect(classification.confusionMatrix.rows).toEqual([{ row: [m.confusion.tn, m.confusion.fp] }, { row: [m.confusion.fn, m.confusion.tp] }]);
    expect(classification.confidenceMetrics).toHaveLength(101);
    expect(Object.keys(classification.confidenceMetrics[0]!).sort()).toEqual(['confidenceThreshold', 'falsePositiveRate', 'recall']);
    const roc = JSON.parse(await readFile(join(e.artifacts['classification_metrics']!.uri, 'roc_curve.json'), 'utf8'));
    expect(roc.thresholds[0]).toBeNull();
    expect(roc.fpr.at(-1)).toBe(1);
  });

  it('slices by the raw payment_type of the exported test rows', async () => {
    const e = evaluations['trained']!;
    const raw = (await readFile(join(String(data.dataset.metadata['exported_jsonl_prefix']), 'data-00000-of-00001.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const scores = await scoresOf(e);
    const report = JSON.parse(await readFile(join(e.artifacts['metrics']!.uri, 'metrics.json'), 'utf8'));
    const cash = raw.map((r, i) => (r.payment_type === 'Cash' ? i : -1)).filter((i) => i >= 0);
    const slice = report.slices.find((s: { column: string; value: unknown }) => s.column === 'payment_type' && s.value === 'Cash');
    expect(slice.rows).toBe(cash.length);
    expect(slice.loss).toBeCloseTo(binaryMetrics(cash.map((i) => scores[i]!.label), cash.map((i) => scores[i]!.score)).loss, 12);
    expect(e.artifacts['metrics']!.metadata['payment_type:Cash/rows']).toBe(cash.length);
    expect(report.inputs).toBe('transformed test split');
  });

  it('slices by vocabulary tokens when the column is no raw column', async () => {
    const e = await evaluateModel('trained', { slice_columns: ['trip_day_of_week', 'payment_type'] }, 'evaluate-vocabulary-slices');
    expect(e.code).toBe(0);
    const report = JSON.parse(await readFile(join(e.artifacts['metrics']!.uri, 'metrics.json'), 'utf8'));
    expect(report.slices.filter((s: { column: string }) => s.column === 'trip_day_of_week').length).toBeGreaterThan(1);
  });

  it('scores the raw rows through the model\'s own transform when it bundles another than the dataset\'s', async () => {
    // The trained model, bundled with a transform analysed on other data (another mean and std for trip_miles).
    const dir = join(work, 'models', 'other-transform');
    await cp(models['trained']!.uri, dir, { recursive: true });
    const doc = JSON.parse(await readFile(join(dir, 'transform.json'), 'utf8'));
    const miles = doc.features.find((f: { name: string }) => f.name === 'trip_miles');
    miles.mean += 3;
    miles.std *= 2;
    await writeFile(join(dir, 'transform.json'), JSON.stringify(doc));
    models['other-transform'] = { ...models['trained']!, uri: dir };
    const e = await evaluateModel('other-transform');
    expect(e.errors).toEqual([]);
    const report = JSON.parse(await readFile(join(e.artifacts['metrics']!.uri, 'metrics.json'), 'utf8'));
    expect(report.inputs).toBe('raw test rows through the model\'s transform');
    const tf = await testTf();
    const bundle = await loadModelBundle(tf, dir);
    const transform = parseTransformArtifact(doc);
    const raw = (await readFile(join(String(data.dataset.metadata['exported_jsonl_prefix']), 'data-00000-of-00001.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const expected = predictRows(tf, bundle.model, bundle.spec, raw.map((r) => applyTransform(transform, r)));
    const scores = (await scoresOf(e)).map((s) => s.score);
    expect(scores).toEqual(Array.from(expected));
    // Not what the dataset's transformed rows would have given.
    expect(scores).not.toEqual((await scoresOf(evaluations['trained']!)).map((s) => s.score));
    bundle.model.dispose();
  });

  it('refuses bad input naming the field and the value, and leaves no outputs', async () => {
    const bad = await evaluateModel('trained', { slice_columns: ['no_such_column'] }, 'evaluate-bad-slice');
    expect(bad.code).toBe(1);
    expect(bad.errors).toEqual(['error: inputs.parameterValues.slice_columns[0]: not a column of the exported test rows, nor a vocabulary feature of the transform, received "no_such_column"']);
    expect(await readdir(join(work, 'evaluate-bad-slice'))).not.toContain('scores');
    expect(bad.output).toBeUndefined();
    const threshold = await evaluateModel('trained', { threshold: 2 }, 'evaluate-bad-threshold');
    expect(threshold.code).toBe(1);
    expect(threshold.errors.join('\n')).toMatch(/inputs\.parameterValues\.threshold: .*received 2/);
    const missing = await launch(work, 'evaluate', 'evaluate-missing', executorInput(work, 'evaluate-missing', {
      artifacts: { model: { type: 'system.Model', uri: join(work, 'nowhere') }, dataset: data.dataset },
      outputArtifacts: { classification_metrics: 'system.ClassificationMetrics', metrics: 'system.Metrics', scores: 'system.Dataset' },
      outputParameters: ['auc', 'loss', 'accuracy'],
    }));
    expect(missing.code).toBe(1);
    expect(missing.errors.join('\n')).toContain(join(work, 'nowhere', 'transform.json'));
  });
});

describe('register-model (champion/challenger)', () => {
  it('makes the first candidate the best when there is no champion', async () => {
    const r = await register('untrained', 'register-1');
    expect(r.errors).toEqual([]);
    expect(r.output!.parameterValues).toMatchObject({ is_new_best: true, version: 1, auc_delta: 0, p_value: 0 });
    expect(r.output!.parameterValues!['decision']).toBe('no best model in family chicago yet: the candidate becomes the best');
    expect(r.artifacts['model_version']).toMatchObject({
      uri: 'https://local-aiplatform.googleapis.com/v1/projects/formalize-local/locations/local/models/chicago@1',
      metadata: { resourceName: 'projects/formalize-local/locations/local/models/chicago@1', version: 1, artifactUri: models['untrained']!.uri, aliases: ['default', 'best'], labels: { candidate_model: '1' }, registered: true },
    });
  });

  it('replaces the champion with a clearly better candidate, on the same rows, and links the version to its training', async () => {
    const r = await register('trained', 'register-2');
    expect(r.errors).toEqual([]);
    const p = r.output!.parameterValues!;
    expect(p).toMatchObject({ is_new_best: true, version: 2 });
    expect(p['auc_delta']).toBeGreaterThan(0.1);
    expect(p['p_value']).toBeLessThan(0.01);
    expect(p['decision']).toMatch(/^new best, replacing version 1: AUC 0\.\d{4} vs 0\.\d{4} \(delta \+0\.\d{4}, 95% CI \[\+0\.\d{4}, \+0\.\d{4}\], p 0\.\d{4}\)/);
    // The candidate's AUC in the comparison is its evaluation's: same rows, same scores.
    expect(r.artifacts['comparison']!.metadata['auc_candidate']).toBeCloseTo(evaluations['trained']!.output!.parameterValues!['auc'] as number, 12);
    expect(r.artifacts['comparison']!.metadata['auc_champion']).toBeCloseTo(evaluations['untrained']!.output!.parameterValues!['auc'] as number, 6);
    const store = await openSqliteStore(data.store);
    const best = (await openRegistry(store).getByAlias('chicago', 'best'))!;
    expect(best).toMatchObject({ version: 2, uri: models['trained']!.uri, labels: { candidate_model: '1' } });
    expect(((best.metadata['registration'] as { evaluation: { overall: { auc: number } } }).evaluation).overall.auc).toBe(p['auc_delta'] as number + (r.artifacts['comparison']!.metadata['auc_champion'] as number));
    const lineage = await lineageOf(store, best.artifactId);
    const model = lineage!.root.producer!.inputs[0]!.node;
    expect(model.producer?.execution.name).toBe('train');
    expect(model.producer?.inputs[0]?.node.artifact.type).toBe('google.VertexDataset');
    await store.close();
  });

  it('keeps the champion against a worse candidate, registers nothing, and records why', async () => {
    const r = await register('untrained2', 'register-3');
    expect(r.errors).toEqual([]);
    const p = r.output!.parameterValues!;
    expect(p).toMatchObject({ is_new_best: false, version: 2 });
    expect(p['auc_delta']).toBeLessThan(0);
    expect(p['decision']).toMatch(/^kept version 2 as best: the candidate's AUC .* does not beat it by the margin 0\.001$/);
    expect(r.artifacts['model_version']!.metadata).toMatchObject({ version: 2, registered: false, artifactUri: models['trained']!.uri });
    const store = await openSqliteStore(data.store);
    expect((await openRegistry(store).listVersions('chicago')).map((v) => v.version)).toEqual([1, 2]);
    const comparisons = await store.listExecutions({ filter: { type: COMPARISON_TYPE } });
    expect(comparisons.map((c) => c.metadata['is_new_best'])).toEqual([true, true, false]);
    expect(comparisons[2]!.metadata['decision']).toBe(p['decision']);
    const [family] = await store.listContexts({ filter: { type: REGISTRY_TYPES.family, name: 'chicago' } });
    expect(await store.listExecutions({ filter: { type: COMPARISON_TYPE, contextId: family!.id } })).toHaveLength(3);
    await store.close();
  });

  it('does not replace the champion with itself (no difference, no margin)', async () => {
    const r = await register('trained', 'register-4');
    expect(r.output!.parameterValues).toMatchObject({ is_new_best: false, auc_delta: 0, p_value: 1, version: 2 });
  });

  it('compares on a fixed holdout when given one: both models scored on its rows through their own transforms', async () => {
    // The holdout: every other row of the test split (Parquet and exported raw rows alike), as a dataset artifact.
    const prefix = String(data.dataset.metadata['transformed_data_prefix']);
    const rawDir = String(data.dataset.metadata['exported_jsonl_prefix']);
    const [shard, ...more] = await listShards(join(prefix, 'test'));
    expect(more).toEqual([]);
    const dir = join(work, 'holdout');
    await mkdir(join(dir, 'data', 'test'), { recursive: true });
    await mkdir(join(dir, 'requests'), { recursive: true });
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(`COPY (SELECT * EXCLUDE (file_row_number) FROM read_parquet('${shard}', file_row_number = true) WHERE file_row_number % 2 = 0 ORDER BY file_row_number)
      TO '${join(dir, 'data', 'test', 'data-00000-of-00001.parquet')}' (FORMAT parquet)`);
    db.closeSync();
    const raw = (await readFile(join(rawDir, 'data-00000-of-00001.jsonl'), 'utf8')).trim().split('\n').filter((_, i) => i % 2 === 0);
    await writeFile(join(dir, 'requests', 'data-00000-of-00001.jsonl'), `${raw.join('\n')}\n`);
    const holdout: ArtifactIn = { type: 'google.VertexDataset', uri: dir, metadata: { label_column: 'tip_bin', transformed_data_prefix: join(dir, 'data'), exported_jsonl_prefix: join(dir, 'requests') } };

    const r = await register('untrained2', 'register-holdout', {}, holdout);
    expect(r.errors).toEqual([]);
    expect(r.output!.parameterValues).toMatchObject({ is_new_best: false, version: 2 });
    const comparison = r.artifacts['comparison']!.metadata;
    expect(comparison['compared_on']).toBe('holdout');
    const labels: number[] = [];
    for await (const row of readTransformedRows(join(dir, 'data', 'test'))) labels.push(Number(row['tip_bin']));
    expect(labels).toHaveLength(raw.length);
    const tf = await testTf();
    const aucOn = async (model: string) => {
      const bundle = await loadModelBundle(tf, models[model]!.uri);
      const scores = predictRows(tf, bundle.model, bundle.spec, raw.map((l) => applyTransform(bundle.transform, JSON.parse(l))));
      bundle.model.dispose();
      return binaryMetrics(labels, Array.from(scores)).auc!;
    };
    expect(comparison['auc_candidate']).toBeCloseTo(await aucOn('untrained2'), 12);
    expect(comparison['auc_champion']).toBeCloseTo(await aucOn('trained'), 12);
    // Not the numbers of the full test split (where evaluate scored the candidate).
    expect(comparison['auc_candidate']).not.toBeCloseTo(evaluations['untrained2']!.output!.parameterValues!['auc'] as number, 6);
    const file = JSON.parse(await readFile(join(r.artifacts['comparison']!.uri, 'comparison.json'), 'utf8'));
    expect(file.compared_on).toEqual({ rows: 'holdout', dataset: dir });

    const bad = await register('untrained2', 'register-holdout-bad', {}, { ...holdout, metadata: { label_column: 'tip_bin' } });
    expect(bad.code).toBe(1);
    expect(bad.errors).toEqual(['error: inputs.artifacts.holdout.metadata.transformed_data_prefix: expected the URI the data pipeline recorded, received nothing']);
  });

  it('requires the metadata store and a model family', async () => {
    const e = evaluations['trained']!;
    const ei = (model: ArtifactIn) => executorInput(work, 'register-bad', {
      artifacts: { model, dataset: data.dataset, scores: { type: 'system.Dataset', ...e.artifacts['scores']! } },
      outputArtifacts: { model_version: 'google.VertexModel', comparison: 'system.Metrics' },
      outputParameters: ['is_new_best', 'decision', 'auc_delta', 'p_value', 'version'],
    });
    const noStore = await launch(work, 'register-model', 'register-bad', ei(models['trained']!), { FORMALIZE_METADATA_STORE: '' });
    expect(noStore.errors).toEqual(['error: FORMALIZE_METADATA_STORE: expected the path of the ML Metadata store holding the model registry (the local runner sets it to <pipeline root>/metadata.sqlite), received nothing']);
    const noFamily = await launch(work, 'register-model', 'register-bad', ei({ ...models['trained']!, metadata: {} }), { FORMALIZE_METADATA_STORE: data.store });
    expect(noFamily.errors).toEqual(['error: inputs.artifacts.model.metadata.model_family: expected the model family (or pass the family parameter), received nothing']);
  });
});

describe('batch-predict', () => {
  const outputs = { batch_prediction_job: 'google.VertexBatchPredictionJob' };
  const outputParameters = ['prediction_count', 'error_count'];

  it('predicts the exported raw test rows with the registered best model, as evaluate scored them', async () => {
    const r = await launch(work, 'batch-predict', 'batch', executorInput(work, 'batch', {
      artifacts: {
        model: { type: 'google.VertexModel', uri: 'https://local-aiplatform.googleapis.com/v1/projects/formalize-local/locations/local/models/chicago@best', metadata: { resourceName: 'projects/formalize-local/locations/local/models/chicago@best' } },
        instances: { type: 'system.Dataset', uri: String(data.dataset.metadata['exported_jsonl_prefix']) },
      },
      outputArtifacts: outputs,
      outputParameters,
    }), { FORMALIZE_METADATA_STORE: data.store });
    expect(r.errors).toEqual([]);
    expect(r.output!.parameterValues).toEqual({ prediction_count: data.transform.analysis.rows.test, error_count: 0 });
    const dir = r.artifacts['batch_prediction_job']!.uri;
    expect((await readdir(dir)).sort()).toEqual(['prediction.errors_stats-00000-of-00001', 'prediction.results-00000-of-00001']);
    const lines = (await readFile(join(dir, 'prediction.results-00000-of-00001'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const expected = await scoresOf(evaluations['trained']!);
    expect(lines.map((l) => l.prediction.scores)).toEqual(expected.map((s) => s.score));
    expect(Object.keys(lines[0].instance)).toContain('payment_type');
    expect(r.artifacts['batch_prediction_job']!.metadata).toMatchObject({ resourceName: expect.stringMatching(/^projects\/formalize-local\/locations\/local\/batchPredictionJobs\/\d+$/), gcsOutputDirectory: dir });
  });

  it('reports bad instances, and fails past max_error_fraction naming them', async () => {
    const file = join(work, 'instances', 'mixed.jsonl');
    await mkdir(join(work, 'instances'), { recursive: true });
    const good = (await readFile(join(String(data.dataset.metadata['exported_jsonl_prefix']), 'data-00000-of-00001.jsonl'), 'utf8')).trim().split('\n').slice(0, 3);
    const withLabel = JSON.stringify({ ...JSON.parse(good[0]!), tip_bin: 1 });
    await writeFile(file, [...good, '{not json', JSON.stringify({ ...JSON.parse(good[1]!), trip_miles: 'far' }), withLabel].join('\n') + '\n');
    const ei = (parameters: Record<string, unknown>) => executorInput(work, 'batch-mixed', {
      parameters: { gcs_source_uris: [file], ...parameters },
      artifacts: { model: models['trained']! },
      outputArtifacts: outputs,
      outputParameters,
    });
    const strict = await launch(work, 'batch-predict', 'batch-mixed', ei({}));
    expect(strict.code).toBe(1);
    expect(strict.errors).toEqual([`error: 3 of 6 instances could not be predicted (max_error_fraction 0); first: ${file}:4: not JSON (Expected property name or '}' in JSON at position 1 (line 1 column 2)); ${file}:5: instance.trip_miles: expected a finite number or null, received "far"; ${file}:6: instance.tip_bin: unknown feature (the model takes ${data.transform.features.map((f) => f.name).join(', ')})`]);
    const lenient = await launch(work, 'batch-predict', 'batch-mixed', ei({ max_error_fraction: 0.5, excluded_fields: ['tip_bin'] }));
    expect(lenient.errors).toEqual([]);
    expect(lenient.output!.parameterValues).toEqual({ prediction_count: 4, error_count: 2 });
    const errors = (await readFile(join(lenient.artifacts['batch_prediction_job']!.uri, 'prediction.errors_stats-00000-of-00001'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(errors.map((e) => e.location)).toEqual([`${file}:4`, `${file}:5`]);
    // The excluded field stays in the output instance.
    const last = (await readFile(join(lenient.artifacts['batch_prediction_job']!.uri, 'prediction.results-00000-of-00001'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).at(-1);
    expect(last.instance.tip_bin).toBe(1);
  });

  it('wants exactly one source of instances', async () => {
    const r = await launch(work, 'batch-predict', 'batch-none', executorInput(work, 'batch-none', { artifacts: { model: models['trained']! }, outputArtifacts: outputs, outputParameters }));
    expect(r.errors).toEqual(['error: inputs: give exactly one of the instances artifact and gcs_source_uris, received neither']);
  });
});

describe('model-get', () => {
  const get = (task: string, parameters: Record<string, unknown>) => launch(work, 'model-get', task, executorInput(work, task, {
    parameters: { family: 'chicago', ...parameters }, outputArtifacts: { model: 'system.Model' }, outputParameters: ['resource_name', 'version'],
  }), { FORMALIZE_METADATA_STORE: data.store });

  it('returns the version by alias, label or number, as its model folder with the registered metadata', async () => {
    const store = await openSqliteStore(data.store);
    const registry = openRegistry(store);
    const best = (await registry.getByAlias('chicago', 'best'))!;
    const newestCandidate = (await registry.listVersions('chicago', { label: 'candidate_model' })).at(-1)!;
    await store.close();
    const byAlias = await get('get-best', { alias: 'best' });
    expect(byAlias.errors).toEqual([]);
    expect(byAlias.artifacts['model']!.uri).toBe(best.uri);
    expect(byAlias.artifacts['model']!.metadata).toMatchObject({ model_family: 'chicago', resourceName: best.resourceName, version: best.version, aliases: expect.arrayContaining(['best']) });
    expect(byAlias.output!.parameterValues).toEqual({ resource_name: best.resourceName, version: best.version });
    const byLabel = await get('get-label', { label: 'candidate_model' });
    expect(byLabel.output!.parameterValues).toEqual({ resource_name: newestCandidate.resourceName, version: newestCandidate.version });
    const byNumber = await get('get-number', { version: best.version });
    expect(byNumber.artifacts['model']!.uri).toBe(best.uri);
  });

  it('names what it could not find, and wants exactly one selector', async () => {
    expect((await get('get-none', { version: 99 })).errors).toEqual(['error: inputs.parameterValues.version: a registered version of model family "chicago" (no version has version 99), received 99']);
    expect((await get('get-alias', { alias: 'gold' })).errors).toEqual(['error: inputs.parameterValues.alias: a registered version of model family "chicago" (no version has alias "gold"), received "gold"']);
    const two = await get('get-two', { alias: 'best', version: 1 });
    expect(two.code).toBe(1);
    expect(two.errors[0]).toMatch(/^error: inputs\.parameterValues: exactly one of alias, version and label, received/);
    expect((await readdir(join(work, 'get-two')).catch(() => [])).filter((f) => f === 'model')).toEqual([]);
  });
});
