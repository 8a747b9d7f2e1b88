// The environment the runner gives every task, whatever the launcher: where the pipeline root's
// embedded stores are, so data components find the warehouse (DuckDB, standing in for BigQuery) and the
// metadata store without being told per task. On Vertex AI these are unset and components use the
// cloud services instead.
import { join } from 'node:path';
import { METADATA_FILE_NAME, METADATA_STORE_ENV } from '@formalize/common/metadata';
import { WAREHOUSE_ENV } from '@formalize/common/warehouse';

// The folder of the embedded warehouse (`<local pipeline root>/warehouse`, in WAREHOUSE_ENV) and the file of the
// embedded ML Metadata store (`<local pipeline root>/metadata.sqlite`, in METADATA_STORE_ENV).
export { METADATA_STORE_ENV, WAREHOUSE_ENV };
export const WAREHOUSE_DIR = 'warehouse';

/**
 * `env` with the store locations under `localRoot` (the local folder of the pipeline root, which the
 * docker launcher mounts), except where the caller already chose: a value in `env`, else in `callerEnv`
 * (the runner's own environment), is passed through unchanged.
 */
export function withStoreEnv(env: Record<string, string>, localRoot: string, callerEnv: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const defaults: [string, string][] = [[WAREHOUSE_ENV, join(localRoot, WAREHOUSE_DIR)], [METADATA_STORE_ENV, join(localRoot, METADATA_FILE_NAME)]];
  const out = { ...env };
  for (const [name, path] of defaults) out[name] = env[name] || callerEnv[name] || path;
  return out;
}
