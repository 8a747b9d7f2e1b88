// packages/<pkg>/Dockerfile are generated from docker/component.Dockerfile (node docker/src/cli.ts dockerfiles):
// every component package has one, none is stale or edited by hand, each differs only in PACKAGE.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerfileFor, syncDockerfiles, TEMPLATE } from '../../docker/src/dockerfiles.ts';
import { componentPackages } from '../../docker/src/packages.ts';
import { ROOT } from './harness.ts';

describe('component Dockerfiles', () => {
  it('are up to date with the template', () => {
    expect(syncDockerfiles(ROOT, true)).toEqual([]);
  });

  it('differ from the template only in the header and PACKAGE', () => {
    const template = readFileSync(join(ROOT, TEMPLATE), 'utf8');
    for (const p of componentPackages(ROOT)) {
      const lines = readFileSync(join(p.root, 'Dockerfile'), 'utf8').split('\n');
      const diff = lines.slice(1).filter((l, i) => l !== template.split('\n')[i]);
      expect(new Set(diff), p.dir).toEqual(new Set([`ARG PACKAGE=${p.dir}`]));
    }
    expect(() => dockerfileFor('FROM x\n', 'hello')).toThrow(/expected 'ARG PACKAGE=' lines/);
  });
});
