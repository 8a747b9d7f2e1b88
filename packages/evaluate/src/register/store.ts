// The metadata store this component writes the registry into: FORMALIZE_METADATA_STORE (the local runner sets
// it to `<pipeline root>/metadata.sqlite`). On Vertex AI the registry is Vertex Model Registry instead.
import { lazy } from '@formalize/common';

const metadata = lazy(() => import('@formalize/common/metadata'));

export async function openMetadataStore(env: NodeJS.ProcessEnv = process.env) {
  return (await metadata()).openTaskStore(env, 'the ML Metadata store holding the model registry');
}
