// The component packages of the workspace and the images each one is published as: one image per package
// (its entrypoint runs every component of the package), pushed under each component's name, as its
// component.yaml files name them: `<registry>/formalize/<component>:<version>`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseIrYaml, type PipelineSpec } from '@formalize/common';

export const DEFAULT_REGISTRY = 'localhost:5000';

export interface ComponentImage {
  /** Component name, e.g. `tabular-dataset-create`. */
  name: string;
  /** Its committed component.yaml. */
  componentFile: string;
  /** The image its component.yaml names, e.g. `localhost:5000/formalize/tabular-dataset-create:0.1.0`. */
  image: string;
}

export interface ComponentPackage {
  /** Folder name under packages/, e.g. `bq-extract`; the Dockerfile's PACKAGE. */
  dir: string;
  /** npm name, e.g. `@formalize/bq-extract`; also the Nx project name. */
  name: string;
  version: string;
  root: string;
  components: ComponentImage[];
}

/** Packages with `formalize.components` in their package.json: those that ship component images. */
export function componentPackages(workspaceRoot: string): ComponentPackage[] {
  const packages = join(workspaceRoot, 'packages');
  return readdirSync(packages).sort().flatMap((dir) => {
    const root = join(packages, dir);
    const manifestFile = join(root, 'package.json');
    if (!existsSync(manifestFile)) return [];
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { name: string; version: string; formalize?: { components?: string } };
    if (!manifest.formalize?.components) return [];
    return [{ dir, name: manifest.name, version: manifest.version, root, components: componentImages(root) }];
  });
}

export function componentPackage(workspaceRoot: string, which: string): ComponentPackage {
  const all = componentPackages(workspaceRoot);
  const found = all.find((p) => p.dir === which || p.name === which);
  if (!found) throw new Error(`package ${JSON.stringify(which)}: not a component package (have: ${all.map((p) => p.dir).join(', ')})`);
  return found;
}

/** The components of a package from its generated component.yaml files (`npm run generate` writes them). */
function componentImages(root: string): ComponentImage[] {
  const files = [join(root, 'component.yaml')];
  const many = join(root, 'components');
  if (existsSync(many) && statSync(many).isDirectory()) for (const c of readdirSync(many).sort()) files.push(join(many, c, 'component.yaml'));
  return files.filter((f) => existsSync(f)).map((componentFile) => {
    const spec = parseIrYaml(readFileSync(componentFile, 'utf8')).documents[0] as PipelineSpec;
    const images = Object.values(spec.deploymentSpec?.executors ?? {}).flatMap((e) => (e.container?.image ? [e.container.image] : []));
    if (images.length !== 1) throw new Error(`${componentFile}: expected one container image, found ${images.length}`);
    return { name: spec.pipelineInfo.name, componentFile, image: images[0]! };
  });
}

/** `<registry>/formalize/<component>`: the repository of a component's image in `registry`. */
export function repository(registry: string, component: string): string {
  return `${registry}/formalize/${component}`;
}

/** The registry part of an image reference (`localhost:5000` of `localhost:5000/formalize/x:1`), if it has one. */
export function registryOf(image: string): string | undefined {
  const first = image.split('/')[0]!;
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : undefined;
}
