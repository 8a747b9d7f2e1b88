// Brands on zod schemas (artifact, task final status) live in zod registries rather than on the schema
// objects: registries follow `.describe()`/`.meta()` clones (zod links a clone to its parent), and they are
// shared through globalThis so two loaded copies of this package still recognise each other's schemas.
import { z } from 'zod';

export function sharedRegistry<Meta extends object>(name: string): z.core.$ZodRegistry<Meta> {
  const key = Symbol.for(`formalize.${name}`);
  const slots = globalThis as Record<symbol, unknown>;
  return (slots[key] ??= z.registry<Meta>()) as z.core.$ZodRegistry<Meta>;
}
