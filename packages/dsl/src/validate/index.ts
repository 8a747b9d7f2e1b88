export { checkIr, validateIr } from './validate.ts';
export type { ValidateOptions } from './validate.ts';
export { IrValidationError, formatIssues } from './issues.ts';
export type { Issue } from './issues.ts';
export { checkProtoJson } from './proto-json.ts';
export { irMessageType, irProtoRoot } from './proto-schema.ts';
