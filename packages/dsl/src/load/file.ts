// Loading a component from a local component.yaml.
import { readFile } from 'node:fs/promises';
import type { ComponentIR } from '@formalize/common';
import { ComponentLoadError } from './errors.ts';
import { loadComponentFromText } from './text.ts';

export async function loadComponentFromFile(path: string): Promise<ComponentIR> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ComponentLoadError(path, code === 'ENOENT' ? 'no such file' : `cannot read the file: ${(e as Error).message}`, { cause: e });
  }
  return loadComponentFromText(text, path);
}
