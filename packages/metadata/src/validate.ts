// Input validation with errors that name the field and the value received.
import type { z } from 'zod';

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => {
    const path = [what, ...i.path.map(String)].join('.');
    const received = i.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
    return `${path}: ${i.message}${received !== undefined ? `, received ${JSON.stringify(received)}` : ''}`;
  });
  throw new Error(issues.join('; '));
}
