// Shared pieces of the image tests: the workspace, the docker CLI, the images the Nx dependencies of this
// project's test target built and pushed (packages/<pkg>/dist/image/build.json, dist/published/images.json), and
// `formalize run` of compiled pipelines with the outputs of two runs compared.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { RunRecord, TaskRecord } from '@formalize/runner';
import { readBuildRecord, type BuildRecord } from '../../docker/src/build.ts';
import { componentPackages, type ComponentPackage } from '../../docker/src/packages.ts';
import type { PublishedImage } from '../../docker/src/push.ts';

export const ROOT = join(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'packages/cli/src/main.ts');
const HINT = 'the Nx dependencies of images:test build and push them: npx nx run images:test (after scripts/ci-services.sh as root)';

/** docker <args>, stdout trimmed; throws with docker's message. */
export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim();
}

/** docker <args> without throwing. */
export function dockerStatus(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('docker', args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Component packages whose images were pushed in this workspace, with what was built and published. */
export function pushedPackages(): { pkg: ComponentPackage; built: BuildRecord; published: PublishedImage[] }[] {
  const pkgs = componentPackages(ROOT).filter((p) => p.components.length > 0);
  return pkgs.map((pkg) => {
    const file = join(pkg.root, 'dist', 'published', 'images.json');
    if (!existsSync(file)) throw new Error(`${pkg.name}: no pushed image (${file} is missing); ${HINT}`);
    return { pkg, built: readBuildRecord(pkg), published: JSON.parse(readFileSync(file, 'utf8')) as PublishedImage[] };
  });
}

export function pushedImage(component: string): PublishedImage {
  for (const p of pushedPackages()) {
    const found = p.published.find((i) => i.component === component);
    if (found) return found;
  }
  throw new Error(`component ${component}: no pushed image; ${HINT}`);
}

const dirs: string[] = [];
export function tempDir(prefix = 'formalize-images-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

// --- pipeline runs ---------------------------------------------------------------------------------------

export type Launcher = 'process' | 'docker';

/**
 * `formalize run <compiled spec> --json` into `root`: the process launcher (the checkout's entrypoints) or the
 * docker launcher pulling every image from the registry (--pull always) and running it as the task user.
 * Throws with the CLI's report unless the run succeeded.
 */
export function formalizeRun(spec: string, root: string, launcher: Launcher, params: Record<string, string | number> = {}, ...flags: string[]): RunRecord {
  const args = [CLI, 'run', join(ROOT, 'pipelines/compiled', spec), '--pipeline-root', root, '--json', '--launcher', launcher,
    ...(launcher === 'docker' ? ['--pull', 'always'] : []), ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${v}`]), ...flags];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`formalize run ${spec} --launcher ${launcher} exited ${r.status}: ${r.stderr}\n${r.stdout.slice(-3000)}`);
  return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { run: RunRecord }).run;
}

/** The container task of `run` with this display name (task ids of nested DAGs carry the branch path). */
export function taskNamed(run: RunRecord, displayName: string): TaskRecord {
  const found = run.tasks.filter((t) => t.displayName === displayName && t.kind === 'container');
  if (found.length !== 1) throw new Error(`${run.pipelineName}: expected one container task named ${displayName}, found ${found.length} (${run.tasks.map((t) => t.displayName).join(', ')})`);
  return found[0]!;
}

/**
 * Every container task of the docker run ran the image its component pushed, by the digest the push recorded;
 * the process run ran no image. Both ran the same tasks to the same states.
 */
export function expectPushedImagesRan(dock: RunRecord, proc: RunRecord): void {
  expect(dock.state).toBe('SUCCEEDED');
  expect(proc.state).toBe('SUCCEEDED');
  const states = (r: RunRecord) => r.tasks.map((t) => `${t.id} ${t.state}`).sort();
  expect(states(dock)).toEqual(states(proc));
  const containers = dock.tasks.filter((t) => t.kind === 'container' && t.state === 'SUCCEEDED');
  expect(containers.length).toBeGreaterThan(0);
  for (const t of containers) {
    const component = t.image!.split('/').at(-1)!.split(':')[0]!;
    const pushed = pushedImage(component);
    const repository = pushed.image.split('@')[0]!.replace(/:[^:/]+$/, '');
    expect(t.imageDigest, t.id).toBe(`${repository}@${pushed.digest}`);
    expect(t.imageId, t.id).toMatch(/^sha256:[0-9a-f]{64}$/);
  }
  expect(proc.tasks.every((t) => t.imageId === undefined)).toBe(true);
}

/** A JSON value with these folders (pipeline roots, run folders) replaced by placeholders, so two runs compare. */
export function portable(value: unknown, folders: Record<string, string>): unknown {
  let text = JSON.stringify(value);
  // Longest first: a run folder lies inside its pipeline root.
  for (const [name, dir] of Object.entries(folders).sort(([, a], [, b]) => b.length - a.length)) text = text.replaceAll(dir, `<${name}>`);
  return JSON.parse(text);
}

/** Deep equality with numbers equal within a relative tolerance; throws naming the first difference. */
export function expectClose(a: unknown, b: unknown, rel = 1e-9, path = '$'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Math.abs(a - b) > rel * Math.max(Math.abs(a), Math.abs(b), 1e-12)) throw new Error(`${path}: ${a} != ${b} (relative tolerance ${rel})`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) throw new Error(`${path}: ${a.length} items != ${b.length}`);
    a.forEach((x, i) => expectClose(x, b[i], rel, `${path}[${i}]`));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    expect(Object.keys(b).sort(), `${path}: keys`).toEqual(ka);
    for (const k of ka) expectClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], rel, `${path}.${k}`);
    return;
  }
  expect(b, path).toEqual(a);
}

export const readJson = (...parts: string[]) => JSON.parse(readFileSync(join(...parts), 'utf8')) as unknown;
export const readText = (...parts: string[]) => readFileSync(join(...parts), 'utf8');
