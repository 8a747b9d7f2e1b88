export * from './binary.ts';
export * from './bootstrap.ts';
export * from './curves.ts';
export * from './kfp.ts';
export * from './slices.ts';
