// `@formalize/common/registry`: the model registry (families, numbered versions, aliases, labels, lineage) on
// the ML Metadata store, shaped like Vertex AI Model Registry so a Vertex backend can implement the same interface.
export * from './schema.ts';
export * from './errors.ts';
export { openRegistry, REGISTRY_TYPES, type RegistryOptions } from './mlmd.ts';
