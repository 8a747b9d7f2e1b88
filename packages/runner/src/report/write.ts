// Writes `<runDir>/report.html` atomically (temp name + rename), so a browser never sees half a page, with the
// run's HTML artifacts (reports, training curves) read in so that the page shows them in place.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { uriToLocalPath, writeFileAtomic } from '@formalize/common';
import type { RunRecord } from '../types.ts';
import { renderReport } from './render.ts';

export const REPORT_FILE = 'report.html';
/** Larger HTML artifacts are linked, not inlined: the report must stay quick to open. */
export const MAX_INLINE_HTML_BYTES = 4 * 1024 * 1024;

/** Renders the run's report into its run folder and returns the file's path. */
export async function writeReport(run: RunRecord): Promise<string> {
  const path = join(run.runDir, REPORT_FILE);
  await writeFileAtomic(path, renderReport(run, { htmlArtifacts: await readHtmlArtifacts(run) }));
  return path;
}

/** The system.HTML output artifacts of the run's tasks that exist locally: a file, or a folder's index.html. */
export async function readHtmlArtifacts(run: RunRecord): Promise<Map<string, string>> {
  const uris = new Set(run.tasks.flatMap((t) => Object.values(t.outputs.artifacts).flat())
    .filter((a) => a.type === 'system.HTML').map((a) => a.uri));
  const found = new Map<string, string>();
  for (const uri of uris) {
    let file: string;
    try {
      file = uriToLocalPath(uri);
      const s = await stat(file);
      if (s.isDirectory()) file = join(file, 'index.html');
      if ((await stat(file)).size > MAX_INLINE_HTML_BYTES) continue;
      found.set(uri, await readFile(file, 'utf8'));
    } catch {
      // Not written (a failed task), not local (gs:// without a mount), or not readable: the report links it.
    }
  }
  return found;
}
