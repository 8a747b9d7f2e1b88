// Who a task's container runs as, and what it may write.
//
// A runner started by a normal user runs containers as that user's uid:gid: what a task writes under the
// pipeline root is theirs, and nothing else is needed. A runner started by root (CI, a root shell) must not
// run tasks as root, even without capabilities: they run as TASK_UID:TASK_GID (65532, the component images'
// user), and the runner hands over exactly what a task writes: its task folder (for the run of the
// container, then back to the runner's own uid:gid, so a later task cannot change an earlier task's
// outputs), the embedded warehouse folder and the metadata store's files (shared by every task of every
// run: they stay with the task user). Everything else under the pipeline root stays root's and read-only
// for tasks: other runs, other tasks' folders, run.json. Only paths inside the mounted pipeline root are
// ever changed.
import { existsSync } from 'node:fs';
import { chmod, lchown, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { LaunchSpec } from '../types.ts';
import { METADATA_STORE_ENV, WAREHOUSE_ENV } from '../task-env.ts';

/** uid and gid of task containers under a root runner (distroless' `nonroot`; the images' `formalize` user). */
export const TASK_UID = 65532;
export const TASK_GID = 65532;

export interface TaskUser {
  /** `--user` value. */
  user: string;
  /** Set when the runner must hand paths over to the task user (root runner, numeric non-root uid:gid). */
  handover?: { uid: number; gid: number; ownerUid: number; ownerGid: number };
}

/** The user a container runs as: `configured` (`uid[:gid]` or a name of the image), else as described above. */
export function taskUser(configured?: string, self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }): TaskUser {
  const user = configured ?? (self.uid === 0 ? `${TASK_UID}:${TASK_GID}` : `${self.uid}:${self.gid}`);
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  // A name can only be resolved inside the image: its paths are not handed over.
  if (self.uid !== 0 || !m || Number(m[1]) === 0) return { user };
  return { user, handover: { uid: Number(m[1]), gid: Number(m[2] ?? m[1]), ownerUid: self.uid, ownerGid: self.gid } };
}

/** The mount `path` lies inside (or is), if any. */
function mountOf(path: string, mounts: readonly string[]): string | undefined {
  return mounts.find((m) => {
    const rel = relative(m, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
}

/**
 * The folders from the mount down to `path`'s parent must let the task user pass through (a pipeline root
 * made by mkdtemp is 0700): they get the search bit for others, which opens no listing and no file.
 */
async function ensureTraversable(mount: string, path: string): Promise<void> {
  const chain: string[] = [];
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    chain.push(dir);
    if (dir === mount || dir === dirname(dir)) break;
  }
  for (const dir of chain) {
    const st = await stat(dir).catch(() => undefined);
    if (st && (st.mode & 0o001) === 0) await chmod(dir, (st.mode & 0o7777) | 0o001);
  }
}

/** lchown of `path` and, for a folder, everything below it (symlinks themselves, never their targets). */
export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return;
  await lchown(path, uid, gid);
  if (!st.isDirectory()) return;
  for (const entry of await readdir(path, { withFileTypes: true, recursive: true })) {
    await lchown(join(entry.parentPath, entry.name), uid, gid).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err; // removed meanwhile (a DuckDB .wal, a SQLite journal)
    });
  }
}

/** Before a task's container starts: its folder, the warehouse and the metadata store become the task user's. */
export async function handOver(spec: LaunchSpec, h: NonNullable<TaskUser['handover']>): Promise<void> {
  const inside = async (p: string | undefined): Promise<boolean> => {
    const mount = p && isAbsolute(p) ? mountOf(p, spec.mounts) : undefined;
    if (mount && p !== mount) await ensureTraversable(mount, p!);
    return mount !== undefined;
  };
  if (await inside(spec.cwd)) await chownTree(spec.cwd, h.uid, h.gid);
  const warehouse = spec.env[WAREHOUSE_ENV];
  if (warehouse && (await inside(warehouse))) {
    // Created here: the task could not create it in the root-owned pipeline root.
    await mkdir(warehouse, { recursive: true });
    await chownTree(warehouse, h.uid, h.gid);
  }
  const store = spec.env[METADATA_STORE_ENV];
  if (store && (await inside(store))) {
    // SQLite in WAL mode writes the database, its -wal and -shm files; the runner holds the store open
    // for the whole run, so they exist and the task needs no right to create files beside them.
    for (const f of [store, `${store}-wal`, `${store}-shm`, `${store}-journal`]) if (existsSync(f)) await lchown(f, h.uid, h.gid);
  }
}

/** After the container ended: the task folder (outputs, logs) goes back to the runner's uid:gid. */
export async function takeBack(spec: LaunchSpec, h: NonNullable<TaskUser['handover']>): Promise<void> {
  if (isAbsolute(spec.cwd) && mountOf(spec.cwd, spec.mounts)) await chownTree(spec.cwd, h.ownerUid, h.ownerGid);
}
