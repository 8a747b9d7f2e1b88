// `nx run <pkg>:image`: builds a component package's image from its Dockerfile with the repository root as
// the context, tagged for each of its components with the package version and the git revision, labelled
// with both, and records what it built in `packages/<pkg>/dist/image/build.json` for the push.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { join, relative } from 'node:path';
import { closure } from '../workspace.ts';
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

export interface BuildRecord {
  package: string;
  version: string;
  /** Full commit, with `-dirty` when the image's inputs had uncommitted changes. */
  revision: string;
  /** Local image ID (`sha256:` of the image config). */
  imageId: string;
  /** Every tag given, per component: `<registry>/formalize/<component>:<version>` and `:git-<sha12>`. */
  tags: Record<string, string[]>;
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

export async function buildImage(workspaceRoot: string, which: string, opts: BuildOptions): Promise<BuildRecord> {
  const pkg = componentPackage(workspaceRoot, which);
  if (!pkg.components.length) throw new Error(`${pkg.name}: no component.yaml yet, so no image name (npm run generate writes them)`);
  const docker = opts.docker ?? 'docker';
  const revision = revisionOf(workspaceRoot, pkg);
  const tags = imageTags(opts.registry, pkg, revision);
  // Where the sources are: the repository's origin, else (a repository without remotes) the checkout itself.
  const source = git(workspaceRoot, 'config', '--get', 'remote.origin.url') ?? `file://${workspaceRoot}`;
  const args = [
    'build', '--network', 'host', '--file', join(pkg.root, 'Dockerfile'),
    '--build-arg', `VERSION=${pkg.version}`, '--build-arg', `REVISION=${revision}`, '--build-arg', `SOURCE=${source}`,
    // By name only: docker reads the value from its environment (certificates can exceed an argument's size).
    '--build-arg', 'BUILD_CA_CERTS',
    ...(opts.baseImage ? ['--build-arg', `BASE_IMAGE=${opts.baseImage}`] : []),
    ...(opts.tfjsNode ? ['--build-arg', `TFJS_NODE=${opts.tfjsNode}`] : []),
    ...Object.values(tags).flat().flatMap((t) => ['--tag', t]),
    workspaceRoot,
  ];
  const started = Date.now();
  const r = await stream(docker, args, { env: { ...process.env, BUILD_CA_CERTS: extraCaCertificates() } });
  if (r.code !== 0) throw new Error(`${pkg.name}: docker build failed (exit ${r.code}); last output:\n${r.tail.trimEnd().split('\n').slice(-15).join('\n')}`);
  const first = Object.values(tags).flat()[0]!;
  const inspect = capture(docker, ['image', 'inspect', '--format', '{{.Id}}', first]);
  if (inspect.code !== 0) throw new Error(`${pkg.name}: built, but docker image inspect ${first} failed: ${inspect.stderr.trim()}`);
  const record: BuildRecord = { package: pkg.name, version: pkg.version, revision, imageId: inspect.stdout.trim(), tags };
  mkdirSync(join(pkg.root, 'dist', 'image'), { recursive: true });
  writeFileSync(buildRecordFile(pkg), `${JSON.stringify(record, null, 2)}\n`);
  process.stderr.write(`[image] ${pkg.name}: ${record.imageId.slice(0, 19)} in ${((Date.now() - started) / 1000).toFixed(1)} s, tagged ${Object.values(tags).flat().join(', ')}\n`);
  return record;
}
