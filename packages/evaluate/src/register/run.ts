// run() of register-model: champion/challenger against the registry's `best` version, on the same test rows.
// The candidate's scores are evaluate's; the champion is scored here on the dataset's raw test rows through its
// own bundled transform (it may have been trained on other data, with other vocabularies). Registration and
// the move of `best` are one registry transaction, conditional on `best` still being the champion compared
// against; the decision is recorded in ML Metadata (a formalize.ModelComparison execution in the family's
// context) whether or not the candidate is registered.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractError, describeValue, uriToLocalPath, writeFilesAtomic, type JsonObject } from '@formalize/common';
import type { MetadataStore } from '@formalize/common/metadata';
import { ALIAS, openRegistry, REGISTRY_TYPES, RegistryConflictError, type ModelVersion } from '@formalize/common/registry';
import type { RegisterContext, RegisterResult } from '../components.ts';
import { readJsonlShards, readTestSplit } from '../data/test-split.ts';
import { COMPARISON_FILE, METRICS_FILE } from '../evaluate/files.ts';
import { pairedBootstrapAuc, type PairedBootstrapResult } from '../metrics/bootstrap.ts';
import { openScorer } from '../model/scorer.ts';
import { decide, type Decision } from './decide.ts';
import { readScores } from './scores.ts';
import { openMetadataStore } from './store.ts';

type Ctx = RegisterContext;
type Out = RegisterResult;

export const COMPARISON_TYPE = 'formalize.ModelComparison';

function familyOf(inputs: Ctx['inputs']): string {
  if (inputs.family !== undefined) return inputs.family;
  const f = inputs.model.metadata['model_family'];
  if (typeof f === 'string' && f !== '') return f;
  throw new ContractError([`inputs.artifacts.model.metadata.model_family: expected the model family (or pass the family parameter), received ${describeValue(f)}`]);
}

async function candidateMetrics(inputs: Ctx['inputs']): Promise<JsonObject | undefined> {
  if (!inputs.metrics) return undefined;
  try {
    return JSON.parse(await readFile(join(inputs.metrics.path, METRICS_FILE), 'utf8')) as JsonObject;
  } catch {
    // An upstream that wrote only metadata (e.g. another evaluator): its scalars are the metrics.
    return { ...inputs.metrics.metadata } as JsonObject;
  }
}

/** The newest ML Metadata artifact of the candidate model (the runner recorded it as the trainer's output). */
async function modelArtifactId(store: MetadataStore, uri: string): Promise<string | undefined> {
  const [a] = await store.listArtifacts({ filter: { uri, type: 'system.Model' }, orderBy: 'createTime desc', limit: 1 });
  return a?.id;
}

export async function runRegister({ inputs, outputs, log }: Ctx): Promise<Out> {
  const family = familyOf(inputs);
  const { labels, scores } = await readScores(inputs.scores.path);
  const store = await openMetadataStore();
  try {
    const registry = openRegistry(store, { project: inputs.project });
    const champion = await registry.getByAlias(family, ALIAS.best);
    let boot: PairedBootstrapResult | undefined;
    let decision: Decision;
    if (!champion) {
      decision = { isNewBest: true, reason: `no best model in family ${family} yet: the candidate becomes the best` };
    } else {
      const rows = inputs.holdout
        ? await holdoutRows(inputs.holdout, inputs.model.path, log)
        : { labels, candidate: scores, raw: await exportedTestRows(inputs.dataset, scores.length) };
      const championScores = await scoreRaw(uriToLocalPath(champion.uri), rows.raw, `the champion ${champion.resourceName}`, log);
      boot = pairedBootstrapAuc(rows.labels, rows.candidate, championScores, { resamples: inputs.bootstrap_resamples, seed: inputs.seed });
      decision = decide(champion, boot, inputs.margin, inputs.alpha);
    }
    log.info('decision', { family, isNewBest: decision.isNewBest, reason: decision.reason });

    const sourceArtifactId = await modelArtifactId(store, inputs.model.uri);
    const comparison: JsonObject = {
      model_family: family,
      candidate: inputs.model.uri,
      champion_version: champion?.version ?? null,
      compared_on: inputs.holdout ? { rows: 'holdout', dataset: inputs.holdout.uri } : { rows: 'test', dataset: inputs.dataset.uri },
      margin: inputs.margin,
      alpha: inputs.alpha,
      ...(boot && { bootstrap: { ...boot } }),
      is_new_best: decision.isNewBest,
      decision: decision.reason,
    };
    let best: ModelVersion;
    if (decision.isNewBest) {
      const metrics = await candidateMetrics(inputs);
      try {
        best = await registry.registerVersion({
          family,
          uri: inputs.model.uri,
          labels: inputs.labels,
          aliases: [ALIAS.best],
          // Only if `best` is still the model compared against: another run may have moved it meanwhile.
          expectAliases: { [ALIAS.best]: champion?.version ?? null },
          ...(sourceArtifactId !== undefined && { sourceArtifactId }),
          description: decision.reason,
          // The model artifact's own metadata, as model-build and warmup register theirs (so model-get gives any
          // version back as the same system.Model), and this registration's evidence beside it.
          metadata: {
            ...(inputs.model.metadata as JsonObject),
            registration: {
              dataset: (inputs.dataset.metadata['resourceName'] as string | undefined) ?? inputs.dataset.uri,
              ...(metrics && { evaluation: metrics }),
              comparison,
            },
          },
        });
      } catch (err) {
        if (err instanceof RegistryConflictError) {
          throw new ContractError([`registry: ${err.message} since this run read it; the candidate was compared against the old best, so it is not registered. Run register-model again to compare it with the new best`]);
        }
        throw err;
      }
      log.info('registered', { resourceName: best.resourceName, aliases: best.aliases });
    } else best = champion!;

    comparison['registered_version'] = decision.isNewBest ? best.version : null;
    await recordComparison(store, family, comparison, { candidate: sourceArtifactId, champion: champion?.artifactId });

    await writeFilesAtomic([{ path: join(outputs.comparison.path, COMPARISON_FILE), content: `${JSON.stringify(comparison, null, 2)}\n` }]);
    outputs.comparison.metadata = {
      ...(boot && {
        auc_candidate: boot.auc_candidate, auc_champion: boot.auc_champion, auc_delta: boot.auc_delta,
        ci_low: boot.ci_low, ci_high: boot.ci_high, p_value: boot.p_value, resamples: boot.resamples,
      }),
      margin: inputs.margin,
      alpha: inputs.alpha,
      compared_on: inputs.holdout ? 'holdout' : 'test',
      is_new_best: decision.isNewBest ? 1 : 0,
    };
    outputs.model_version.uri = `https://local-aiplatform.googleapis.com/v1/${best.resourceName}`;
    outputs.model_version.metadata = {
      resourceName: best.resourceName,
      model_family: best.family,
      version: best.version,
      artifactUri: best.uri,
      aliases: [...best.aliases],
      labels: { ...best.labels },
      registered: decision.isNewBest,
    };
    return {
      is_new_best: decision.isNewBest,
      decision: decision.reason,
      auc_delta: boot?.auc_delta ?? 0,
      p_value: boot?.p_value ?? 0,
      version: best.version,
    };
  } finally {
    await store.close();
  }
}

/** The raw test rows of the candidate's dataset, which evaluate scored the candidate on. */
async function exportedTestRows(dataset: Ctx['inputs']['dataset'], scored: number): Promise<Record<string, unknown>[]> {
  const rawUri = dataset.metadata['exported_jsonl_prefix'];
  if (typeof rawUri !== 'string' || rawUri === '') throw new ContractError([`inputs.artifacts.dataset.metadata.exported_jsonl_prefix: expected the raw test rows (the champion is scored on them), received ${describeValue(rawUri)}`]);
  const raw = await readJsonlShards(uriToLocalPath(rawUri));
  if (raw.length !== scored) throw new ContractError([`inputs.artifacts.scores: ${scored} scores for ${raw.length} exported test rows (the candidate must be scored on the same rows)`]);
  return raw;
}

/** A fixed holdout's test rows and labels, with the candidate's scores on them (evaluate scored another split). */
async function holdoutRows(holdout: NonNullable<Ctx['inputs']['holdout']>, candidateDir: string, log: Ctx['log']) {
  const split = await readTestSplit(holdout, { raw: 'required', input: 'holdout' });
  const candidate = await scoreRaw(candidateDir, split.raw!, 'the candidate', log);
  log.info('comparing on the holdout', { holdout: holdout.uri, rows: split.labels.length });
  return { labels: split.labels, candidate, raw: split.raw! };
}

/** P(label = 1) of raw rows through the model folder's own bundled transform. */
async function scoreRaw(dir: string, raw: readonly Record<string, unknown>[], who: string, log: Ctx['log']): Promise<Float32Array> {
  const scorer = await openScorer(dir, log);
  try {
    return scorer.scoreRaw(raw);
  } catch (err) {
    throw new ContractError([`${who} cannot score the ${raw.length} comparison rows: ${(err as Error).message}`]);
  } finally {
    scorer.dispose();
  }
}

/** The decision as an execution in the family's context: the registry's history of who was compared, and why. */
async function recordComparison(store: MetadataStore, family: string, comparison: JsonObject, ids: { candidate?: string | undefined; champion?: string | undefined }) {
  const context = await store.getOrCreateContext({ type: REGISTRY_TYPES.family, name: family });
  const execution = await store.createExecution({ name: `compare ${family}`, type: COMPARISON_TYPE, state: 'COMPLETE', metadata: comparison });
  await store.addExecutionEvents(execution.id, [
    ...(ids.candidate ? [{ artifactId: ids.candidate, type: 'INPUT' as const, path: 'candidate' }] : []),
    ...(ids.champion ? [{ artifactId: ids.champion, type: 'INPUT' as const, path: 'champion' }] : []),
  ]);
  await store.addContextArtifactsAndExecutions(context.id, [], [execution.id]);
}
