// `@formalize/common/hyperparameters`: the hyperparameter schema and defaults, and the tuned sets kept in
// ML Metadata (written by tuning, read by training). Light: zod and the metadata store interface only.
export * from './schema.ts';
export * from './store.ts';
