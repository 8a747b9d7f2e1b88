// Conformance data lives in ../shared/conformance relative to the repo root (same place in CI).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseIrYaml } from '@formalize/common';

export const CONFORMANCE = fileURLToPath(new URL('../../../../shared/conformance/', import.meta.url));

/** The `.yaml` files of a conformance folder; throws (failing the suite loudly) when fewer than `min` are there. */
export function yamlFiles(folder: string, min: number): string[] {
  const dir = `${CONFORMANCE}${folder}`;
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  if (files.length < min) throw new Error(`expected at least ${min} YAML files in ${dir}, found ${files.length}`);
  return files;
}

export function readConformance(path: string): string {
  return readFileSync(`${CONFORMANCE}${path}`, 'utf8');
}

/** The first YAML document (the PipelineSpec) of a conformance file, as a fresh mutable object. */
export function loadDoc(path: string): Record<string, any> {
  return parseIrYaml(readConformance(path)).documents[0] as Record<string, any>;
}
