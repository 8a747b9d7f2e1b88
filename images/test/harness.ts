// Shared pieces of the image tests: the workspace, the docker CLI, and the images the Nx dependencies of
// this project's test target built and pushed (packages/<pkg>/dist/image/build.json, dist/published/images.json).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
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
