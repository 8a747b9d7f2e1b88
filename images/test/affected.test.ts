// `nx affected -t image` rebuilds only what a change touched, in two steps: Nx picks the projects whose image
// target runs (the changed project and its dependents in the project graph, where dev dependencies count:
// bq-extract's tests use the runner, whose tests use hello), and each image target rebuilds only when the hash
// of its image's inputs changed (docker/src/build.ts), else keeps the image. Checked on scratch commits in a
// temporary clone of this repository (node_modules linked from the checkout): a component's sources rebuild
// that component only; common or the shared Dockerfile template, every component; the runner, none.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { inputsHash } from '../../docker/src/build.ts';
import { componentPackages } from '../../docker/src/packages.ts';
import { ROOT, tempDir } from './harness.ts';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

describe('nx affected -t image', () => {
  let clone = '';
  let withImage: string[] = [];
  const nxAffected = () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'node_modules/.bin/nx'), 'show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--withTarget', 'image', '--json'], {
      cwd: clone, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_CACHE_DIRECTORY: join(clone, '.nx', 'cache') },
    });
    return (JSON.parse(out) as string[]).sort();
  };
  const hashes = () => Object.fromEntries(componentPackages(clone).filter((p) => p.components.length > 0).map((p) => [p.name, inputsHash(clone, p, { base: 'base-image-id' })]));
  /** Commits a change to `file`; returns what Nx selects and which of those would really rebuild. */
  const commitChange = (file: string) => {
    const before = hashes();
    appendFileSync(join(clone, file), '\n// scratch change\n');
    git(clone, 'commit', '--quiet', '--all', '--message', `scratch: ${file}`);
    const after = hashes();
    const selected = nxAffected();
    return { selected, rebuilt: selected.filter((p) => before[p] !== after[p]) };
  };

  beforeAll(() => {
    clone = join(tempDir('formalize-affected-'), 'repo');
    git(ROOT, 'clone', '--quiet', '--no-hardlinks', ROOT, clone);
    git(clone, 'config', 'user.email', 'test@formalize.invalid');
    git(clone, 'config', 'user.name', 'affected test');
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
    withImage = componentPackages(clone).filter((p) => p.components.length > 0).map((p) => p.name).sort();
    for (const p of readdirSync(join(ROOT, 'packages'))) {
      const nm = join(ROOT, 'packages', p, 'node_modules');
      if (existsSync(nm) && existsSync(join(clone, 'packages', p))) symlinkSync(nm, join(clone, 'packages', p, 'node_modules'));
    }
  });

  it("a change to one component's sources: that component only", () => {
    const { selected, rebuilt } = commitChange('packages/hello/src/components.ts');
    expect(selected).toContain('@formalize/hello');
    expect(rebuilt).toEqual(['@formalize/hello']);
  });

  it('a change to common, which every component depends on: every component', () => {
    expect(commitChange('packages/common/src/index.ts')).toEqual({ selected: withImage, rebuilt: withImage });
  });

  it('a change to the shared Dockerfile template: every component', () => {
    expect(commitChange('docker/component.Dockerfile')).toEqual({ selected: withImage, rebuilt: withImage });
  });

  it('a change to the runner, which no component image contains: none', () => {
    expect(commitChange('packages/runner/src/run.ts').rebuilt).toEqual([]);
  });
});
