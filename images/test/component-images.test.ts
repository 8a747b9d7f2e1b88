// Every pushed component image: what it runs, as whom, its labels, that no build credential or certificate
// is left in it, and that its published component.yaml pins the digest the registry serves.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinComponentYaml } from '../../docker/src/push.ts';
import { closure, DEVELOPMENT_FILE, NODE_BUNDLE_PACKAGES } from '../../docker/workspace.ts';
import { docker, dockerStatus, pushedPackages, ROOT } from './harness.ts';

const pushed = pushedPackages();

describe.each(pushed.map((p) => [p.pkg.name, p] as const))('%s image', (_name, { pkg, built, published }) => {
  const image = published[0]!.image;

  it('runs its entrypoint as the unprivileged user 65532, under tini, listing the components it serves', () => {
    const help = docker('run', '--rm', '--network', 'none', image);
    // Every component with a component.yaml (the entrypoint may serve more whose contracts are not generated yet).
    const listed = /^components: (.*)$/m.exec(help)?.[1]?.split(', ') ?? [];
    expect(listed).toEqual(expect.arrayContaining(pkg.components.map((c) => `${c.name}@${pkg.version}`)));
    expect(docker('run', '--rm', '--network', 'none', '--entrypoint', 'id', image, '-u')).toBe('65532');
    const config = JSON.parse(docker('image', 'inspect', '--format', '{{json .Config}}', image)) as { User: string; Entrypoint: string[]; WorkingDir: string };
    expect(config).toMatchObject({ User: '65532:65532', Entrypoint: ['/usr/bin/tini', '-s', '--'], WorkingDir: '/app' });
  });

  it('carries the OCI labels: source, version, revision', () => {
    const labels = JSON.parse(docker('image', 'inspect', '--format', '{{json .Config.Labels}}', image)) as Record<string, string>;
    expect(labels['org.opencontainers.image.version']).toBe(pkg.version);
    expect(labels['org.opencontainers.image.revision']).toBe(built.revision);
    expect(labels['org.opencontainers.image.revision']).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
    expect(labels['org.opencontainers.image.source']).toMatch(/^(\S+:\/\/|\/|git@)\S+/);
    expect(labels['org.opencontainers.image.title']).toBe(pkg.name);
  });

  it('keeps no build credential, certificate or npm state', () => {
    const history = docker('history', '--no-trunc', '--format', '{{.CreatedBy}}', image);
    expect(history).not.toMatch(/BUILD_CA_CERTS|BEGIN CERTIFICATE|_authToken|password/i);
    const env = (JSON.parse(docker('image', 'inspect', '--format', '{{json .Config.Env}}', image)) as string[]).map((e) => e.split('=')[0]);
    expect(env.sort()).toEqual(['FORMALIZE_PACKAGE', 'NODE_COMPILE_CACHE', 'NODE_ENV', 'NODE_VERSION', 'PATH']);
    // As root, to see into /root too.
    const files = docker('run', '--rm', '--network', 'none', '--user', '0:0', '--entrypoint', 'sh', image, '-c',
      'ls -A /home/formalize /tmp; find / -xdev \\( -name .npmrc -o -name .npm -o -name _cacache -o -name "build-ca*" \\) -print 2>/dev/null');
    expect(files).toBe('/home/formalize:\n\n/tmp:');
  });

  it('holds only its package, its workspace dependencies and their production dependencies', () => {
    const packages = docker('run', '--rm', '--network', 'none', '--entrypoint', 'ls', image, '/app/packages').split('\n');
    expect(packages.sort()).toEqual(closure(ROOT, pkg.dir).map((m) => m.dir.split('/')[1]).sort());
    const contents = docker('run', '--rm', '--network', 'none', '--entrypoint', 'sh', image, '-c', 'ls /app/packages/*/ && npm ls --omit=dev --all --prefix /app >/dev/null && echo deps-ok');
    expect(contents).not.toMatch(/^(src|test)$/m);
    expect(contents.endsWith('deps-ok')).toBe(true);
  });

  it('holds of its dependencies what Node loads: no maps, declarations or TypeScript; TF.js as its Node bundles; native libraries stripped', () => {
    const inImage = (script: string) => docker('run', '--rm', '--network', 'none', '--entrypoint', 'node', image, '-e', script);
    const files = JSON.parse(inImage(`const fs = require('fs');
      console.log(JSON.stringify(fs.readdirSync('/app/node_modules', { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.parentPath.slice(18) + '/' + e.name)));`)) as string[];
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => DEVELOPMENT_FILE.test(f))).toEqual([]);
    // Files of the TF.js packages themselves, not of dependencies nested under them.
    const tfjs = files.filter((f) => NODE_BUNDLE_PACKAGES.test(f.split('/').slice(0, 2).join('/')) && f.split('/')[2] !== 'node_modules');
    for (const f of tfjs) expect(f, 'a TF.js package keeps package.json, its main bundle and the WASM binaries').toMatch(/^@tensorflow\/[^/]+\/(package\.json|dist\/tf[a-z-]*\.node\.js|dist\/[a-z-]+\.wasm)$/);
    // ELF section headers: e_shoff at 0x28, e_shentsize 0x3a, e_shnum 0x3c; sh_type (at +4) 2 is SHT_SYMTAB.
    const unstripped = JSON.parse(inImage(`const fs = require('fs');
      const elf = ${JSON.stringify(files.filter((f) => /\.(node|so(\.\d+)*)$/.test(f)))}.map((f) => '/app/node_modules/' + f);
      console.log(JSON.stringify(elf.filter((f) => { const b = fs.readFileSync(f); if (b.readUInt32BE(0) !== 0x7f454c46) return false;
        const off = Number(b.readBigUInt64LE(0x28)), size = b.readUInt16LE(0x3a), n = b.readUInt16LE(0x3c);
        return Array.from({ length: n }, (_, i) => b.readUInt32LE(off + i * size + 4)).includes(2); })));`)) as string[];
    expect(unstripped, 'native libraries with a symbol table').toEqual([]);
  });

  it.each(pkg.components.map((c) => [c.name, c] as const))('%s: the published component.yaml is the committed one pinned to the pushed digest', (_c, component) => {
    const entry = published.find((p) => p.component === component.name)!;
    expect(entry.image).toMatch(new RegExp(`^${component.image.replaceAll('.', '\\.')}@sha256:[0-9a-f]{64}$`));
    const publishedYaml = readFileSync(join(pkg.root, 'dist', 'published', component.name, 'component.yaml'), 'utf8');
    expect(publishedYaml).toBe(pinComponentYaml(readFileSync(component.componentFile, 'utf8'), entry.image));
    expect(publishedYaml).toContain(`image: ${entry.image}\n`);
    // The registry serves that very manifest (the CLI's login; loopback registries speak plain HTTP).
    const r = dockerStatus(['manifest', 'inspect', '--insecure', entry.image]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('image target', () => {
  it('keeps an image whose inputs did not change: same image, no rebuild', () => {
    const { pkg, built } = pushedPackages().find((p) => p.pkg.dir === 'hello')!;
    const r = spawnSync(process.execPath, [join(ROOT, 'docker/src/cli.ts'), 'build', 'hello'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`[image] ${pkg.name}: up to date (${built.imageId.slice(0, 19)}`);
    const again = JSON.parse(readFileSync(join(pkg.root, 'dist/image/build.json'), 'utf8')) as { imageId: string; reused: boolean; inputs: string };
    expect(again).toMatchObject({ imageId: built.imageId, reused: true, inputs: built.inputs });
  });
});
