// Visits every string inside a JSON value with its document path (placeholders hide in nested strings).
import { joinPath } from './issues.ts';

export function forEachString(v: unknown, path: string, fn: (s: string, path: string) => void): void {
  if (typeof v === 'string') fn(v, path);
  else if (Array.isArray(v)) v.forEach((x, i) => forEachString(x, joinPath(path, i), fn));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) forEachString(x, joinPath(path, k), fn);
}
