// The generated Event / Summary code is what `npm run protos` makes from the vendored protos today.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { expect, it } from 'vitest';

const PKG = join(import.meta.dirname, '..');
const BIN = join(PKG, '../../node_modules/.bin');

async function files(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

it('src/tfevents/proto is up to date with proto/ (npm run protos)', async () => {
  const out = await mkdtemp(join(tmpdir(), 'protos-'));
  const r = spawnSync(join(BIN, 'buf'), ['generate', '-o', out], { cwd: PKG, encoding: 'utf8', env: { ...process.env, PATH: `${BIN}${delimiter}${process.env['PATH']}` } });
  expect(r.status, r.stderr).toBe(0);
  const generated = join(out, 'src/tfevents/proto');
  const committed = join(PKG, 'src/tfevents/proto');
  expect(await files(generated)).toEqual(await files(committed));
  for (const f of await files(generated)) expect(await readFile(join(generated, f), 'utf8'), f).toBe(await readFile(join(committed, f), 'utf8'));
});
