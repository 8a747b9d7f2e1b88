// Contract violations are reported as `<field>: <what was expected>, received <value>`, one line per field,
// so whoever reads a failed task's log can fix the pipeline without opening the component's code.
import type { z } from 'zod';

export class ContractError extends Error {
  override name = 'ContractError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

/** `field: expectation, received <value>` as a ContractError. */
export function fieldError(field: string, expectation: string, received: unknown): ContractError {
  return new ContractError([`${field}: ${expectation}, received ${describeValue(received)}`]);
}

const MAX_VALUE_CHARS = 200;

/** Short, unambiguous rendering of a received value: JSON (strings quoted), `nothing` when absent. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function' || typeof v === 'symbol') return String(v);
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} chars)` : text;
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

export function fieldPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && IDENT.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string', number: 'a number', int: 'an integer', boolean: 'a boolean', array: 'a list', tuple: 'a list',
  object: 'an object', record: 'an object', null: 'null', bigint: 'a bigint', nan: 'NaN', date: 'a date',
};

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value': return `expected one of ${issue.values.map((v) => describeValue(v)).join(', ')}`;
    case 'unrecognized_keys': return `unexpected key(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    // zod's own wording for range/format checks already states the expectation ("Too small: expected ...").
    default: return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  }
}

/**
 * One problem line per zod issue; `root` is the parsed value, for issues that carry no input.
 * `expected` overrides the wording of a top-level type mismatch (zod says "number" for an int).
 */
export function zodProblems(prefix: string, error: z.ZodError, root: unknown, expected?: string): string[] {
  return error.issues.map((issue) => {
    const received = 'input' in issue ? issue.input : valueAt(root, issue.path);
    const field = fieldPath(prefix, issue.path) || 'executor input';
    if (issue.code === 'unrecognized_keys') return `${field}: ${expectation(issue)}`;
    const what = expected && issue.code === 'invalid_type' && issue.path.length === 0 ? `expected ${expected}` : expectation(issue);
    return `${field}: ${what}, received ${describeValue(received)}`;
  });
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** Parses `value` with `schema`, throwing a ContractError whose lines are prefixed with `field`. */
export function parseField<S extends z.ZodType>(schema: S, value: unknown, field: string, expected?: string): z.output<S> {
  const r = schema.safeParse(value, { reportInput: true });
  if (!r.success) throw new ContractError(zodProblems(field, r.error, value, expected));
  return r.data;
}
