// Writes `<runDir>/report.html` atomically (temp name + rename), so a browser never sees half a page.
import { join } from 'node:path';
import { writeFileAtomic } from '@formalize/common';
import type { RunRecord } from '../types.ts';
import { renderReport } from './render.ts';

export const REPORT_FILE = 'report.html';

/** Renders the run's report into its run folder and returns the file's path. */
export async function writeReport(run: RunRecord): Promise<string> {
  const path = join(run.runDir, REPORT_FILE);
  await writeFileAtomic(path, renderReport(run));
  return path;
}
