// Saves and loads models in the TF.js Layers format, the one `tf.loadLayersModel('file://...')` (tfjs-node) and
// `tensorflowjs_converter --input_format=tfjs_layers_model` read: a folder with `model.json` (the Keras topology,
// the weights manifest, `userDefinedMetadata`) and `weights.bin`, here plus `transform.json`, the transform
// artifact the model was built for (the model bundles its preprocessing, for serving). A save is atomic: the
// folder is written under a temp name beside the target and renamed into place, so a reader never sees half a
// model and a failed save leaves whatever was there.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import type { JsonObject } from '../ir/types.ts';
import { readTransformArtifact, type TransformArtifact } from '../transform/artifact.ts';
import { registerModelLayers } from './category-encoding.ts';
import { architectureHash, kerasTopology, type KerasTopology } from './keras.ts';
import { modelSpecFromTransform, type ModelSpec } from './spec.ts';
import type { LayersModel, Tf } from './tf.ts';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const TRANSFORM_FILE = 'transform.json';
/** The key of model.json's `userDefinedMetadata` holding formalize's metadata. */
export const METADATA_KEY = 'formalize';

export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

export interface SaveModelOptions {
  /** Stored as `userDefinedMetadata.formalize` in model.json (e.g. the model artifact metadata). */
  metadata?: JsonObject;
  /** Written as transform.json. */
  transform?: TransformArtifact;
}

export interface SavedModel {
  dir: string;
  files: string[];
  topology: KerasTopology;
  /** architectureHash(topology). */
  architecture: string;
}

const bytesOf = (data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array =>
  data === undefined ? new Uint8Array(0) : Array.isArray(data) ? new Uint8Array(Buffer.concat(data.map((b) => new Uint8Array(b)))) : new Uint8Array(data);

/** Replaces `dir` with the folder `staged` (a sibling), whether or not `dir` exists. */
async function swapInto(staged: string, dir: string): Promise<void> {
  try {
    await rename(staged, dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  const old = `${dir}.old-${randomBytes(4).toString('hex')}`;
  await rename(dir, old);
  try {
    await rename(staged, dir);
  } catch (err) {
    await rename(old, dir);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}

export async function saveModel(model: LayersModel, dir: string, opts: SaveModelOptions = {}): Promise<SavedModel> {
  const topology = kerasTopology(model);
  await mkdir(dirname(dir), { recursive: true });
  const staged = join(dirname(dir), `.${basename(dir)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(staged);
  try {
    const files = [MODEL_FILE, WEIGHTS_FILE];
    // An IOHandler whose save writes the folder: TF.js hands it the weights and their manifest.
    const handler: io.IOHandler = {
      async save(artifacts) {
        const weights = bytesOf(artifacts.weightData as ArrayBuffer | ArrayBuffer[] | undefined);
        const modelJson = {
          modelTopology: topology,
          format: 'layers-model',
          generatedBy: artifacts.generatedBy ?? null,
          convertedBy: null,
          weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
          ...(artifacts.trainingConfig && { trainingConfig: artifacts.trainingConfig }),
          ...(opts.metadata && { userDefinedMetadata: { [METADATA_KEY]: opts.metadata } }),
        };
        const json = JSON.stringify(modelJson);
        await writeFile(join(staged, WEIGHTS_FILE), weights);
        await writeFile(join(staged, MODEL_FILE), json);
        return {
          modelArtifactsInfo: {
            dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: JSON.stringify(topology).length,
            weightSpecsBytes: JSON.stringify(modelJson.weightsManifest).length, weightDataBytes: weights.length,
          },
        };
      },
    };
    await model.save(handler);
    if (opts.transform) {
      await writeFile(join(staged, TRANSFORM_FILE), `${JSON.stringify(opts.transform, null, 2)}\n`);
      files.push(TRANSFORM_FILE);
    }
    await swapInto(staged, dir);
    return { dir, files, topology, architecture: architectureHash(topology) };
  } catch (err) {
    await rm(staged, { recursive: true, force: true });
    throw err;
  }
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ModelFileError(`${path}: cannot read the model (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(`${path}: not JSON (${(err as Error).message})`);
  }
}

interface ModelJson {
  modelTopology: KerasTopology;
  weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: io.TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
}

/** model.json of a model folder, its shape checked. */
export async function readModelJson(dir: string): Promise<ModelJson> {
  const path = join(dir, MODEL_FILE);
  const json = await readJson(path) as Partial<ModelJson> | null;
  if (json === null || typeof json !== 'object' || typeof json.modelTopology !== 'object' || json.modelTopology === null) throw new ModelFileError(`${path}: modelTopology: expected the Keras topology object`);
  if (json.format !== undefined && json.format !== 'layers-model') throw new ModelFileError(`${path}: format: expected "layers-model", received ${JSON.stringify(json.format)}`);
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || !manifest.every((g) => Array.isArray(g?.paths) && g.paths.every((p) => typeof p === 'string' && p !== '' && basename(p) === p) && Array.isArray(g.weights))) {
    throw new ModelFileError(`${path}: weightsManifest: expected [{paths: [file names in the folder], weights: [...]}]`);
  }
  return json as ModelJson;
}

/** The formalize metadata a saved model carries (model.json `userDefinedMetadata.formalize`). */
export async function readModelMetadata(dir: string): Promise<JsonObject | undefined> {
  return (await readModelJson(dir)).userDefinedMetadata?.[METADATA_KEY] as JsonObject | undefined;
}

/** Loads a model folder written by saveModel (or any TF.js Layers model folder). */
export async function loadModel(tf: Tf, dir: string): Promise<LayersModel> {
  const json = await readModelJson(dir);
  const handler: io.IOHandler = {
    async load() {
      const shards: Uint8Array[] = [];
      for (const p of json.weightsManifest.flatMap((g) => g.paths)) {
        try {
          shards.push(new Uint8Array(await readFile(join(dir, p))));
        } catch (err) {
          throw new ModelFileError(`${join(dir, p)}: cannot read the weights (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        }
      }
      const weights = Buffer.concat(shards);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
        ...(json.format && { format: json.format }),
        ...(json.generatedBy && { generatedBy: json.generatedBy }),
        ...(json.trainingConfig && { trainingConfig: json.trainingConfig }),
        ...(json.userDefinedMetadata && { userDefinedMetadata: json.userDefinedMetadata as Record<string, {}> }),
      };
    },
  };
  registerModelLayers(tf);
  try {
    return await tf.loadLayersModel(handler);
  } catch (err) {
    if (err instanceof ModelFileError) throw err;
    throw new ModelFileError(`${join(dir, MODEL_FILE)}: cannot build the model (${(err as Error).message})`);
  }
}

export interface ModelBundle {
  model: LayersModel;
  transform: TransformArtifact;
  spec: ModelSpec;
  metadata?: JsonObject;
}

/** A model folder with its transform.json: what evaluation and serving need to score raw or transformed rows. */
export async function loadModelBundle(tf: Tf, dir: string): Promise<ModelBundle> {
  const transform = await readTransformArtifact(join(dir, TRANSFORM_FILE));
  const spec = modelSpecFromTransform(transform);
  const model = await loadModel(tf, dir);
  const want = spec.inputs.map((i) => i.name).sort();
  const have = [...model.inputNames].sort();
  if (JSON.stringify(want) !== JSON.stringify(have)) {
    model.dispose();
    throw new ModelFileError(`${dir}: the model's inputs [${have.join(', ')}] are not the features of its ${TRANSFORM_FILE} [${want.join(', ')}]`);
  }
  const metadata = (await readModelJson(dir)).userDefinedMetadata?.[METADATA_KEY] as JsonObject | undefined;
  return { model, transform, spec, ...(metadata && { metadata }) };
}
