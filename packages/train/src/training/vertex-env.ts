// The Vertex AI custom training container contract: Vertex sets these when it runs the image as a CustomJob
// (gs:// URIs, read through the /gcs mount). The component honours them when present:
// * AIP_MODEL_DIR: the trained model folder is also written there (Vertex uploads it as the Model's artifacts);
// * AIP_TENSORBOARD_LOG_DIR: the TensorBoard events go there (Vertex TensorBoard streams that folder), and the
//   `tensorboard` output artifact points at it;
// * AIP_CHECKPOINT_DIR: after every epoch the latest weights are saved there as a Layers model (`latest/`, with
//   the epoch and its metrics in model.json), so a preempted job leaves its progress; a run does not resume
//   from it by itself.
import { uriToLocalPath, type Env } from '@formalize/common';

export interface VertexDirs {
  modelDir?: { uri: string; path: string };
  tensorboardLogDir?: { uri: string; path: string };
  checkpointDir?: { uri: string; path: string };
}

export const AIP_ENV = { modelDir: 'AIP_MODEL_DIR', tensorboardLogDir: 'AIP_TENSORBOARD_LOG_DIR', checkpointDir: 'AIP_CHECKPOINT_DIR' } as const;

export function vertexDirs(env: Env = process.env): VertexDirs {
  const out: VertexDirs = {};
  for (const [key, name] of Object.entries(AIP_ENV) as [keyof VertexDirs, string][]) {
    const uri = env[name];
    if (uri) out[key] = { uri, path: uriToLocalPath(uri, env) };
  }
  return out;
}
