// The real inputs of an end-to-end study: the sample data through the data pipeline (`formalize run` of the
// compiled data-preprocessing IR into a temp pipeline root) and a base model built for its transform artifact with
// @formalize/common/model, described as the model artifact convention says. Shared by the e2e test and bench/tune.ts.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JsonObject } from '@formalize/common';
import { MODEL_FRAMEWORK, architectureHash, buildBaseModel, initializationHash, kerasTopology, loadTf, modelSpecFromTransform, saveModel } from '@formalize/common/model';
import { readTransformArtifact } from '@formalize/common/transform';
import type { ArtifactRef } from '../src/tuning/trial.ts';

const REPO = resolve(import.meta.dirname, '../../..');

/** Runs the data pipeline into `pipelineRoot`; returns its dataset artifact (google.VertexDataset). */
export function runDataPipeline(pipelineRoot: string): ArtifactRef {
  const r = spawnSync(process.execPath, [join(REPO, 'packages/cli/src/main.ts'), 'run', join(REPO, 'pipelines/compiled/data-preprocessing.yaml'), '--pipeline-root', pipelineRoot], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`data pipeline failed:\n${r.stderr}${r.stdout}`);
  const runDir = join(pipelineRoot, readdirSync(pipelineRoot).find((d) => d.startsWith('data-preprocessing-'))!);
  const out = JSON.parse(readFileSync(join(runDir, 'tabular-dataset-create/executor_output.json'), 'utf8')).artifacts.dataset.artifacts[0];
  return { uri: out.uri, path: out.uri, metadata: out.metadata };
}

export const BASE_MODEL_FAMILY = 'chicago-taxi-tips';

/** The untrained base model of `dataset` saved under `dir`, with the system.Model metadata model-build writes. */
export async function buildBaseModelArtifact(dataset: ArtifactRef, dir: string, seed = 42): Promise<ArtifactRef> {
  const { tf } = await loadTf({ prefer: ['wasm', 'cpu'] });
  const transformUri = dataset.metadata['transform_artifacts_dir'] as string;
  const transform = await readTransformArtifact(transformUri);
  const model = buildBaseModel(tf, modelSpecFromTransform(transform), { seed });
  const architecture = architectureHash(kerasTopology(model));
  const metadata: JsonObject = {
    framework: MODEL_FRAMEWORK, model_family: BASE_MODEL_FAMILY, labels: { base_model: '1' }, architecture,
    initialization: initializationHash(architecture, seed), transform: transformUri, dataset: dataset.metadata['resourceName'] as string,
  };
  await saveModel(model, dir, { metadata, transform });
  model.dispose();
  return { uri: dir, path: dir, metadata };
}
