// Workspace steps of the component image build (docker/component.Dockerfile), run by Node inside the build:
//   select <pkg> <src> <out>  copy from the build context <src> the workspace manifests (`<out>/manifests`: every
//                             package.json and the lockfile, for one `npm ci` layer that all images share) and the
//                             sources of <pkg> and its workspace dependencies (`<out>/closure`), so a layer changes
//                             only when what that image is built from changes
//   build <pkg>               compile <pkg> and its workspace dependencies (tsc, dependencies first)
//   prune <pkg> <out>         lay out `<out>` as the image's /app: the root manifest cut down to those workspaces,
//                             the lockfile, their package.json, dist/ and data files, and production dependencies
//                             only (`npm install --omit=dev` resolved from the lockfile, offline from the npm cache
//                             `npm ci` filled)
//   slim <pkg> <out>          drop from `<out>/node_modules` what Node never loads there: source maps, type
//                             declarations and TypeScript sources, TF.js's bundler and browser builds (each package
//                             keeps its Node bundle); strip the symbol tables of native libraries (DuckDB)
// Node built-ins only (and binutils' strip for slim): it runs before any dependency is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
 * Source maps, type declarations and TypeScript sources of the production dependencies: nothing at run time reads
 * them (node uses source maps only with --enable-source-maps, and refuses to strip types under node_modules), and
 * they are most of TF.js's size (~200 MB of maps) and half of zod's (its `src/`).
 */
export const DEVELOPMENT_FILE = /\.(js|mjs|cjs|css)\.map$|\.[mc]?ts$|\.d\.[mc]?ts\.map$/;

function dropDevelopmentFiles(dir: string): void {
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile() && DEVELOPMENT_FILE.test(e.name)) rmSync(join(e.parentPath, e.name));
  }
}

/**
 * TF.js packages publish every build they make: the per-module ES tree and UMD, ES2017 and minified bundles (for
 * bundlers and browsers), tests and bundle reports. None has an `exports` map, so Node loads `main`: one
 * self-contained CommonJS bundle per package, which requires only other packages (the umbrella @tensorflow/tfjs's
 * bundle also carries the gradients and chained tensor methods, which tfjs-core's own Node bundle lacks: that is
 * why the umbrella stays). Kept per package: package.json, licence files, `main`, and the WASM backend's binaries,
 * which it reads from beside `main` (loadTf's setWasmPaths). ~84 MB of TF.js become ~9 MB.
 */
export const NODE_BUNDLE_PACKAGES = /^@tensorflow\/tfjs(-core|-layers|-converter|-data|-backend-(cpu|webgl|wasm))?$/;
const KEEP_BESIDE_MAIN = /^(package\.json|LICENSE.*|NOTICE.*)$|\.wasm$/;

function trimToNodeBundles(modules: string): string[] {
  const trimmed: string[] = [];
  for (const scope of readdirSync(modules).filter((d) => d.startsWith('@'))) {
    for (const name of readdirSync(join(modules, scope)).map((d) => `${scope}/${d}`).filter((n) => NODE_BUNDLE_PACKAGES.test(n))) {
      const dir = join(modules, name);
      const manifest = readJson(join(dir, 'package.json'));
      const main = typeof manifest['main'] === 'string' ? join(manifest['main']) : undefined;
      if (manifest['exports'] !== undefined || !main || !existsSync(join(dir, main))) {
        throw new Error(`${name}@${String(manifest['version'])}: expected a package without an exports map whose main file exists (the layout slim trims to); check NODE_BUNDLE_PACKAGES in docker/workspace.ts`);
      }
      const relative = /\brequire\(\s*['"]\.{1,2}\//.exec(readFileSync(join(dir, main), 'utf8'));
      if (relative) throw new Error(`${name}: its main file ${main} requires a file of its own (${relative[0]}...): it is not a self-contained bundle, so slim cannot trim the package to it`);
      for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!e.isFile()) continue;
        const path = join(e.parentPath, e.name);
        const rel = path.slice(dir.length + 1);
        // Its own dependencies, nested where the hoisted copy has another version (tfjs-core's long@4), stay.
        if (rel.startsWith('node_modules/')) continue;
        const besideMain = e.parentPath === join(dir, dirname(main)) && KEEP_BESIDE_MAIN.test(e.name);
        if (rel !== main && !besideMain && !(e.parentPath === dir && KEEP_BESIDE_MAIN.test(e.name))) rmSync(path);
      }
      pruneEmptyFolders(dir);
      trimmed.push(name);
    }
  }
  return trimmed;
}

function pruneEmptyFolders(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === 'node_modules') continue;
    const sub = join(dir, e.name);
    pruneEmptyFolders(sub);
    if (readdirSync(sub).length === 0) rmSync(sub, { recursive: true });
  }
}

/**
 * Native libraries of the production dependencies without their symbol tables (`strip --strip-unneeded`, as
 * Debian's packaging strips every shared library it ships): the dynamic loader needs only the dynamic symbols.
 * DuckDB's libduckdb.so ships unstripped: 71 MB, 60 MB stripped. Native crash traces lose function names.
 */
function stripNativeLibraries(modules: string): string[] {
  const elf = readdirSync(modules, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(node|so(\.\d+)*)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .filter((f) => readFileSync(f).subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46])));
  if (elf.length === 0) return [];
  const r = spawnSync('strip', ['--strip-unneeded', ...elf], { encoding: 'utf8' });
  if (r.error) throw new Error(`strip (binutils) could not run: ${r.error.message}; the build stage installs binutils`);
  if (r.status !== 0) throw new Error(`strip --strip-unneeded failed (exit ${r.status}): ${r.stderr.trim()}`);
  return elf;
}

/** Every trimmed package must still load from the pruned tree (from the first workspace, which reaches them). */
function checkLoads(out: string, members: Manifest[], names: string[]): void {
  const from = join(out, members.at(-1)!.dir);
  for (const name of names) {
    const probe = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(name)})`], { cwd: from, encoding: 'utf8' });
    if (probe.status !== 0) throw new Error(`${name} does not load after slim trimmed it to its Node bundle:\n${probe.stderr.trim().split('\n').slice(0, 8).join('\n')}`);
  }
}

function slim(pkg: string, out: string): void {
  const modules = join(out, 'node_modules');
  if (!existsSync(modules)) return;
  dropDevelopmentFiles(modules);
  const trimmed = trimToNodeBundles(modules);
  checkLoads(out, closure('.', pkg), trimmed);
  const stripped = stripNativeLibraries(modules);
  process.stderr.write(`[workspace] slim: ${trimmed.length} TF.js packages trimmed to their Node bundles, ${stripped.length} native libraries stripped\n`);
}

if (import.meta.main) {
  const [command, pkg, ...rest] = process.argv.slice(2);
  if (!pkg) throw new Error('usage: node docker/workspace.ts select|build|prune|slim <package> [...]');
  if (command === 'select') select(pkg, rest[0] ?? '.', rest[1] ?? '/out');
  else if (command === 'build') build(pkg);
  else if (command === 'prune') prune(pkg, rest[0] ?? '/prod');
  else if (command === 'slim') slim(pkg, rest[0] ?? '/prod');
  else throw new Error(`unknown command ${JSON.stringify(command)} (select, build, prune, slim)`);
}
