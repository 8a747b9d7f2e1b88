// The committed component.yaml is the contract's IR, and the contract module stays light: importing it (as
// pipelines do, and as every container start does) loads neither DuckDB nor the warehouse.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIrYaml } from '@formalize/common';
import { preprocess } from '../src/components.ts';
import { PKG } from './helpers.ts';

describe('dataflow-preprocess contract', () => {
  it('component.yaml is the IR of the contract, with the compiled entrypoint', async () => {
    const text = await readFile(join(PKG, 'component.yaml'), 'utf8');
    expect(parseIrYaml(text).documents[0]).toEqual(preprocess.toPipelineSpec());
    expect(preprocess.toIR().executor.container).toEqual({
      image: 'localhost:5000/formalize/dataflow-preprocess:0.1.0',
      command: ['node', '--conditions=formalize-dist', '/app/packages/dataflow-preprocess/dist/main.js'],
      args: ['--component', 'dataflow-preprocess', '--executor_input', '{{$}}'],
    });
  });

  it('importing the contract loads no DuckDB, warehouse or transform code', async () => {
    const trace = join(await mkdtemp(join(tmpdir(), 'trace-')), 'imports.txt');
    const r = spawnSync(process.execPath, ['--import', join(PKG, 'test/fixtures/trace-imports.ts'), '--input-type=module', '-e', `await import(${JSON.stringify(join(PKG, 'src/components.ts'))});`], {
      env: { ...process.env, TRACE_IMPORTS_FILE: trace }, encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    const urls = [...new Set((await readFile(trace, 'utf8')).trim().split('\n'))];
    expect(urls.some((u) => u.endsWith('/dataflow-preprocess/src/components.ts'))).toBe(true);
    expect(urls.filter((u) => /duckdb|\/warehouse\/|\/transform\/|preprocess\.ts$/.test(u))).toEqual([]);
  });
});
