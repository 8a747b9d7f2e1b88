// `nx run <pkg>:image`: builds a component package's image from its Dockerfile with the repository root as
// the context, tagged for each of its components with the package version and the git revision, labelled
// with both, and records what it built in `packages/<pkg>/dist/image/build.json` for the push.
//
// An image is rebuilt only when what it is built from changed: the hash of those inputs (the sources of the
// package and its workspace dependencies, the manifests and lockfile, the Dockerfile and its helpers, the base
// image, the build flags) is the image's `io.formalize.inputs` label, and when the image tagged with the
// package version carries the same hash, it is kept (and tagged with this revision too; its revision label
// stays the commit it was built from). Nx's project graph counts dev dependencies (a component's tests use
// the runner), so `nx affected -t image` also starts the image target of such dependents; this check makes
// that a no-op and keeps their digests.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { join, relative } from 'node:path';
import { BUILD_INPUTS, closure } from '../workspace.ts';
import { capture, git, stream } from './exec.ts';
import { componentPackage, repository, type ComponentPackage } from './packages.ts';

export interface BuildOptions {
  registry: string;
  /** Base image (the Dockerfiles' BASE_IMAGE); default theirs, node:24-bookworm-slim. */
  baseImage?: string;
  /** Optional TensorFlow.js native backend to install (TFJS_NODE). */
  tfjsNode?: 'tfjs-node' | 'tfjs-node-gpu';
  docker?: string;
}

export const INPUTS_LABEL = 'io.formalize.inputs';

export interface BuildRecord {
  package: string;
  version: string;
  /** Full commit, with `-dirty` when the image's inputs had uncommitted changes. */
  revision: string;
  /** Local image ID (`sha256:` of the image config). */
  imageId: string;
  /** Every tag given, per component: `<registry>/formalize/<component>:<version>` and `:git-<sha12>`. */
  tags: Record<string, string[]>;
  /** Hash of everything the image is built from (its INPUTS_LABEL). */
  inputs: string;
  /** True when the existing image already had these inputs and was kept. */
  reused: boolean;
}

export function buildRecordFile(pkg: ComponentPackage): string {
  return join(pkg.root, 'dist', 'image', 'build.json');
}

export function readBuildRecord(pkg: ComponentPackage): BuildRecord {
  try {
    return JSON.parse(readFileSync(buildRecordFile(pkg), 'utf8')) as BuildRecord;
  } catch {
    throw new Error(`${pkg.name}: no image built (${relative(process.cwd(), buildRecordFile(pkg))} is missing): run nx run ${pkg.name}:image first`);
  }
}

/** The revision an image is built from: HEAD, marked dirty when its inputs differ from HEAD. */
export function revisionOf(workspaceRoot: string, pkg: ComponentPackage): string {
  const head = git(workspaceRoot, 'rev-parse', 'HEAD');
  if (!head) return 'unknown';
  const inputs = [...closure(workspaceRoot, pkg.dir).map((m) => m.dir), 'docker', '.dockerignore', 'package.json', 'package-lock.json', 'tsconfig.base.json'];
  const dirty = git(workspaceRoot, 'status', '--porcelain', '--', ...inputs);
  return dirty ? `${head}-dirty` : head;
}

export function imageTags(registry: string, pkg: ComponentPackage, revision: string): Record<string, string[]> {
  const rev = revision === 'unknown' ? [] : [`git-${revision.slice(0, 12)}${revision.endsWith('-dirty') ? '-dirty' : ''}`];
  return Object.fromEntries(pkg.components.map((c) => [c.name, [pkg.version, ...rev].map((t) => `${repository(registry, c.name)}:${t}`)]));
}

/**
 * Certificates of NODE_EXTRA_CA_CERTS that Node's own store lacks: what npm inside the build must trust too
 * (a TLS-inspecting proxy, an internal registry). Public certificates, passed to build stages only.
 */
export function extraCaCertificates(file = process.env['NODE_EXTRA_CA_CERTS']): string {
  if (!file) return '';
  const norm = (pem: string) => pem.replace(/\s+/g, '');
  const own = new Set(rootCertificates.map(norm));
  const pems = readFileSync(file, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return pems.filter((p) => !own.has(norm(p))).join('\n');
}

/** Files under `path` (or `path` itself), relative to `root`, sorted. */
function filesUnder(root: string, path: string): string[] {
  const abs = join(root, path);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [path];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** The hash of what `pkg`'s image is built from (see the header). */
export function inputsHash(workspaceRoot: string, pkg: ComponentPackage, extra: Record<string, string>): string {
  const members = closure(workspaceRoot, pkg.dir);
  const files = [
    'package.json', 'package-lock.json', 'tsconfig.base.json', '.dockerignore', 'docker/component.Dockerfile', 'docker/workspace.ts', `packages/${pkg.dir}/Dockerfile`,
    // Every manifest: the shared `npm ci` layer installs from all of them.
    ...readdirSync(join(workspaceRoot, 'packages')).map((d) => `packages/${d}/package.json`).filter((f) => existsSync(join(workspaceRoot, f))),
    ...members.flatMap((m) => BUILD_INPUTS.flatMap((f) => filesUnder(workspaceRoot, `${m.dir}/${f}`))),
  ];
  const h = createHash('sha256');
  for (const f of [...new Set(files)].sort()) h.update(`${f}\0`).update(readFileSync(join(workspaceRoot, f))).update('\0');
  for (const [k, v] of Object.entries(extra).sort()) h.update(`${k}=${v}\0`);
  return `sha256:${h.digest('hex')}`;
}

export async function buildImage(workspaceRoot: string, which: string, opts: BuildOptions): Promise<BuildRecord> {
  const pkg = componentPackage(workspaceRoot, which);
  if (!pkg.components.length) throw new Error(`${pkg.name}: no component.yaml yet, so no image name (npm run generate writes them)`);
  const docker = opts.docker ?? 'docker';
  const revision = revisionOf(workspaceRoot, pkg);
  const tags = imageTags(opts.registry, pkg, revision);
  const allTags = Object.values(tags).flat();
  const base = opts.baseImage ?? 'node:24-bookworm-slim';
  const baseId = capture(docker, ['image', 'inspect', '--format', '{{.Id}}', base]);
  if (baseId.code !== 0) throw new Error(`${pkg.name}: base image ${base} is not in the Docker image store: build it with docker/base-image.sh (offline) or pull it`);
  const inputs = inputsHash(workspaceRoot, pkg, { base: baseId.stdout.trim(), tfjsNode: opts.tfjsNode ?? '' });
  const current = capture(docker, ['image', 'inspect', '--format', `{{.Id}} {{index .Config.Labels "${INPUTS_LABEL}"}} {{index .Config.Labels "org.opencontainers.image.revision"}}`, allTags[0]!]);
  const [currentId, currentInputs, currentRevision] = current.code === 0 ? current.stdout.trim().split(' ') : [];
  if (currentId && currentInputs === inputs && currentRevision) {
    for (const t of allTags) capture(docker, ['tag', currentId, t]);
    const record: BuildRecord = { package: pkg.name, version: pkg.version, revision: currentRevision, imageId: currentId, tags, inputs, reused: true };
    writeRecord(pkg, record);
    process.stderr.write(`[image] ${pkg.name}: up to date (${currentId.slice(0, 19)}, built from ${currentRevision.slice(0, 12)}; inputs unchanged), tagged ${allTags.join(', ')}\n`);
    return record;
  }
  // Where the sources are: the repository's origin, else (a repository without remotes) the checkout itself.
  const source = git(workspaceRoot, 'config', '--get', 'remote.origin.url') ?? `file://${workspaceRoot}`;
  const args = [
    // --force-rm: the classic builder would keep the container of a failed step.
    'build', '--force-rm', '--network', 'host', '--file', join(pkg.root, 'Dockerfile'),
    '--build-arg', `VERSION=${pkg.version}`, '--build-arg', `REVISION=${revision}`, '--build-arg', `SOURCE=${source}`,
    // By name only: docker reads the value from its environment (certificates can exceed an argument's size).
    '--build-arg', 'BUILD_CA_CERTS',
    ...(opts.baseImage ? ['--build-arg', `BASE_IMAGE=${opts.baseImage}`] : []),
    ...(opts.tfjsNode ? ['--build-arg', `TFJS_NODE=${opts.tfjsNode}`] : []),
    '--label', `${INPUTS_LABEL}=${inputs}`,
    ...allTags.flatMap((t) => ['--tag', t]),
    workspaceRoot,
  ];
  const started = Date.now();
  const r = await stream(docker, args, { env: { ...process.env, BUILD_CA_CERTS: extraCaCertificates() } });
  if (r.code !== 0) throw new Error(`${pkg.name}: docker build failed (exit ${r.code}); last output:\n${r.tail.trimEnd().split('\n').slice(-15).join('\n')}`);
  const inspect = capture(docker, ['image', 'inspect', '--format', '{{.Id}}', allTags[0]!]);
  if (inspect.code !== 0) throw new Error(`${pkg.name}: built, but docker image inspect ${allTags[0]} failed: ${inspect.stderr.trim()}`);
  const record: BuildRecord = { package: pkg.name, version: pkg.version, revision, imageId: inspect.stdout.trim(), tags, inputs, reused: false };
  writeRecord(pkg, record);
  process.stderr.write(`[image] ${pkg.name}: ${record.imageId.slice(0, 19)} in ${((Date.now() - started) / 1000).toFixed(1)} s, tagged ${allTags.join(', ')}\n`);
  return record;
}

function writeRecord(pkg: ComponentPackage, record: BuildRecord): void {
  mkdirSync(join(pkg.root, 'dist', 'image'), { recursive: true });
  writeFileSync(buildRecordFile(pkg), `${JSON.stringify(record, null, 2)}\n`);
}
