// End to end, as the KFP launcher drives the container: `node src/main.ts --component hello
// --executor_input '<json>'` in a child process, outputs checked on disk.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseIrYaml } from '@formalize/common';
import { hello, noop } from '../src/components.ts';

const PKG = resolve(import.meta.dirname, '..');
const MAIN = join(PKG, 'src/main.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hello-'));
});

function executorInput(parameterValues: Record<string, unknown>, reportType = 'system.Markdown') {
  return {
    inputs: { parameterValues },
    outputs: {
      artifacts: { report: { artifacts: [{ name: 'report', type: { schemaTitle: reportType, schemaVersion: '0.0.1' }, uri: 'gs://pipeline-root/run-1/hello/report', metadata: {} }] } },
      parameters: { greeting: { outputFile: join(dir, 'kfp/outputs/greeting') } },
      outputFile: join(dir, 'task/executor_output.json'),
    },
  };
}

function launch(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [...(env['TRACE_IMPORTS_FILE'] ? ['--import', join(PKG, 'test/fixtures/trace-imports.ts')] : []), MAIN, ...args], {
    env: { ...process.env, FORMALIZE_GCS_MOUNT: join(dir, 'gcs'), ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, errors: r.stderr.split('\n').filter((l) => l.startsWith('error: ')) };
}

const runHello = (ei: unknown) => launch(['--component', 'hello', '--executor_input', typeof ei === 'string' ? ei : JSON.stringify(ei)]);

describe('hello end to end', () => {
  it('writes the greeting, the Markdown report under the gs:// mount, and ExecutorOutput with run()s metadata', async () => {
    const r = runHello(executorInput({ name: 'Ada', times: 2 }));
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const output = JSON.parse(await readFile(join(dir, 'task/executor_output.json'), 'utf8'));
    expect(output).toEqual({
      parameterValues: { greeting: 'Hello, Ada! Hello, Ada!' },
      artifacts: { report: { artifacts: [{ name: 'report', uri: 'gs://pipeline-root/run-1/hello/report', metadata: { title: 'Greeting for Ada', repetitions: 2 } }] } },
    });
    expect(await readFile(join(dir, 'kfp/outputs/greeting'), 'utf8')).toBe('Hello, Ada! Hello, Ada!');
    expect(await readFile(join(dir, 'gcs/pipeline-root/run-1/hello/report'), 'utf8')).toBe('# Greeting\n\nHello, Ada! Hello, Ada!\n');
    // Not a TTY: structured log lines.
    const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(logs.map((l) => [l.severity, l.component, l.message])).toEqual([['INFO', 'hello', 'started'], ['INFO', 'hello', 'greeted'], ['INFO', 'hello', 'succeeded']]);
  });

  it('applies the contract defaults for absent parameters', async () => {
    const r = runHello(executorInput({}));
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'task/executor_output.json'), 'utf8')).parameterValues).toEqual({ greeting: 'Hello, world!' });
  });

  it.each([
    ['malformed JSON', () => '{"inputs": {', /^error: --executor_input: malformed JSON \(.*\), received "\{\\"inputs\\": \{"$/],
    ['a wrong type', () => executorInput({ name: 7 }), /^error: inputs\.parameterValues\.name: expected a string, received 7$/],
    ['a string for an int', () => executorInput({ times: 'two' }), /^error: inputs\.parameterValues\.times: expected an integer, received "two"$/],
    ['3.5 for an int', () => executorInput({ times: 3.5 }), /^error: inputs\.parameterValues\.times: expected an integer, received 3\.5$/],
    ['a value out of range', () => executorInput({ times: 0 }), /^error: inputs\.parameterValues\.times: too small: expected number to be >=1, received 0$/],
    ['a mismatched artifact type', () => executorInput({}, 'system.Dataset'), /^error: outputs\.artifacts\.report\.artifacts\[0\]\.type\.schemaTitle: expected artifact type system\.Markdown, received "system\.Dataset"$/],
    ['an unknown artifact type', () => executorInput({}, 'acme.Report'), /^error: outputs\.artifacts\.report\.artifacts\[0\]\.type\.schemaTitle: unknown artifact type, received "acme\.Report"$/],
  ])('%s exits 1 naming the field and value, leaving no output', async (_, makeInput, message) => {
    // Built lazily: the table is evaluated before beforeEach creates `dir`.
    const r = runHello(makeInput());
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(message);
    expect(existsSync(join(dir, 'task/executor_output.json'))).toBe(false);
    expect(existsSync(join(dir, 'kfp/outputs/greeting'))).toBe(false);
    expect(existsSync(join(dir, 'gcs'))).toBe(false);
  });

  it('a missing required parameter exits 1 naming it', async () => {
    const r = launch(['--component', 'noop', '--executor_input', JSON.stringify({ outputs: {} })]);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(['error: outputs.outputFile: expected a string, received nothing']);
  });

  it('an unknown component exits 1 naming it', () => {
    const r = launch(['--component', 'goodbye', '--executor_input', JSON.stringify(executorInput({}))]);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual(['error: --component: unknown component (this entrypoint runs: hello, noop), received "goodbye"']);
  });
});

describe('noop and cold start', () => {
  it('noop writes an empty ExecutorOutput', async () => {
    const r = launch(['--component', 'noop', '--executor_input', JSON.stringify({ inputs: { parameterValues: { note: 'x' } }, outputs: { outputFile: join(dir, 'out.json') } })]);
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'out.json'), 'utf8'))).toEqual({});
  });

  it('the entrypoint loads only node builtins, zod and the workspace sources', async () => {
    const trace = join(dir, 'imports.txt');
    const r = launch(['--component', 'noop', '--executor_input', JSON.stringify({ outputs: { outputFile: join(dir, 'out.json') } })], { TRACE_IMPORTS_FILE: trace });
    expect(r.code).toBe(0);
    const urls = [...new Set((await readFile(trace, 'utf8')).trim().split('\n'))];
    const repo = resolve(PKG, '../..');
    const foreign = urls.filter((u) => !u.startsWith('node:') && !u.startsWith(`file://${repo}/packages/`) && !/\/node_modules\/zod\//.test(u));
    expect(foreign).toEqual([]);
    expect(urls.some((u) => u.includes('/node_modules/zod/'))).toBe(true);
  });
});

describe('generated component.yaml', () => {
  it('is the IR of the contract, with the default image and entrypoint', async () => {
    const files = (await readdir(join(PKG, 'components'))).sort();
    expect(files).toEqual(['hello', 'noop']);
    for (const c of [hello, noop]) {
      const text = await readFile(join(PKG, 'components', c.name, 'component.yaml'), 'utf8');
      expect(parseIrYaml(text).documents[0]).toEqual(c.toPipelineSpec());
      expect(c.toIR().executor.container).toEqual({
        image: `localhost:5000/formalize/${c.name}:0.1.0`,
        command: ['node', '--conditions=formalize-dist', '/app/packages/hello/dist/main.js'],
        args: ['--component', c.name, '--executor_input', '{{$}}'],
      });
    }
  });
});
