// packages/<pkg>/Dockerfile for every component package: docker/component.Dockerfile with the package as
// PACKAGE's default, so each one builds on its own (`docker build -f packages/<pkg>/Dockerfile .`) while
// the build is written once. `--check` fails on a stale, missing or hand-edited copy.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { componentPackages } from './packages.ts';

export const TEMPLATE = 'docker/component.Dockerfile';

export function dockerfileFor(template: string, pkgDir: string): string {
  if (!/^ARG PACKAGE=$/m.test(template)) throw new Error(`${TEMPLATE}: expected 'ARG PACKAGE=' lines to fill in`);
  const header = `# GENERATED from ${TEMPLATE} (node docker/src/cli.ts dockerfiles): edit the template, not this file.\n`;
  return header + template.replace(/^ARG PACKAGE=$/gm, `ARG PACKAGE=${pkgDir}`);
}

/** Writes (or with `check`, compares) every package's Dockerfile; returns the stale ones. */
export function syncDockerfiles(workspaceRoot: string, check: boolean): string[] {
  const template = readFileSync(join(workspaceRoot, TEMPLATE), 'utf8');
  const stale: string[] = [];
  for (const pkg of componentPackages(workspaceRoot)) {
    const file = join(pkg.root, 'Dockerfile');
    const want = dockerfileFor(template, pkg.dir);
    if (existsSync(file) && readFileSync(file, 'utf8') === want) continue;
    stale.push(relative(workspaceRoot, file));
    if (!check) writeFileSync(file, want);
  }
  return stale;
}
