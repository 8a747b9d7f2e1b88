// Nx plugin (nx.json `plugins`): every package with generated component.yaml files (a component package whose
// contracts exist: they name its images) gets the targets
//   image  docker build of its Dockerfile (docker/src/build.ts), tagged <registry>/formalize/<component>:<version>
//          and :git-<sha12>; never cached by Nx, since the result lives in the Docker daemon, whose layer cache
//          makes an unchanged image cheap
//   push   push of those tags, then the published component.yaml copies pinned by digest (dist/published)
// and an implicit dependency on the `docker` project (the shared Dockerfile template and this tooling), so
// `nx affected -t image` rebuilds every image when the build itself changes and only the touched packages'
// (and their dependents') images otherwise.
import { basename } from 'node:path';

type CreateNodesResult = { projects: Record<string, { implicitDependencies: string[]; targets: Record<string, unknown> }> };

export const createNodesV2 = [
  'packages/*/{component.yaml,components/*/component.yaml}',
  async (componentFiles: readonly string[]): Promise<[string, CreateNodesResult][]> => componentFiles.map((file) => {
    const root = file.split('/').slice(0, 2).join('/');
    const pkg = basename(root);
    const run = (command: string) => ({ command: `node docker/src/cli.ts ${command} ${pkg}`, cwd: '{workspaceRoot}' });
    return [file, {
      projects: {
        [root]: {
          implicitDependencies: ['docker'],
          targets: {
            image: { executor: 'nx:run-commands', cache: false, options: run('build'), metadata: { description: `docker build of ${root}/Dockerfile` } },
            push: { executor: 'nx:run-commands', cache: false, dependsOn: ['image'], options: run('push'), outputs: [`{projectRoot}/dist/published`], metadata: { description: 'push the image; write dist/published component.yaml pinned by digest' } },
          },
        },
      },
    }];
  }),
] as const;
