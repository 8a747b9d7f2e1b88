// Where things are: the workspace checkout (folder with nx.json), the local folder of a pipeline root,
// and the runs recorded under it (`<root>/<pipeline>-<runId>/run.json`).
import { existsSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { uriToLocalPath } from '@formalize/common';
import type { RunRecord } from '@formalize/runner';
import { UsageError } from './errors.ts';

/** The nearest folder at or above `from` that holds nx.json. */
export function findWorkspaceRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The checkout the command runs in, else the one this CLI belongs to (its components run as processes). */
export function workspaceRoot(cwd = process.cwd()): string {
  return findWorkspaceRoot(cwd) ?? findWorkspaceRoot(import.meta.dirname) ?? cwd;
}

export const GCS_MOUNT_ENV = 'FORMALIZE_GCS_MOUNT';

/** Environment the runner resolves `gs://` roots with: the user's mount, else `.formalize/gcs` (as the runner does). */
export function storageEnv(cwd = process.cwd()): Record<string, string> {
  return { [GCS_MOUNT_ENV]: process.env[GCS_MOUNT_ENV] || join(cwd, '.formalize', 'gcs') };
}

/** Local folder of a pipeline root (`--pipeline-root`: folder or `gs://...`; default `.formalize`). */
export function localPipelineRoot(root: string | undefined, cwd = process.cwd(), what = '--pipeline-root'): string {
  if (!root) return join(cwd, '.formalize');
  if (!root.includes('://')) return resolve(cwd, root);
  if (!/^gs:\/\/[^/]+/.test(root)) throw new UsageError(`${what} '${root}': expected a local folder or gs://<bucket>[/<path>]`);
  try {
    return resolve(cwd, uriToLocalPath(root.replace(/\/+$/, ''), storageEnv(cwd)));
  } catch (err) {
    throw new UsageError(`${what} '${root}': ${(err as Error).message}`);
  }
}

export interface StoredRun {
  /** Run folder. */
  dir: string;
  record: RunRecord;
}

/** Every run under a pipeline root, newest first; unreadable run.json files are reported in `problems`. */
export async function listRuns(localRoot: string): Promise<{ runs: StoredRun[]; problems: string[] }> {
  const entries = await readdir(localRoot, { withFileTypes: true }).catch(() => []);
  const runs: StoredRun[] = [];
  const problems: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = join(localRoot, e.name);
    const file = join(dir, 'run.json');
    if (!existsSync(file)) continue;
    try {
      runs.push({ dir, record: await readRunRecord(file) });
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  }
  runs.sort((a, b) => b.record.createTime.localeCompare(a.record.createTime) || b.dir.localeCompare(a.dir));
  return { runs, problems };
}

async function readRunRecord(file: string): Promise<RunRecord> {
  const v = JSON.parse(await readFile(file, 'utf8')) as Partial<RunRecord>;
  if (typeof v.runId !== 'string' || typeof v.pipelineName !== 'string' || typeof v.state !== 'string' || !Array.isArray(v.tasks)) {
    throw new Error('not a run record (runId, pipelineName, state, tasks expected)');
  }
  return v as RunRecord;
}

/** A run named by its folder or run.json path, its run id, its folder name, or a unique prefix of either. */
export async function findRun(ref: string, localRoot: string): Promise<StoredRun> {
  const asPath = resolve(ref);
  if (existsSync(asPath)) {
    const file = statSync(asPath).isDirectory() ? join(asPath, 'run.json') : asPath;
    if (!existsSync(file)) throw new UsageError(`run '${ref}': ${asPath} holds no run.json`);
    try {
      return { dir: dirname(file), record: await readRunRecord(file) };
    } catch (err) {
      throw new UsageError(`run '${ref}': ${file}: ${(err as Error).message}`);
    }
  }
  const { runs } = await listRuns(localRoot);
  const exact = runs.filter((r) => r.record.runId === ref || basename(r.dir) === ref);
  const matches = exact.length ? exact : runs.filter((r) => r.record.runId.startsWith(ref) || basename(r.dir).startsWith(ref));
  if (matches.length === 1) return matches[0]!;
  if (!matches.length) throw new UsageError(`no run '${ref}' under ${localRoot} (list them with \`formalize runs\`)`);
  throw new UsageError(`run '${ref}' is ambiguous: ${matches.map((m) => basename(m.dir)).join(', ')}`);
}
