export * from './ir/types.ts';
export * from './ir/yaml.ts';
export * from './ir/component.ts';
