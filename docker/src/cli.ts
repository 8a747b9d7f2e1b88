// Image tooling, behind the Nx targets `image` and `push` of every component package (docker/src/nx-plugin.ts):
//   node docker/src/cli.ts build <pkg> [--registry r] [--base-image i] [--tfjs-node tfjs-node|tfjs-node-gpu]
//   node docker/src/cli.ts push <pkg>
//   node docker/src/cli.ts dockerfiles [--check]
//   node docker/src/cli.ts list            component packages and the images they publish
// The registry defaults to FORMALIZE_REGISTRY, else localhost:5000 (the components' generated image names).
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { buildImage } from './build.ts';
import { syncDockerfiles } from './dockerfiles.ts';
import { componentPackages, DEFAULT_REGISTRY } from './packages.ts';
import { pushImage } from './push.ts';

const root = join(import.meta.dirname, '..', '..');

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      registry: { type: 'string' },
      'base-image': { type: 'string' },
      'tfjs-node': { type: 'string' },
      check: { type: 'boolean' },
    },
  });
  const [command, pkg] = positionals;
  const registry = values.registry ?? (process.env['FORMALIZE_REGISTRY'] || DEFAULT_REGISTRY);
  switch (command) {
    case 'build': {
      const tfjs = values['tfjs-node'];
      if (tfjs !== undefined && tfjs !== 'tfjs-node' && tfjs !== 'tfjs-node-gpu') throw new Error(`--tfjs-node: expected tfjs-node or tfjs-node-gpu, got ${JSON.stringify(tfjs)}`);
      await buildImage(root, required(pkg), { registry, ...(values['base-image'] && { baseImage: values['base-image'] }), ...(tfjs && { tfjsNode: tfjs }) });
      return;
    }
    case 'push':
      await pushImage(root, required(pkg));
      return;
    case 'dockerfiles': {
      const stale = syncDockerfiles(root, values.check === true);
      if (values.check && stale.length) throw new Error(`stale Dockerfiles (run node docker/src/cli.ts dockerfiles): ${stale.join(', ')}`);
      if (!values.check) process.stderr.write(stale.length ? `wrote ${stale.join(', ')}\n` : 'Dockerfiles up to date\n');
      return;
    }
    case 'list':
      for (const p of componentPackages(root)) process.stdout.write(`${p.name}@${p.version}: ${p.components.map((c) => c.image).join(', ')}\n`);
      return;
    default:
      throw new Error(`usage: node docker/src/cli.ts build|push <package> | dockerfiles [--check] | list (got ${JSON.stringify(command)})`);
  }
}

function required(pkg: string | undefined): string {
  if (!pkg) throw new Error('a component package is required, e.g. hello');
  return pkg;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
