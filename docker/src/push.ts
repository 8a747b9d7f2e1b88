// `nx run <pkg>:push`: pushes every tag `image` gave, reads back the digest the registry stored, and writes
// the published copies of the package's component.yaml files with the image pinned by that digest
// (`<registry>/formalize/<component>:<version>@sha256:...`), so a pipeline built from them runs exactly the
// image that was pushed. Output: `packages/<pkg>/dist/published/<component>/component.yaml` and
// `packages/<pkg>/dist/published/images.json`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { irToYaml, parseIrYaml, type PipelineSpec } from '@formalize/common';
import { readBuildRecord } from './build.ts';
import { capture, stream } from './exec.ts';
import { componentPackage, registryOf, type ComponentPackage } from './packages.ts';

export interface PublishedImage {
  component: string;
  /** `<repository>:<version>@sha256:...`: what the published component.yaml names. */
  image: string;
  digest: string;
  tags: string[];
  revision: string;
}

export class PushError extends Error {
  override name = 'PushError';
}

/** Why a push failed, in words a user can act on (docker's own message follows). */
export function explainPushFailure(tag: string, output: string): string {
  const registry = registryOf(tag) ?? 'docker.io';
  const last = output.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
  if (/no basic auth credentials|unauthorized|authentication required/i.test(output)) {
    return `push of ${tag} refused: registry ${registry} requires credentials and none were accepted (log in first: docker login ${registry}); docker said: ${last}`;
  }
  if (/connection refused|no such host|i\/o timeout/i.test(output)) return `push of ${tag} failed: registry ${registry} is not reachable; docker said: ${last}`;
  return `push of ${tag} failed; docker said: ${last}`;
}

export function publishedDir(pkg: ComponentPackage): string {
  return join(pkg.root, 'dist', 'published');
}

/** A component.yaml with its container image replaced by `image`. */
export function pinComponentYaml(text: string, image: string): string {
  const { documents, description } = parseIrYaml(text);
  const spec = documents[0] as PipelineSpec;
  for (const executor of Object.values(spec.deploymentSpec?.executors ?? {})) {
    if (executor.container) executor.container.image = image;
  }
  return irToYaml(spec, description === undefined ? {} : { description });
}

export async function pushImage(workspaceRoot: string, which: string, opts: { docker?: string } = {}): Promise<PublishedImage[]> {
  const pkg = componentPackage(workspaceRoot, which);
  const docker = opts.docker ?? 'docker';
  const built = readBuildRecord(pkg);
  const published: PublishedImage[] = [];
  for (const component of pkg.components) {
    const tags = built.tags[component.name];
    if (!tags?.length) throw new PushError(`${pkg.name}: the image build did not tag component ${component.name}: rebuild it (nx run ${pkg.name}:image)`);
    for (const tag of tags) {
      const r = await stream(docker, ['push', tag]);
      if (r.code !== 0) throw new PushError(explainPushFailure(tag, r.tail));
    }
    const repo = tags[0]!.slice(0, tags[0]!.lastIndexOf(':'));
    const digests = capture(docker, ['image', 'inspect', '--format', '{{json .RepoDigests}}', tags[0]!]);
    const digest = (JSON.parse(digests.stdout || '[]') as string[]).find((d) => d.startsWith(`${repo}@`))?.slice(repo.length + 1);
    if (!digest) throw new PushError(`${tags[0]}: pushed, but docker reports no digest for ${repo}`);
    const image = `${tags[0]}@${digest}`;
    const dir = join(publishedDir(pkg), component.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'component.yaml'), pinComponentYaml(readFileSync(component.componentFile, 'utf8'), image));
    published.push({ component: component.name, image, digest, tags, revision: built.revision });
    process.stderr.write(`[push] ${component.name}: ${image}\n`);
  }
  writeFileSync(join(publishedDir(pkg), 'images.json'), `${JSON.stringify(published, null, 2)}\n`);
  return published;
}
