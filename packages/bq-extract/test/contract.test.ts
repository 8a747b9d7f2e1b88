// The committed component.yaml files are the contracts' IR, and an entrypoint start loads no warehouse or DuckDB
// until a component runs (the executor's cold-start rule).
import { spawnSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIrYaml } from '@formalize/common';
import { components } from '../src/components.ts';
import { PKG, workdir } from './helpers.ts';

describe('contracts', () => {
  it('component.yaml files are the IR of the contracts, with the default image and entrypoint', async () => {
    expect((await readdir(join(PKG, 'components'))).sort()).toEqual(components.map((c) => c.name).sort());
    expect(components.map((c) => c.name).sort()).toEqual(['bq-extract', 'dataset-get', 'tabular-dataset-create']);
    for (const c of components) {
      const text = await readFile(join(PKG, 'components', c.name, 'component.yaml'), 'utf8');
      expect(parseIrYaml(text).documents[0]).toEqual(c.toPipelineSpec());
      expect(c.toIR().executor.container).toEqual({
        image: `localhost:5000/formalize/${c.name}:0.1.0`,
        command: ['node', '--conditions=formalize-dist', '/app/packages/bq-extract/dist/main.js'],
        args: ['--component', c.name, '--executor_input', '{{$}}'],
      });
    }
  });

  it('the entrypoint loads only node builtins, zod and workspace sources before run(), and no warehouse', async () => {
    const w = await workdir();
    const trace = join(w.dir, 'imports.txt');
    // A contract error stops before run(): what a cold start loads.
    const r = spawnSync(process.execPath, ['--import', join(PKG, 'test/fixtures/trace-imports.ts'), join(PKG, 'src/main.ts'), '--component', 'bq-extract', '--executor_input', '{"outputs": {}}'],
      { env: { ...process.env, TRACE_IMPORTS_FILE: trace }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    const urls = [...new Set((await readFile(trace, 'utf8')).trim().split('\n'))];
    const repo = resolve(PKG, '../..');
    expect(urls.filter((u) => !u.startsWith('node:') && !u.startsWith(`file://${repo}/packages/`) && !/\/node_modules\/zod\//.test(u))).toEqual([]);
    expect(urls.filter((u) => u.includes('/warehouse/') || u.includes('duckdb'))).toEqual([]);
  });
});
