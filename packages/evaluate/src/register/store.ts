// The metadata store this component writes the registry into: FORMALIZE_METADATA_STORE (the local runner sets
// it to `<pipeline root>/metadata.sqlite`). On Vertex AI the registry is Vertex Model Registry instead.
import { ContractError } from '@formalize/common';
import { lazy } from '@formalize/common';

const metadata = lazy(() => import('@formalize/common/metadata'));
export const METADATA_STORE_ENV = 'FORMALIZE_METADATA_STORE';

export async function openMetadataStore(env: NodeJS.ProcessEnv = process.env) {
  const path = env[METADATA_STORE_ENV];
  if (!path) throw new ContractError([`${METADATA_STORE_ENV}: not set; the model registry lives in the ML Metadata store (the local runner sets it to <pipeline root>/metadata.sqlite)`]);
  const { openSqliteStore } = await metadata();
  return openSqliteStore(path);
}
