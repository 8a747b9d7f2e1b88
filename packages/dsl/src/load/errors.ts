// One error type for every way loading a component can fail; the message always names the source.
import type { Issue } from '../validate/issues.ts';

export class ComponentLoadError extends Error {
  /** The file path or URL the component came from (or `text` for inline text). */
  readonly source: string;
  /** IR validation issues, when that is what failed. */
  readonly issues: readonly Issue[];

  constructor(source: string, problem: string, opts: { issues?: readonly Issue[]; cause?: unknown } = {}) {
    super(`cannot load component from ${source}: ${problem}`, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ComponentLoadError';
    this.source = source;
    this.issues = opts.issues ?? [];
  }
}
