// Schema half of the package: tfdv.infer_schema and tfdv.update_schema.
export { inferSchema, updateSchema, inferSchemaOptionsSchema, updateSchemaOptionsSchema } from './infer-schema.ts';
export type { InferSchemaOptions, UpdateSchemaOptions } from './infer-schema.ts';
