// run() of evaluate: score the test split with the model, compute the metrics, and write them as KFP's
// ClassificationMetrics and Metrics artifacts (the runner records both in ML Metadata as outputs of this
// execution, whose input is the model: that is where the evaluation is stored against the model) and the
// per-row scores.
import { join } from 'node:path';
import { ContractError, uriToLocalPath, writeFilesAtomic, type JsonObject } from '@formalize/common';
import { readTransformArtifact } from '@formalize/common/transform';
import type { EvaluateContext, EvaluateResult } from '../components.ts';
import { readTestSplit } from '../data/test-split.ts';
import { binaryMetrics, classificationMetricsMetadata, ratesAt, rocCurve, sliceMetrics, sliceName, type BinaryMetrics } from '../metrics/index.ts';
import { openScorer } from '../model/scorer.ts';
import { CLASSIFICATION_FILE, METRICS_FILE, ROC_FILE, SCORES_FILE } from './files.ts';
import { sliceValues } from './slices.ts';

type Ctx = EvaluateContext;
type Out = EvaluateResult;


/** The scalar metrics of one evaluation, for KFP Metrics (numbers only; undefined ones are left out). */
export function scalars(m: BinaryMetrics, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  const keys = ['rows', 'positives', 'loss', 'accuracy', 'auc', 'average_precision', 'pr_auc_trapezoid', 'precision', 'recall', 'f1'] as const;
  for (const k of keys) {
    const v = m[k];
    if (typeof v === 'number' && Number.isFinite(v)) out[prefix + k] = v;
  }
  return out;
}

export async function runEvaluate({ inputs, outputs, log }: Ctx): Promise<Out> {
  const split = await readTestSplit(inputs.dataset, { raw: 'optional' });
  log.info('test split read', { rows: split.rows.length, positives: split.labels.reduce((a, b) => a + b, 0), raw: split.raw !== undefined });
  const scorer = await openScorer(inputs.model.path, log);
  try {
    const transformUri = inputs.dataset.metadata['transform_artifacts_dir'];
    const datasetTransform = typeof transformUri === 'string' ? await readTransformArtifact(uriToLocalPath(transformUri)) : undefined;
    // The split's rows were transformed with the dataset's transform: they are this model's inputs only when
    // the model bundles that same transform. Otherwise the raw rows go through the model's own (as in serving).
    const sameTransform = datasetTransform !== undefined && JSON.stringify(datasetTransform) === JSON.stringify(scorer.bundle.transform);
    let scores: Float32Array;
    if (sameTransform) scores = scorer.scoreTransformed(split.rows);
    else if (split.raw) {
      log.warn('the model bundles another transform than the dataset: scoring the raw test rows through the model\'s own transform');
      scores = scorer.scoreRaw(split.raw);
    } else throw new ContractError(['inputs.artifacts.model: its transform.json differs from the dataset\'s transform and the dataset exported no raw test rows to score it on']);

    const m = binaryMetrics(split.labels, scores, inputs.threshold);
    if (m.auc === null) throw new ContractError([`${split.testDir}: the test split holds label ${split.labels[0]} only (${m.rows} rows): a binary classifier cannot be evaluated on it`]);
    const grid = ratesAt(split.labels, scores);
    const roc = rocCurve(split.labels, scores);
    const transform = datasetTransform ?? scorer.bundle.transform;
    const slices = inputs.slice_columns.flatMap((column, i) => sliceMetrics(column, sliceValues(column, i, split.rows, split.raw, transform), split.labels, scores, inputs.threshold));
    const classNames = inputs.class_names as [string, string];

    const classification = classificationMetricsMetadata(m.confusion, grid, classNames);
    const flat: Record<string, number> = { ...scalars(m), threshold: inputs.threshold };
    for (const s of slices) {
      const prefix = `${sliceName(s)}/`;
      for (const [k, v] of Object.entries(scalars(s, prefix))) if (/\/(rows|loss|accuracy|auc)$/.test(k)) flat[k] = v;
    }
    const report: JsonObject = {
      model: inputs.model.uri,
      dataset: (inputs.dataset.metadata['resourceName'] as string | undefined) ?? inputs.dataset.uri,
      inputs: sameTransform ? 'transformed test split' : 'raw test rows through the model\'s transform',
      backend: scorer.backend,
      overall: { ...m, confusion: { ...m.confusion } },
      slices: slices.map((s) => ({ ...s, confusion: { ...s.confusion } })),
      confidence_metrics: grid.map((p) => ({ ...p })),
    };
    await writeFilesAtomic([
      { path: join(outputs.metrics.path, METRICS_FILE), content: `${JSON.stringify(report, null, 2)}\n` },
      { path: join(outputs.classification_metrics.path, CLASSIFICATION_FILE), content: `${JSON.stringify(classification)}\n` },
      { path: join(outputs.classification_metrics.path, ROC_FILE), content: `${JSON.stringify(roc)}\n` },
      { path: join(outputs.scores.path, SCORES_FILE), content: Array.from(scores, (p, i) => `{"label":${split.labels[i]},"score":${p}}\n`).join('') },
    ]);
    outputs.classification_metrics.metadata = classification;
    outputs.metrics.metadata = flat;
    outputs.scores.metadata = { rows: scores.length, labelColumn: split.labelColumn, format: 'jsonl', model: inputs.model.uri };
    log.info('evaluated', { auc: m.auc, loss: m.loss, accuracy: m.accuracy, average_precision: m.average_precision, slices: slices.length });
    return { auc: m.auc, loss: m.loss, accuracy: m.accuracy };
  } finally {
    scorer.dispose();
  }
}
