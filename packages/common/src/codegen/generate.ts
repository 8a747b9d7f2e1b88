// Generated, committed files per component package: component.yaml (IR from the contract) and the README
// contract tables. `check` mode writes nothing and reports what is stale, which is what CI runs.
import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Component } from '../contract/define.ts';
import { updateReadme } from '../contract/readme.ts';
import { writeFileAtomic } from '../storage/atomic.ts';

export interface GenerateOptions {
  /** Repository root (holds `packages/`). */
  root: string;
  /** Compare only; write and delete nothing. */
  check?: boolean;
}

export type FileStatus = 'up-to-date' | 'written' | 'stale' | 'missing' | 'orphaned' | 'removed';

export interface GeneratedFile {
  /** Relative to `root`. */
  path: string;
  status: FileStatus;
}

export interface GenerateResult {
  files: GeneratedFile[];
  /** False in check mode when any file is stale, missing or orphaned. */
  ok: boolean;
}

export interface ComponentPackage {
  dir: string;
  name: string;
  description: string;
  components: Component[];
}

interface PackageJson { name?: string; description?: string; formalize?: { components?: string } }

const readText = (p: string) => readFile(p, 'utf8').then((t) => t, () => undefined);

function isComponent(v: unknown): v is Component {
  return typeof v === 'object' && v !== null && typeof (v as Component).name === 'string' && typeof (v as Component).toYaml === 'function';
}

/** Every `packages/*` whose package.json declares `"formalize": {"components": "<module>"}`. */
export async function discoverComponentPackages(root: string): Promise<ComponentPackage[]> {
  const packagesDir = join(root, 'packages');
  const found: ComponentPackage[] = [];
  const entries = await readdir(packagesDir, { withFileTypes: true });
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = join(packagesDir, entry.name);
    const text = await readText(join(dir, 'package.json'));
    if (text === undefined) continue;
    const pkg = JSON.parse(text) as PackageJson;
    const modulePath = pkg.formalize?.components;
    if (!modulePath) continue;
    const mod = (await import(pathToFileURL(resolve(dir, modulePath)).href)) as { components?: unknown };
    const where = `${relative(root, dir)}/${modulePath}`;
    if (!Array.isArray(mod.components) || !mod.components.every(isComponent) || mod.components.length === 0) {
      throw new Error(`${where}: must export \`components\`, a non-empty array of defineComponent() results`);
    }
    found.push({ dir, name: pkg.name ?? entry.name, description: pkg.description ?? '', components: mod.components });
  }
  const seen = new Map<string, string>();
  for (const p of found) {
    for (const c of p.components) {
      const other = seen.get(c.name);
      if (other) throw new Error(`component name "${c.name}" is defined in both ${other} and ${p.name}`);
      seen.set(c.name, p.name);
    }
  }
  return found;
}

/** component.yaml location: the package root for a single component, `components/<name>/` for several. */
export function componentYamlPath(pkg: ComponentPackage, component: Component): string {
  return pkg.components.length === 1 ? join(pkg.dir, 'component.yaml') : join(pkg.dir, 'components', component.name, 'component.yaml');
}

async function orphans(pkg: ComponentPackage, expected: Set<string>): Promise<string[]> {
  const candidates = [join(pkg.dir, 'component.yaml')];
  const dirs = await readdir(join(pkg.dir, 'components'), { withFileTypes: true }).catch(() => []);
  for (const d of dirs) if (d.isDirectory()) candidates.push(join(pkg.dir, 'components', d.name, 'component.yaml'));
  const out: string[] = [];
  for (const c of candidates) if (!expected.has(c) && (await readText(c)) !== undefined) out.push(c);
  return out;
}

export async function generateArtifacts(opts: GenerateOptions): Promise<GenerateResult> {
  const root = resolve(opts.root);
  const check = opts.check === true;
  const files: GeneratedFile[] = [];
  for (const pkg of await discoverComponentPackages(root)) {
    const wanted = new Map<string, string>();
    for (const c of pkg.components) wanted.set(componentYamlPath(pkg, c), c.toYaml());
    const readmePath = join(pkg.dir, 'README.md');
    let readme = (await readText(readmePath)) ?? `# ${pkg.name}\n\n${pkg.description}\n`;
    for (const c of pkg.components) readme = updateReadme(readme, c);
    wanted.set(readmePath, readme);

    for (const [path, content] of wanted) {
      const current = await readText(path);
      let status: FileStatus = current === content ? 'up-to-date' : current === undefined ? 'missing' : 'stale';
      if (status !== 'up-to-date' && !check) {
        await writeFileAtomic(path, content);
        status = 'written';
      }
      files.push({ path: relative(root, path), status });
    }
    for (const path of await orphans(pkg, new Set(wanted.keys()))) {
      if (!check) {
        await rm(path);
        // components/<old>/ goes too if nothing else lives there; the package root always stays.
        if (dirname(path) !== pkg.dir) await rmdir(dirname(path)).catch(() => undefined);
      }
      files.push({ path: relative(root, path), status: check ? 'orphaned' : 'removed' });
    }
  }
  return { files, ok: files.every((f) => f.status === 'up-to-date' || f.status === 'written' || f.status === 'removed') };
}
