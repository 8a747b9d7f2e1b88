import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lazy, writeFilesAtomic } from '../src/index.ts';

describe('writeFilesAtomic', () => {
  it('writes every file, creating folders, and leaves no temp files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    await writeFilesAtomic([{ path: join(dir, 'a/b/one'), content: '1' }, { path: join(dir, 'two'), content: '2' }]);
    expect(await readFile(join(dir, 'a/b/one'), 'utf8')).toBe('1');
    expect((await readdir(dir)).sort()).toEqual(['a', 'two']);
  });

  it('replaces nothing when one write fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atomic-'));
    await writeFile(join(dir, 'keep'), 'old');
    await writeFile(join(dir, 'blocker'), 'a file where a folder is needed');
    const failing = writeFilesAtomic([{ path: join(dir, 'keep'), content: 'new' }, { path: join(dir, 'blocker/x'), content: 'x' }]);
    await expect(failing).rejects.toThrow();
    expect(await readFile(join(dir, 'keep'), 'utf8')).toBe('old');
    expect((await readdir(dir)).sort()).toEqual(['blocker', 'keep']);
  });
});

describe('lazy', () => {
  it('loads once, and retries after a failed load', async () => {
    let calls = 0;
    const load = lazy(async () => {
      calls++;
      if (calls === 1) throw new Error('flaky');
      return { value: calls };
    });
    await expect(load()).rejects.toThrow('flaky');
    expect(await load()).toEqual({ value: 2 });
    expect(await load()).toEqual({ value: 2 });
    expect(calls).toBe(2);
  });
});
