// Conditions -> the CEL strings the KFP SDK emits (`_single_binary_operation_to_cel_condition`):
// operands are task inputs `inputs.parameter_values['pipelinechannel--...']`, numbers are cast with
// int()/double(), and mixed operand types are promoted String > Boolean > Double > Integer.
import { ParamChannel, type Condition, type Operand } from '../dsl/channels.ts';

const RANK = { NUMBER_INTEGER: 0, NUMBER_DOUBLE: 1, BOOLEAN: 2, STRING: 3 } as const;
type Ranked = keyof typeof RANK;

function typeOf(o: Operand): Ranked {
  if (o instanceof ParamChannel) {
    if (o.parameterType === 'LIST' || o.parameterType === 'STRUCT') {
      throw new Error(`conditions cannot compare ${o.parameterType} channel '${o.name}'; compare a scalar parameter`);
    }
    return o.parameterType as Ranked;
  }
  if (typeof o === 'string') return 'STRING';
  if (typeof o === 'boolean') return 'BOOLEAN';
  return Number.isInteger(o) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE';
}

function render(o: Operand, as: Ranked): string {
  if (o instanceof ParamChannel) {
    const ref = `inputs.parameter_values['${o.pipelineChannelName}']`;
    return as === 'NUMBER_INTEGER' ? `int(${ref})` : as === 'NUMBER_DOUBLE' ? `double(${ref})` : ref;
  }
  if (as === 'STRING') return `'${String(o)}'`;
  if (typeof o === 'boolean') return o ? 'true' : 'false';
  return String(o);
}

export function conditionToCel(c: Condition, negated: boolean): string {
  const lt = typeOf(c.left);
  const rt = typeOf(c.right);
  const as = RANK[lt] >= RANK[rt] ? lt : rt;
  if (!(c.left instanceof ParamChannel) && !(c.right instanceof ParamChannel)) {
    throw new Error(`condition ${String(c.left)} ${c.op} ${String(c.right)} compares two constants; one operand must be a pipeline parameter or task output`);
  }
  const expr = `${render(c.left, as)} ${c.op} ${render(c.right, as)}`;
  return negated ? `!(${expr})` : expr;
}

export function termsToCel(terms: { condition: Condition; negated: boolean }[]): string {
  return terms.map((t) => conditionToCel(t.condition, t.negated)).join(' && ');
}
