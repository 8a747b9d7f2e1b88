// Compiles every pipeline spec to `compiled/<name>.yaml`; with `check`, writes nothing and reports
// files that are stale or missing (CI fails on those).
import { readFile, writeFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { irToYaml } from '@formalize/common';
import { pipelines } from './index.ts';

export const COMPILED_DIR = join(import.meta.dirname, '..', 'compiled');

export interface CompiledFile { path: string; status: 'up-to-date' | 'written' | 'stale' | 'missing' | 'orphan' }

export async function compileAll({ check = false, dir = COMPILED_DIR } = {}): Promise<{ files: CompiledFile[]; ok: boolean }> {
  await mkdir(dir, { recursive: true });
  const files: CompiledFile[] = [];
  const expected = new Set<string>();
  for (const p of pipelines) {
    const path = join(dir, `${p.pipelineName}.yaml`);
    expected.add(path);
    const text = irToYaml(p.compile());
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === text) files.push({ path, status: 'up-to-date' });
    else if (check) files.push({ path, status: current === undefined ? 'missing' : 'stale' });
    else {
      await writeFile(path, text);
      files.push({ path, status: 'written' });
    }
  }
  for (const f of await readdir(dir)) if (f.endsWith('.yaml') && !expected.has(join(dir, f))) files.push({ path: join(dir, f), status: 'orphan' });
  return { files, ok: files.every((f) => f.status === 'up-to-date' || f.status === 'written') };
}
