import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateArtifacts } from '../src/index.ts';

const REPO = resolve(import.meta.dirname, '../../..');

/** A throwaway repo holding a copy of packages/hello; node_modules links back so its imports resolve. */
async function repoCopy(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'generate-'));
  await mkdir(join(root, 'packages'));
  await cp(join(REPO, 'packages/hello'), join(root, 'packages/hello'), { recursive: true, filter: (src) => !src.includes('node_modules') });
  await symlink(join(REPO, 'node_modules'), join(root, 'node_modules'));
  await cp(join(REPO, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  return root;
}

describe('generateArtifacts', () => {
  it('--check passes on the committed files', async () => {
    const r = await generateArtifacts({ root: REPO, check: true });
    expect(r.files.filter((f) => f.status !== 'up-to-date')).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.files.map((f) => f.path)).toEqual(expect.arrayContaining([
      'packages/hello/components/hello/component.yaml', 'packages/hello/components/noop/component.yaml', 'packages/hello/README.md',
    ]));
  });

  it('the CI entrypoint `node scripts/generate.ts --check` exits 0 on the committed files', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/generate.ts', '--check'], { cwd: REPO });
    expect(stdout).toMatch(/generated files up to date/);
  });

  it('--check lists stale, missing and orphaned files without touching them; a write run fixes them', async () => {
    const root = await repoCopy();
    const pkg = join(root, 'packages/hello');
    const helloYaml = join(pkg, 'components/hello/component.yaml');
    const stale = (await readFile(helloYaml, 'utf8')).replace('image: localhost:5000/formalize/hello:0.1.0', 'image: old');
    await writeFile(helloYaml, stale);
    await rm(join(pkg, 'components/noop/component.yaml'));
    await writeFile(join(pkg, 'README.md'), '# hello\n\nHand-written intro.\n');
    await mkdir(join(pkg, 'components/gone'));
    await writeFile(join(pkg, 'components/gone/component.yaml'), 'old');

    const check = await generateArtifacts({ root, check: true });
    expect(check.ok).toBe(false);
    expect(Object.fromEntries(check.files.map((f) => [f.path, f.status]))).toEqual({
      'packages/hello/components/hello/component.yaml': 'stale',
      'packages/hello/components/noop/component.yaml': 'missing',
      'packages/hello/README.md': 'stale',
      'packages/hello/components/gone/component.yaml': 'orphaned',
    });
    expect(await readFile(helloYaml, 'utf8')).toBe(stale);
    expect(existsSync(join(pkg, 'components/gone/component.yaml'))).toBe(true);

    const write = await generateArtifacts({ root });
    expect(write.files.map((f) => f.status).sort()).toEqual(['removed', 'written', 'written', 'written']);
    expect(existsSync(join(pkg, 'components/gone'))).toBe(false);
    expect(await readFile(helloYaml, 'utf8')).toBe(await readFile(join(REPO, 'packages/hello/components/hello/component.yaml'), 'utf8'));
    const readme = await readFile(join(pkg, 'README.md'), 'utf8');
    expect(readme).toMatch(/^# hello\n\nHand-written intro\.\n\n<!-- contract:hello:start -->/);
    expect(readme).toContain('<!-- contract:noop:end -->');
    expect((await generateArtifacts({ root, check: true })).ok).toBe(true);
  });

  it('rejects a package whose components module exports no components', async () => {
    const root = await repoCopy();
    await writeFile(join(root, 'packages/hello/src/components.ts'), 'export const components = [];\n');
    await expect(generateArtifacts({ root, check: true })).rejects.toThrow(/packages\/hello\/\.\/src\/components\.ts: must export `components`/);
  });
});
