// Workspace steps of the component image build (docker/component.Dockerfile), run by Node inside the build:
//   select <pkg> <src> <out>  copy from the build context <src> the workspace manifests (`<out>/manifests`: every
//                             package.json and the lockfile, for one `npm ci` layer that all images share) and the
//                             sources of <pkg> and its workspace dependencies (`<out>/closure`), so a layer changes
//                             only when what that image is built from changes
//   build <pkg>               compile <pkg> and its workspace dependencies (tsc, dependencies first)
//   prune <pkg> <out>         lay out `<out>` as the image's /app: the root manifest cut down to those workspaces,
//                             the lockfile, their package.json, dist/ and data files, and production dependencies
//                             only (`npm install --omit=dev` resolved from the lockfile, offline from the npm cache
//                             `npm ci` filled), without their source maps and type declarations
// Node built-ins only: it runs before any dependency is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  name: string;
  dir: string;
  dependencies: Record<string, string>;
  files: string[];
}

/** Files of a package a runtime needs besides dist/ (package.json `files`, minus sources and docs). */
export const RUNTIME_EXTRA = ['data', 'proto'];
/** What a package's build reads. */
export const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src', ...RUNTIME_EXTRA];

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** The workspaces of the root manifest (`packages/*` and plain folders), by package name. */
export function workspaces(root: string): Map<string, Manifest> {
  const globs = (readJson(join(root, 'package.json'))['workspaces'] as string[] | undefined) ?? [];
  const dirs = globs.flatMap((g) => {
    if (!g.endsWith('/*')) return [g];
    const parent = g.slice(0, -2);
    return existsSync(join(root, parent)) ? readdirSync(join(root, parent)).map((d) => `${parent}/${d}`) : [];
  });
  const found = new Map<string, Manifest>();
  for (const dir of dirs) {
    const file = join(root, dir, 'package.json');
    if (!existsSync(file)) continue;
    const m = readJson(file);
    found.set(String(m['name']), { name: String(m['name']), dir, dependencies: (m['dependencies'] as Record<string, string> | undefined) ?? {}, files: (m['files'] as string[] | undefined) ?? [] });
  }
  return found;
}

/** `pkg` (a folder name under packages/ or a package name) and its workspace dependencies, dependencies first. */
export function closure(root: string, pkg: string): Manifest[] {
  const all = workspaces(root);
  const start = [...all.values()].find((m) => m.dir === `packages/${pkg}` || m.name === pkg);
  if (!start) throw new Error(`PACKAGE=${JSON.stringify(pkg)}: no workspace package packages/${pkg} (have: ${[...all.values()].map((m) => m.dir).join(', ')})`);
  const order: Manifest[] = [];
  const visit = (m: Manifest, path: string[]) => {
    if (order.includes(m)) return;
    if (path.includes(m.name)) throw new Error(`workspace dependency cycle: ${[...path, m.name].join(' -> ')}`);
    for (const dep of Object.keys(m.dependencies)) {
      const ws = all.get(dep);
      if (ws) visit(ws, [...path, m.name]);
    }
    order.push(m);
  };
  visit(start, []);
  return order;
}

function select(pkg: string, src: string, out: string): void {
  const manifests = join(out, 'manifests');
  mkdirSync(manifests, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) cpSync(join(src, f), join(manifests, f));
  for (const m of workspaces(src).values()) cpSync(join(src, m.dir, 'package.json'), join(manifests, m.dir, 'package.json'));
  const sources = join(out, 'closure');
  mkdirSync(sources, { recursive: true });
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.base.json']) cpSync(join(src, f), join(sources, f));
  for (const m of closure(src, pkg)) {
    for (const f of BUILD_INPUTS) if (existsSync(join(src, m.dir, f))) cpSync(join(src, m.dir, f), join(sources, m.dir, f), { recursive: true });
  }
}

function build(pkg: string): void {
  for (const m of closure('.', pkg)) {
    execFileSync('node_modules/.bin/tsc', ['-p', join(m.dir, 'tsconfig.build.json')], { stdio: 'inherit' });
  }
}

function prune(pkg: string, out: string): void {
  const members = closure('.', pkg);
  const root = readJson('package.json');
  const manifest = { name: root['name'], private: true, type: root['type'], workspaces: members.map((m) => m.dir) };
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  cpSync('package-lock.json', join(out, 'package-lock.json'));
  for (const m of members) {
    cpSync(join(m.dir, 'package.json'), join(out, m.dir, 'package.json'));
    cpSync(join(m.dir, 'dist'), join(out, m.dir, 'dist'), { recursive: true });
    for (const extra of RUNTIME_EXTRA) {
      if (m.files.includes(extra) && existsSync(join(m.dir, extra))) cpSync(join(m.dir, extra), join(out, m.dir, extra), { recursive: true });
    }
  }
  // The lockfile pins every version; npm drops what these workspaces do not reach. No install scripts:
  // none of the production dependencies needs one (DuckDB's binding is a prebuilt optional package).
  execFileSync('npm', ['install', '--omit=dev', '--ignore-scripts', '--offline', '--no-audit', '--no-fund', '--loglevel=warn'], { cwd: out, stdio: 'inherit' });
  execFileSync('npm', ['ls', '--omit=dev', '--all', '--silent'], { cwd: out, stdio: ['ignore', 'ignore', 'inherit'] });
  addPhantomDependencies(out, members);
  dropDevelopmentFiles(join(out, 'node_modules'));
}

/**
 * Every production dependency must load in the pruned tree. A package that requires a module it does not
 * declare (@tensorflow/tfjs's node bundle requires `long`) loads in the workspace only because another
 * package's dependency was hoisted beside it; here it gets a copy of what the workspace resolves (so the image
 * runs what the checkout runs), and the build says so.
 */
function addPhantomDependencies(out: string, members: Manifest[]): void {
  const added = new Set<string>();
  // Each dependency as the package that declares it resolves it (a nested copy under that package wins).
  const deps = members.flatMap((m) => Object.keys(m.dependencies).filter((d) => !members.some((w) => w.name === d)).map((d) => [m, d] as const));
  for (const [member, dep] of deps) {
    for (;;) {
      const probe = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(dep)})`], { cwd: join(out, member.dir), encoding: 'utf8' });
      if (probe.status === 0) break;
      const missing = /Cannot find (?:module|package) '([^']+)'/.exec(probe.stderr)?.[1];
      const name = missing && !missing.startsWith('.') && !missing.startsWith('/') ? missing.split('/').slice(0, missing.startsWith('@') ? 2 : 1).join('/') : undefined;
      if (!name || added.has(name) || !existsSync(join('node_modules', name, 'package.json'))) {
        throw new Error(`production dependency ${dep} does not load in the pruned install:\n${probe.stderr.trim().split('\n').slice(0, 8).join('\n')}`);
      }
      const version = String(readJson(join('node_modules', name, 'package.json'))['version']);
      process.stderr.write(`[workspace] ${dep} requires ${name}, which it does not declare: adding ${name}@${version}, the copy the workspace resolves\n`);
      // Its own dependencies, if it has any the tree lacks, show up as the next missing module.
      cpSync(join('node_modules', name), join(out, 'node_modules', name), { recursive: true });
      added.add(name);
    }
  }
}

/**
 * Source maps and type declarations of the production dependencies: nothing at run time reads them (node
 * uses source maps only with --enable-source-maps), and they are most of TF.js's size (~200 MB of maps).
 */
function dropDevelopmentFiles(dir: string): void {
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && /\.(js|mjs|cjs|css)\.map$|\.d\.[mc]?ts$|\.d\.[mc]?ts\.map$/.test(e.name)) rmSync(join(e.parentPath, e.name));
  }
}

if (import.meta.main) {
  const [command, pkg, ...rest] = process.argv.slice(2);
  if (!pkg) throw new Error('usage: node docker/workspace.ts select|build|prune <package> [...]');
  if (command === 'select') select(pkg, rest[0] ?? '.', rest[1] ?? '/out');
  else if (command === 'build') build(pkg);
  else if (command === 'prune') prune(pkg, rest[0] ?? '/prod');
  else throw new Error(`unknown command ${JSON.stringify(command)} (select, build, prune)`);
}
