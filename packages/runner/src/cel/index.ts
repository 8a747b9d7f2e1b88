// CEL evaluation for trigger conditions and parameter expression selectors (KFP driver semantics).
export { evaluateCondition, evaluateSelector, CelError } from './expression.ts';
