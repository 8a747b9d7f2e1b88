export * from './ir/types.ts';
export * from './ir/yaml.ts';
export * from './ir/component.ts';
export * from './contract/define.ts';
export * from './contract/artifacts.ts';
export * from './contract/params.ts';
export * from './contract/final-status.ts';
