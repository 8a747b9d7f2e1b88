// Cold start matters: a local pipeline runs many short containers. Component modules therefore import
// only @formalize/common, zod and node builtins at the top, and reach heavy libraries (cloud clients,
// DuckDB, TensorFlow bindings) through a memoised dynamic import used inside run():
//
//   const bigquery = lazy(() => import('@google-cloud/bigquery'));
//   ...
//   run: async ({ inputs }) => { const { BigQuery } = await bigquery(); ... }

/** Memoised async loader; a failed load is retried on the next call instead of being cached. */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    }));
}
