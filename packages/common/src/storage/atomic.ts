// All-or-nothing file output: readers (the KFP launcher, CI diffing generated files) must never see a
// half-written file, so content goes to a temp name in the same directory and is renamed into place.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface FileContent { path: string; content: string | Uint8Array }

function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes every file to a temp sibling first and renames them only once all writes succeeded;
 * a failed write leaves no temp file and replaces no target.
 */
export async function writeFilesAtomic(files: readonly FileContent[]): Promise<void> {
  const staged: { temp: string; path: string }[] = [];
  try {
    for (const f of files) {
      await mkdir(dirname(f.path), { recursive: true });
      const temp = tempNameFor(f.path);
      staged.push({ temp, path: f.path });
      await writeFile(temp, f.content);
    }
  } catch (err) {
    await Promise.all(staged.map((s) => rm(s.temp, { force: true })));
    throw err;
  }
  // Renamed in order, so callers put the file readers treat as "done" (e.g. ExecutorOutput) last.
  let next = 0;
  try {
    for (; next < staged.length; next++) await rename(staged[next]!.temp, staged[next]!.path);
  } catch (err) {
    await Promise.all(staged.slice(next).map((s) => rm(s.temp, { force: true })));
    throw err;
  }
}

export function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  return writeFilesAtomic([{ path, content }]);
}
