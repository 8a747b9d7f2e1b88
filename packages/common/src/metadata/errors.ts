// Errors of the metadata store, and the zod boundary check that turns bad input into a message naming
// the field and the value (e.g. `listArtifacts: filter.state: expected one of ... (got "ALIVE")`).
import type { z } from 'zod';

export class MetadataError extends Error {
  override name = 'MetadataError';
}

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. `filter.metadata.label`. */
  field: string;
  value: unknown;
  message: string;
}

export class MetadataValidationError extends MetadataError {
  override name = 'MetadataValidationError';
  readonly issues: ValidationIssue[];

  constructor(what: string, issues: ValidationIssue[]) {
    super(`${what}: ${issues.map((i) => `${i.field || '(input)'}: ${i.message} (got ${show(i.value)})`).join('; ')}`);
    this.issues = issues;
  }
}

export type EntityKind = 'artifact' | 'execution' | 'context';

export class MetadataNotFoundError extends MetadataError {
  override name = 'MetadataNotFoundError';
  readonly kind: EntityKind;
  readonly id: string;

  constructor(kind: EntityKind, id: string) {
    super(`${kind} ${JSON.stringify(id)} not found`);
    this.kind = kind;
    this.id = id;
  }
}

export class MetadataAlreadyExistsError extends MetadataError {
  override name = 'MetadataAlreadyExistsError';
}

/** Parses `value` with `schema`, or throws a MetadataValidationError prefixed with `what`. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string, root = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? p.toString() : p));
    if (issue.code === 'unrecognized_keys') {
      // Name each unknown key as its own field: a typo like `metdata` is then obvious.
      for (const key of issue.keys) {
        issues.push({ field: fieldName(root, [...path, key]), value: at(value, [...path, key]), message: 'unknown field' });
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      // A bad record key (e.g. a label key): show the key and why, not the value stored under it.
      const why = issue.issues.map((i) => i.message).join('; ');
      issues.push({ field: fieldName(root, path), value: path.at(-1), message: `invalid key: ${why}` });
      continue;
    }
    issues.push({ field: fieldName(root, path), value: at(value, path), message: issue.message });
  }
  throw new MetadataValidationError(what, issues);
}

function fieldName(root: string, path: (string | number)[]): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

function at(value: unknown, path: (string | number)[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  try {
    const s = JSON.stringify(v);
    return s.length > 200 ? `${s.slice(0, 197)}...` : s;
  } catch {
    return String(v);
  }
}
