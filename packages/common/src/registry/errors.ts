// Errors of the model registry. Bad input is a MetadataValidationError (field and value named), as in the store.
export class RegistryError extends Error {
  override name = 'RegistryError';
}

export class RegistryNotFoundError extends RegistryError {
  override name = 'RegistryNotFoundError';
}

/** A precondition (`expectAliases`, `expectVersion`) did not hold: someone moved the alias meanwhile. */
export class RegistryConflictError extends RegistryError {
  override name = 'RegistryConflictError';
  readonly alias: string;
  readonly expected: number | null;
  readonly actual: number | null;

  constructor(family: string, alias: string, expected: number | null, actual: number | null) {
    const at = (v: number | null) => (v === null ? 'on no version' : `on version ${v}`);
    super(`${family}: expected alias "${alias}" ${at(expected)}, but it is ${at(actual)}`);
    this.alias = alias;
    this.expected = expected;
    this.actual = actual;
  }
}
