// `@formalize/common/warehouse`: a separate entry point so components that never touch a warehouse do not
// load it (DuckDB itself is imported lazily on first open; components that use it depend on @duckdb/node-api).
export * from './table-ref.ts';
export * from './dialect.ts';
export * from './warehouse.ts';
export * from './open.ts';
export { DuckdbWarehouse, type DuckdbWarehouseOptions } from './duckdb.ts';
export { loadPublicData, PUBLIC_PROJECT, TAXI_TABLE, TAXI_COLUMNS, TAXI_SAMPLE_CSV } from './public-data.ts';
export * from './synthetic.ts';
