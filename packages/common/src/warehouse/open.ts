// Which warehouse a component talks to is a property of where it runs, not of the pipeline: the local runner
// sets FORMALIZE_WAREHOUSE to `<pipeline root>/warehouse`, so the same compiled IR uses the embedded DuckDB
// warehouse here and BigQuery on Vertex AI.
import type { Env } from '../storage/uri.ts';
import { DuckdbWarehouse } from './duckdb.ts';
import type { Warehouse } from './warehouse.ts';
import { WarehouseError } from './warehouse.ts';

export const WAREHOUSE_ENV = 'FORMALIZE_WAREHOUSE';

export interface OpenWarehouseOptions {
  /** Projects whose tables this component creates or replaces. */
  writeProjects?: readonly string[];
  env?: Env;
  /** Progress/wait messages (e.g. the component's logger). */
  onWait?: (message: string) => void;
  memoryLimit?: string;
}

export async function openWarehouse(opts: OpenWarehouseOptions = {}): Promise<Warehouse> {
  const env = opts.env ?? process.env;
  const dir = env[WAREHOUSE_ENV];
  if (!dir) {
    throw new WarehouseError(
      `no warehouse configured: set ${WAREHOUSE_ENV} to a folder for the embedded DuckDB warehouse ` +
        '(the local runner sets it to <pipeline root>/warehouse); the BigQuery backend is not available in this build',
    );
  }
  return DuckdbWarehouse.open({
    dir,
    ...(opts.writeProjects && { writeProjects: opts.writeProjects }),
    ...(opts.onWait && { onWait: opts.onWait }),
    ...(opts.memoryLimit && { memoryLimit: opts.memoryLimit }),
  });
}
