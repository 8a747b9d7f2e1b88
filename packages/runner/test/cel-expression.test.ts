// CEL conditions and selectors: every condition / selector string in the KFP goldens, checked against
// an independent evaluation of the compiler's CEL subset, plus the cases of KFP's expression_test.go.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIrYaml, type JsonValue, type ParameterType, type PipelineSpec } from '@formalize/common';
import { CelError, evaluateCondition, evaluateSelector } from '../src/cel/index.ts';

const GOLDENS = resolve(import.meta.dirname, '../../../../shared/conformance/kfp-ir');

interface GoldenCondition { file: string; task: string; expr: string; types: Record<string, ParameterType> }
interface GoldenSelector { file: string; task: string; expr: string }

function scanGoldens(): { conditions: GoldenCondition[]; selectors: GoldenSelector[] } {
  const conditions: GoldenCondition[] = [];
  const selectors: GoldenSelector[] = [];
  for (const file of readdirSync(GOLDENS).filter((f) => f.endsWith('.yaml')).sort()) {
    const spec = parseIrYaml(readFileSync(join(GOLDENS, file), 'utf8')).documents[0] as PipelineSpec;
    for (const c of [spec.root, ...Object.values(spec.components ?? {})]) {
      for (const [task, t] of Object.entries(c.dag?.tasks ?? {})) {
        const expr = t.triggerPolicy?.condition;
        if (expr) {
          // The condition sees the task's inputs; their types are the inputs of the component it runs.
          const defs = spec.components?.[t.componentRef.name]?.inputDefinitions?.parameters ?? {};
          const types = Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, d.parameterType]));
          conditions.push({ file, task, expr, types });
        }
        for (const p of Object.values(t.inputs?.parameters ?? {})) {
          if (p.parameterExpressionSelector) selectors.push({ file, task, expr: p.parameterExpressionSelector });
        }
      }
    }
  }
  return { conditions, selectors };
}

const { conditions, selectors } = scanGoldens();

/** The compiler's CEL subset evaluated as JavaScript: the reference the CEL engine is compared with. */
function reference(expr: string, values: Record<string, JsonValue>): boolean {
  const js = expr
    .replace(/inputs\.parameter_values\['([^']+)'\]/g, (_m, name: string) => `v[${JSON.stringify(name)}]`)
    .replace(/==|!=/g, (op) => `${op}=`);
  return new Function('v', 'int', 'double', `return (${js});`)(values, (x: unknown) => Math.trunc(Number(x)), Number) as boolean;
}

/** Sample values of a parameter, from the literals its condition compares with. */
function samples(type: ParameterType, expr: string): JsonValue[] {
  switch (type) {
    case 'STRING': return [...new Set([...[...expr.matchAll(/'([^']*)'/g)].map((m) => m[1]!).filter((s) => !s.startsWith('pipelinechannel--')), 'something-else', 'other'])];
    case 'BOOLEAN': return [true, false];
    case 'NUMBER_INTEGER':
    case 'NUMBER_DOUBLE': {
      const lits = [...expr.matchAll(/(?<![\w-])(\d+(?:\.\d+)?)(?![\w-])/g)].map((m) => Number(m[1]));
      return [...new Set(lits.flatMap((n) => [n - 1, n, n + 1]).concat([0]))];
    }
    default: throw new Error(`no samples for ${type}`);
  }
}

function cartesian(axes: [string, JsonValue[]][]): Record<string, JsonValue>[] {
  let out: Record<string, JsonValue>[] = [{}];
  for (const [name, values] of axes) out = out.flatMap((o) => values.map((v) => ({ ...o, [name]: v })));
  return out;
}

describe('trigger conditions of the goldens', () => {
  it('finds the conditions the compiler emits', () => {
    expect(conditions.length).toBeGreaterThanOrEqual(17);
    expect(new Set(conditions.map((c) => c.file)).size).toBeGreaterThanOrEqual(7);
  });

  it.each(conditions.map((c) => [`${c.file} ${c.task}: ${c.expr}`, c] as const))('%s', (_name, c) => {
    const names = [...new Set([...c.expr.matchAll(/inputs\.parameter_values\['([^']+)'\]/g)].map((m) => m[1]!))];
    const axes = names.map((n): [string, JsonValue[]] => {
      const type = c.types[n];
      if (!type) throw new Error(`${c.file}: no type for ${n}`);
      return [n, samples(type, c.expr)];
    });
    const cases = cartesian(axes);
    expect(cases.length).toBeGreaterThan(1);
    const outcomes = new Set<boolean>();
    for (const values of cases) {
      const got = evaluateCondition(c.expr, values);
      expect(got, JSON.stringify(values)).toBe(reference(c.expr, values));
      outcomes.add(got);
    }
    expect(outcomes.size, 'samples reach both outcomes').toBe(2);
  });
});

describe('evaluateCondition semantics (cel-go on google.protobuf.Value)', () => {
  const v = (values: Record<string, JsonValue>) => values;
  it.each([
    ["int(inputs.parameter_values['n']) == 3", v({ n: 3 }), true],
    ["int(inputs.parameter_values['n']) == 3", v({ n: 3.9 }), true], // int() truncates toward zero
    ["int(inputs.parameter_values['n']) == -2", v({ n: -2.7 }), true],
    ["int(inputs.parameter_values['n']) >= int(inputs.parameter_values['t'])", v({ n: 5, t: 5 }), true],
    ["int(inputs.parameter_values['n']) > int(inputs.parameter_values['t'])", v({ n: 5, t: 5 }), false],
    ["inputs.parameter_values['n'] == 1", v({ n: 1 }), true], // heterogeneous numeric equality (double == int)
    ["inputs.parameter_values['n'] == 1.0", v({ n: 1 }), true],
    ["inputs.parameter_values['n'] < 3", v({ n: 2.5 }), true], // heterogeneous ordering
    ["double(inputs.parameter_values['n']) > 2.5", v({ n: 3 }), true],
    ["double(inputs.parameter_values['n']) <= 2.5", v({ n: 2.5 }), true],
    ["inputs.parameter_values['s'] == 'heads' || inputs.parameter_values['s'] == 'tails'", v({ s: 'tails' }), true],
    ["!(inputs.parameter_values['s'] == 'heads') && !(inputs.parameter_values['s'] == 'tails')", v({ s: 'edge' }), true],
    ["inputs.parameter_values['b'] == true", v({ b: true }), true],
    ["inputs.parameter_values['b'] != true", v({ b: true }), false],
    ["inputs.parameter_values['s'] == 2", v({ s: 'a' }), false], // mixed types compare unequal
    ["int(inputs.parameter_values['s']) == 42", v({ s: '42' }), true],
    ["inputs.parameter_values['x'] == null", v({ x: null }), true],
    ["size(inputs.parameter_values['l']) == 2", v({ l: [1, 2] }), true],
    ["inputs.parameter_values['m']['k'] == 'v'", v({ m: { k: 'v' } }), true],
    ["inputs.parameter_values['type']=='foo' && inputs.parameter_values['num'] == 1.0", v({ type: 'foo', num: 1 }), true],
    ["inputs.parameter_values['type']=='foo2'", v({ type: 'foo', num: 1 }), false],
  ] as const)('%s with %j -> %s', (expr, values, expected) => {
    expect(evaluateCondition(expr, values)).toBe(expected);
  });

  it('reads input artifact metadata (expression_test.go)', () => {
    const artifacts = { model: [{ name: 'model', type: 'system.Model', uri: 'gs://pipeline-root/abcdefgh', metadata: { accuracy: 0.95 } }] };
    expect(evaluateCondition("inputs.artifacts['model'].artifacts[0].metadata['accuracy']*100.0 > 90.0", {}, artifacts)).toBe(true);
    expect(evaluateCondition("inputs.artifacts['model'].artifacts[0].metadata['accuracy']*100.0 <= 90.0", {}, artifacts)).toBe(false);
  });

  it('is an error naming the expression when a parameter is missing (cel-go: no such key)', () => {
    const expr = "inputs.parameter_values['type']=='foo'";
    expect(() => evaluateCondition(expr, {})).toThrow(CelError);
    expect(() => evaluateCondition(expr, {})).toThrow(/inputs\.parameter_values\['type'\]=='foo'.*[Nn]o such key: type/);
  });

  it('rejects results that are not bool', () => {
    const expr = "inputs.parameter_values['n']";
    expect(() => evaluateCondition(expr, { n: 3 })).toThrow(`CEL condition \`${expr}\` must evaluate to a bool, got the number 3`);
    expect(() => evaluateCondition("'yes'", {})).toThrow(/must evaluate to a bool, got the string "yes"/);
  });

  it('reports syntax errors with the expression', () => {
    const err = (() => {
      try {
        evaluateCondition("inputs.parameter_values[ == 1", {});
      } catch (e) {
        return e as CelError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(CelError);
    expect(err.expression).toBe('inputs.parameter_values[ == 1');
    expect(err.message).toMatch(/^invalid CEL condition `inputs\.parameter_values\[ == 1`: /);
  });

  it('rejects comparisons between an int and a double operand (cel-go: no matching overload)', () => {
    expect(() => evaluateCondition("int(inputs.parameter_values['a']) == double(inputs.parameter_values['a'])", { a: 1 })).toThrow(CelError);
  });

  it('reuses the parsed expression across evaluations', () => {
    const expr = "int(inputs.parameter_values['i']) % 2 == 0";
    const results = Array.from({ length: 200 }, (_, i) => evaluateCondition(expr, { i }));
    expect(results.filter(Boolean)).toHaveLength(100);
  });
});

describe('parameter expression selectors', () => {
  it('finds the selectors the compiler emits', () => {
    expect(selectors.length).toBeGreaterThanOrEqual(8);
  });

  it.each(selectors.map((s) => [`${s.file} ${s.task}: ${s.expr}`, s] as const))('%s', (_name, s) => {
    const field = /\["([^"]+)"\]/.exec(s.expr)![1]!;
    const item = { [field]: 'value-of-field', other: 2, nested: { x: [1, 2] } };
    // A loop item arrives as a struct, or as the JSON text of one (items of a raw JSON list).
    expect(evaluateSelector(s.expr, item)).toBe('value-of-field');
    expect(evaluateSelector(s.expr, JSON.stringify(item))).toBe('value-of-field');
    expect(evaluateSelector(s.expr.replace(`["${field}"]`, '["nested"]'), item)).toEqual({ x: [1, 2] });
    expect(evaluateSelector(s.expr.replace(`["${field}"]`, '["other"]'), item)).toBe(2);
  });

  it.each([
    ['string_value', 'Hello,World!', 'Hello,World!'],
    ['parseJson(string_value)[0]', '[1.1,1.2,1.3]', 1.1],
    ['string_value', null, ''],
    ['struct_value.a', { a: 'A', b: 'B' }, 'A'],
    ['struct_value.list', { list: [1.1, 1.2] }, [1.1, 1.2]],
    ['struct_value.nested.b', { nested: { a: 'A', b: 'B' } }, 'B'],
    ['string_value', { b: 1, a: [true, null] }, '{"a":[true,null],"b":1}'],
    ['string_value', 3, '3'],
    ['string_value', 1e21, '1000000000000000000000'],
    ['number_value * 2.0', 1.5, 3],
    ['bool_value', false, false],
    ['list_value[1]', ['a', 'b'], 'b'],
    ['size(list_value)', ['a', 'b'], 2],
    ['parseJson(string_value)', [{ A_a: '1' }], [{ A_a: '1' }]],
  ] as const)('%s on %j -> %j (expression_test.go)', (expr, value, expected) => {
    expect(evaluateSelector(expr, value as JsonValue)).toEqual(expected);
  });

  it('reports invalid JSON, missing keys and missing fields with the expression', () => {
    expect(() => evaluateSelector('parseJson(string_value)', 'invalidjson')).toThrow(/`parseJson\(string_value\)` failed: .*failed to unmarshal JSON/);
    expect(() => evaluateSelector('struct_value.c', { a: 'A' })).toThrow(/`struct_value\.c` failed: [Nn]o such key: c/);
    expect(() => evaluateSelector('struct_value', 'Hello')).toThrow(CelError);
    expect(() => evaluateSelector('parseJson(string_value)["A_a"]', '{"B_b": 1}')).toThrow(/parseJson\(string_value\)\["A_a"\]/);
  });

  it('rejects results that are not JSON', () => {
    expect(() => evaluateSelector('b"abc"', 'x')).toThrow(/not a JSON value/);
  });
});
