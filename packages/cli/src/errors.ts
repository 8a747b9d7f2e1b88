// Exit codes and the errors that mean "bad input" (exit 2, nothing written).

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/** A bad argument, flag value or input file, reported by message alone. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Bad input found by the CLI or the libraries under it: invalid IR (@formalize/dsl), bad parameters or
 * images no launcher can run (@formalize/runner). Matched by name so that main.ts loads no library.
 */
const USAGE_ERRORS: ReadonlySet<string> = new Set(['UsageError', 'IrValidationError', 'ParameterError', 'PreflightError']);

export function isUsageError(err: unknown): err is Error {
  return err instanceof Error && USAGE_ERRORS.has(err.name);
}
