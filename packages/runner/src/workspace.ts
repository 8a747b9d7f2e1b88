// Finds the @formalize components of a workspace checkout from their generated component.yaml files,
// so the process launcher can run an image's entrypoint straight from the checkout.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseIrYaml, type PipelineSpec } from '@formalize/common';

export interface WorkspaceComponent {
  /** Component name, e.g. `hello`. */
  name: string;
  /** Image as generated, e.g. `localhost:5000/formalize/hello:0.1.0`. */
  image: string;
  /** Package folder, e.g. `<root>/packages/hello`. */
  packageDir: string;
}

/** `[registry/]formalize/<name>:<tag>` -> `formalize/<name>:<tag>`; the registry does not matter locally. */
export function imageKey(image: string): string | undefined {
  const m = /(?:^|\/)(formalize\/[a-z0-9][a-z0-9-]*)(?::([\w.+-]+))?(?:@sha256:[0-9a-f]{64})?$/.exec(image);
  return m ? `${m[1]}:${m[2] ?? 'latest'}` : undefined;
}

export function discoverWorkspaceComponents(root: string): Map<string, WorkspaceComponent> {
  const found = new Map<string, WorkspaceComponent>();
  const packages = join(root, 'packages');
  if (!existsSync(packages)) return found;
  for (const pkg of readdirSync(packages)) {
    const packageDir = join(packages, pkg);
    const files = [join(packageDir, 'component.yaml')];
    const many = join(packageDir, 'components');
    if (existsSync(many) && statSync(many).isDirectory()) for (const c of readdirSync(many)) files.push(join(many, c, 'component.yaml'));
    for (const file of files) {
      if (!existsSync(file)) continue;
      const spec = parseIrYaml(readFileSync(file, 'utf8')).documents[0] as PipelineSpec;
      for (const exec of Object.values(spec.deploymentSpec?.executors ?? {})) {
        const image = exec.container?.image;
        const key = image && imageKey(image);
        if (key) found.set(key, { name: spec.pipelineInfo.name, image: image!, packageDir });
      }
    }
  }
  return found;
}

/** Newest modification time of any file under `dir` (recursively), in ms; 0 when missing. */
export function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}
