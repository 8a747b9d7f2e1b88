// The ML Metadata store a component task reads and writes (model registry, tuned hyperparameters, lookups): the
// file named by FORMALIZE_METADATA_STORE, which the local runner sets to `<pipeline root>/metadata.sqlite` for every
// task. On Vertex AI it is unset and a Vertex ML Metadata backend takes its place.
import { ContractError } from '../executor/errors.ts';
import type { Env } from '../storage/uri.ts';
import { openSqliteStore, type SqliteMetadataStore } from './sqlite.ts';

export const METADATA_STORE_ENV = 'FORMALIZE_METADATA_STORE';

export async function openTaskStore(env: Env = process.env, purpose = 'the ML Metadata store'): Promise<SqliteMetadataStore> {
  const path = env[METADATA_STORE_ENV];
  if (!path) throw new ContractError([`${METADATA_STORE_ENV}: expected the path of ${purpose} (the local runner sets it to <pipeline root>/metadata.sqlite), received nothing`]);
  return openSqliteStore(path);
}
