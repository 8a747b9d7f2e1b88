// Whether a JSON value has the shape of an IR parameter type; the one check the DSL (literal
// arguments), the runner (pipeline parameters, ExecutorOutput values) and the validator share.
import type { ParameterType } from './types.ts';

/** NUMBER_INTEGER must be a safe integer (pipeline_spec.proto); TASK_* types carry backend values, not checked. */
export function matchesParameterType(v: unknown, type: ParameterType): boolean {
  switch (type) {
    case 'STRING': return typeof v === 'string';
    case 'NUMBER_INTEGER': return Number.isSafeInteger(v);
    case 'NUMBER_DOUBLE': return typeof v === 'number';
    case 'BOOLEAN': return typeof v === 'boolean';
    case 'LIST': return Array.isArray(v);
    case 'STRUCT': return v !== null && typeof v === 'object' && !Array.isArray(v);
    default: return true;
  }
}
