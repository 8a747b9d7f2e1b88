// run() of dataflow-preprocess: check the inputs against the table, analyse the train split in the warehouse,
// transform every split with the engine, then publish all outputs at once with their metadata.
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ContractError, describeValue } from '@formalize/common';
import type { JsonObject } from '@formalize/common';
import type { SplitName, TransformArtifact } from '@formalize/common/transform';
import { SPLIT_NAMES, transformedColumns } from '@formalize/common/transform';
import { formatTableRef, openWarehouse } from '@formalize/common/warehouse';
import { analyze } from './analyze.ts';
import { buildTransformArtifact } from './build-artifact.ts';
import type { PreprocessContext, PreprocessResult } from './components.ts';
import type { ShardSet, TransformJobResult } from './engine.ts';
import { localEngine } from './local-engine.ts';
import { makePlan, resolveTableRef } from './plan.ts';
import { Staging } from './staging.ts';
import { keepVocabularies, readVocabularySource } from './vocabulary-source.ts';

export async function runPreprocess({ inputs, outputs, log, signal }: PreprocessContext): Promise<PreprocessResult> {
  const ref = resolveTableRef(inputs);
  const wh = await openWarehouse({ onWait: (message) => log.info(message) });
  const staging = new Staging();
  try {
    const info = await wh.getTable(ref);
    if (!info) {
      const field = inputs.table ? 'inputs.artifacts.table.metadata' : 'inputs.parameterValues.bq_table';
      throw new ContractError([`${field}: no such table in the warehouse, received ${describeValue(formatTableRef(ref))}`]);
    }
    const plan = await makePlan(wh, info, inputs);
    log.info('analyzing the train split', { table: plan.tableName, rows: info.numRows, splitKey: plan.split.keyColumns.map((c) => c.name) });
    const analysis = await analyze(wh, plan);
    const kept = inputs.vocabulary_source && keepVocabularies(await readVocabularySource(inputs.vocabulary_source.path), plan.categorical, analysis.vocabularies);
    const artifact = buildTransformArtifact(plan, kept ? { ...analysis, vocabularies: kept.vocabularies } : analysis);
    log.info('analyzed', {
      rows: analysis.rows, vocabularySizes: artifact.groups.vocabularySizes,
      ...(kept && { vocabularySource: inputs.vocabulary_source!.uri, unseenTokens: kept.unseen }),
    });

    const dirs = {
      train: await staging.dir(outputs.train.path),
      val: await staging.dir(outputs.val.path),
      test: await staging.dir(outputs.test.path),
      requests: await staging.dir(outputs.test_requests.path),
    };
    await staging.file(outputs.transform.path, `${JSON.stringify(artifact, null, 2)}\n`);
    const started = performance.now();
    const result = await localEngine(wh).run(
      { table: plan.table, tableName: plan.tableName, artifact, outputs: dirs, rowsPerShard: plan.rowsPerShard, expectedRows: analysis.rows },
      { log, signal },
    );
    const seconds = (performance.now() - started) / 1000;
    const rows = SPLIT_NAMES.reduce((n, s) => n + result.splits[s].rows, 0);
    log.info('transformed', { rows, seconds: Number(seconds.toFixed(3)), rowsPerSecond: Math.round(rows / seconds) });
    checkCounts(result, analysis.rows);
    await staging.commit();

    for (const s of SPLIT_NAMES) outputs[s].metadata = splitMetadata(artifact, s, result.splits[s], outputs.transform.uri);
    outputs.transform.metadata = {
      ...transformMetadata(artifact, SPLIT_NAMES.map((n) => outputs[n].uri), outputs.test_requests.uri),
      ...(kept && { vocabulary_source: inputs.vocabulary_source!.uri, unseen_tokens: { ...kept.unseen } }),
    };
    outputs.test_requests.metadata = requestsMetadata(artifact, result.requests);
    return {
      numeric_features: [...artifact.groups.numeric],
      categorical_features: [...artifact.groups.categorical],
      embedding_features: [...artifact.groups.embedding],
      train_rows: result.splits.train.rows,
      val_rows: result.splits.val.rows,
      test_rows: result.splits.test.rows,
    };
  } finally {
    await staging.discard();
    await wh.close();
  }
}

// The engine's split is the analysis's split (same SQL over a read-only table): a difference is a bug.
function checkCounts(result: TransformJobResult, expected: Readonly<Record<SplitName, number>>): void {
  for (const s of SPLIT_NAMES) {
    if (result.splits[s].rows !== expected[s]) throw new Error(`preprocess: the ${s} split has ${result.splits[s].rows} rows, the analysis counted ${expected[s]}`);
  }
  if (result.requests.rows !== result.splits.test.rows) throw new Error(`preprocess: ${result.requests.rows} test requests for ${result.splits.test.rows} test rows`);
}

function shardsMetadata(set: ShardSet): JsonObject {
  return { rows: set.rows, shards: set.files.map((f) => basename(f)) };
}

function splitMetadata(artifact: TransformArtifact, split: SplitName, set: ShardSet, transformUri: string): JsonObject {
  return {
    split,
    format: 'parquet',
    ...shardsMetadata(set),
    schema: transformedColumns(artifact).map((c) => ({ name: c.name, type: c.type })),
    labelColumn: artifact.label.name,
    transform: transformUri,
  };
}

/** The seed's data locations: `<prefix>/{train,val,test}` when the splits are siblings named so (as the local
 *  runner and Vertex lay out a task's outputs), and the exported test requests. */
function transformedDataPrefix(splitUris: readonly string[]): string | undefined {
  const parents = new Set(splitUris.map((u, i) => (u.endsWith(`/${SPLIT_NAMES[i]}`) ? u.slice(0, -SPLIT_NAMES[i]!.length - 1) : undefined)));
  const [prefix] = parents;
  return parents.size === 1 && prefix ? prefix : undefined;
}

function transformMetadata(artifact: TransformArtifact, splitUris: readonly string[], requestsUri: string): JsonObject {
  const { split } = artifact;
  const prefix = transformedDataPrefix(splitUris);
  return {
    format: artifact.format,
    version: artifact.version,
    source: artifact.source,
    labelColumn: artifact.label.name,
    // The feature groups and locations under the seed's dataset-metadata keys (tabular-dataset-create reads them).
    numeric_features: [...artifact.groups.numeric],
    categorical_features: [...artifact.groups.categorical],
    embedding_features: [...artifact.groups.embedding],
    ...(prefix && { transformed_data_prefix: prefix }),
    exported_jsonl_prefix: requestsUri,
    vocabularySizes: { ...artifact.groups.vocabularySizes },
    rows: { ...artifact.analysis.rows },
    split: {
      algorithm: split.algorithm,
      keyColumns: split.keyColumns.map((c) => c.name),
      percentages: SPLIT_NAMES.map((s) => split.ranges[s][1] - split.ranges[s][0]),
    },
  };
}

function requestsMetadata(artifact: TransformArtifact, set: ShardSet): JsonObject {
  return {
    split: 'test',
    format: 'jsonl',
    ...shardsMetadata(set),
    schema: artifact.features.map((f) => ({ name: f.name, type: f.type })),
    excludes: [artifact.label.name],
  };
}
