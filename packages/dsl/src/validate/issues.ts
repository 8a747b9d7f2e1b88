// What the validator reports: one issue per problem, each naming where (a dotted path into the document) and what.

export interface Issue {
  /** Dotted path into the document, e.g. `root.dag.tasks.print-op.inputs.parameters.msg`; `[i]` for list items. */
  path: string;
  message: string;
}

/** Thrown by `validateIr`; `issues` holds every problem found, and the message lists them all. */
export class IrValidationError extends Error {
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[], subject = 'IR document') {
    super(`${subject} is invalid (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n${formatIssues(issues)}`);
    this.name = 'IrValidationError';
    this.issues = issues;
  }
}

export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `  - ${i.path || '(document)'}: ${i.message}`).join('\n');
}

/** Appends a key to a path; list indexes render as `[i]`. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
