// `nx affected -t image` rebuilds only what a change touched: checked on a scratch commit in a temporary clone
// of this repository (its node_modules linked from the checkout), asking Nx which projects it would run
// `image` for. A component's sources: that component; common: every component (they all depend on it);
// the shared Dockerfile template: every component; a runner file: none.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { componentPackages } from '../../docker/src/packages.ts';
import { ROOT, tempDir } from './harness.ts';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

describe('nx affected -t image', () => {
  let clone = '';
  const withImage = componentPackages(ROOT).filter((p) => p.components.length > 0).map((p) => p.name).sort();
  const nxAffected = () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'node_modules/.bin/nx'), 'show', 'projects', '--affected', '--base=HEAD~1', '--head=HEAD', '--withTarget', 'image', '--json'], {
      cwd: clone, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_CACHE_DIRECTORY: join(clone, '.nx', 'cache') },
    });
    return (JSON.parse(out) as string[]).sort();
  };
  const commitChange = (file: string) => {
    appendFileSync(join(clone, file), '\n// scratch change\n');
    git(clone, 'commit', '--quiet', '--all', '--message', `scratch: ${file}`);
  };

  beforeAll(() => {
    clone = join(tempDir('formalize-affected-'), 'repo');
    git(ROOT, 'clone', '--quiet', '--no-hardlinks', ROOT, clone);
    git(clone, 'config', 'user.email', 'test@formalize.invalid');
    git(clone, 'config', 'user.name', 'affected test');
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
    for (const p of readdirSync(join(ROOT, 'packages'))) {
      const nm = join(ROOT, 'packages', p, 'node_modules');
      if (existsSync(nm) && existsSync(join(clone, 'packages', p))) symlinkSync(nm, join(clone, 'packages', p, 'node_modules'));
    }
  });

  it("a change to one component's sources: that component only", () => {
    commitChange('packages/hello/src/components.ts');
    expect(nxAffected()).toEqual(['@formalize/hello']);
  });

  it('a change to common, which every component depends on: every component', () => {
    commitChange('packages/common/src/index.ts');
    expect(nxAffected()).toEqual(withImage);
  });

  it('a change to the shared Dockerfile template: every component', () => {
    commitChange('docker/component.Dockerfile');
    expect(nxAffected()).toEqual(withImage);
  });

  it('a change to the runner, which no component image contains: none', () => {
    commitChange('packages/runner/src/run.ts');
    expect(nxAffected()).toEqual([]);
  });
});
