// The executor protocol in-process (the hello package tests the same through a real child process).
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { artifact, buildExecutorInput, defineComponent, executorInputSchema, runExecutor, type Component, type InputArtifact } from '../src/index.ts';

type Behaviour = (ctx: { inputs: Record<string, unknown>; outputs: { model: { path: string; uri: string; metadata: Record<string, unknown> } } }) => unknown;
let behaviour: Behaviour;
let seen: Record<string, unknown>;

const probe = defineComponent({
  name: 'probe',
  version: '0.1.0',
  description: 'exercises every kind of input and output',
  inputs: {
    limit: z.int(),
    ratio: z.number().default(0.5),
    flags: z.array(z.string()).default([]),
    conf: z.record(z.string(), z.unknown()).optional(),
    data: artifact('system.Dataset'),
    base: artifact('system.Model', { optional: true }),
    shards: artifact('system.Dataset', { list: true, optional: true }),
    anything: artifact('system.Artifact', { optional: true }),
  },
  outputs: { model: artifact('system.Model'), count: z.int(), summary: z.record(z.string(), z.unknown()), ok: z.boolean(), label: z.string() },
  async run(ctx) {
    seen = ctx.inputs;
    await writeFile(ctx.outputs.model.path, 'weights');
    ctx.outputs.model.metadata['framework'] = 'tfjs';
    return behaviour(ctx as never) as never;
  },
});
const components: Component[] = [probe, defineComponent({ name: 'other', version: '0.1.0', description: '', run: () => {} })];

const art = (name: string, schemaTitle: string, uri: string, metadata: object = {}) => ({ name, type: { schemaTitle, schemaVersion: '0.0.1' }, uri, metadata });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'executor-'));
  seen = {};
  behaviour = ({ inputs }) => ({ count: inputs['limit'], summary: { a: [1, 2] }, ok: true, label: 'multi\nline' });
});

function executorInput(patch: { parameterValues?: object; artifacts?: object; outputArtifacts?: object; outputFile?: string | null } = {}) {
  const outputs: Record<string, unknown> = {
    artifacts: patch.outputArtifacts ?? { model: { artifacts: [art('model', 'system.Model', 'gs://bkt/run/probe/model')] } },
    parameters: Object.fromEntries(['count', 'summary', 'ok', 'label'].map((p) => [p, { outputFile: join(dir, 'params', p) }])),
  };
  if (patch.outputFile !== null) outputs['outputFile'] = patch.outputFile ?? join(dir, 'out', 'executor_output.json');
  return {
    inputs: {
      parameterValues: patch.parameterValues ?? { limit: 3 },
      artifacts: patch.artifacts ?? { data: { artifacts: [art('data', 'system.Dataset', 'gs://bkt/run/split/data', { rows: 10 })] } },
    },
    outputs,
  };
}

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const exits: number[] = [];
  const code = await runExecutor(components, argv, {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
    env: { FORMALIZE_GCS_MOUNT: join(dir, 'gcs') },
    exit: (c) => exits.push(c),
  });
  expect(exits).toEqual([code]);
  const stderr = err.join('');
  return { code, stdout: out.join(''), stderr, errors: stderr.split('\n').filter((l) => l.startsWith('error: ')) };
}

const runWith = (ei: unknown, component = 'probe') => run(['--component', component, '--executor_input', JSON.stringify(ei)]);
const outputFile = () => join(dir, 'out', 'executor_output.json');

describe('runExecutor: success', () => {
  it('validates inputs, runs, and writes ExecutorOutput plus parameter files', async () => {
    const r = await runWith(executorInput({
      parameterValues: { limit: 3, flags: ['x'] },
      artifacts: {
        data: { artifacts: [art('data', 'system.Dataset', 'gs://bkt/run/split/data', { rows: 10 })] },
        shards: { artifacts: [art('s0', 'system.Dataset', '/local/s0'), art('s1', 'system.Dataset', 'file:///local/s1'), { ...art('s2', 'system.Dataset', 'gs://b/s2'), customPath: '/custom/s2' }] },
        anything: { artifacts: [art('t', 'google.BQTable', 'https://www.googleapis.com/bigquery/v2/projects/p/datasets/d/tables/t', { tableId: 't' })] },
      },
    }));
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(outputFile(), 'utf8'))).toEqual({
      parameterValues: { count: 3, summary: { a: [1, 2] }, ok: true, label: 'multi\nline' },
      artifacts: { model: { artifacts: [{ name: 'model', uri: 'gs://bkt/run/probe/model', metadata: { framework: 'tfjs' } }] } },
    });
    // Per-parameter files use the launcher's text form: strings raw, the rest JSON.
    expect(await readFile(join(dir, 'params/count'), 'utf8')).toBe('3');
    expect(await readFile(join(dir, 'params/summary'), 'utf8')).toBe('{"a":[1,2]}');
    expect(await readFile(join(dir, 'params/ok'), 'utf8')).toBe('true');
    expect(await readFile(join(dir, 'params/label'), 'utf8')).toBe('multi\nline');
    // The output artifact went to the local mount of its gs:// URI.
    expect(await readFile(join(dir, 'gcs/bkt/run/probe/model'), 'utf8')).toBe('weights');

    expect(seen['limit']).toBe(3);
    expect(seen['ratio']).toBe(0.5);
    expect(seen['flags']).toEqual(['x']);
    expect(seen['conf']).toBeUndefined();
    expect(seen['base']).toBeUndefined();
    const data = seen['data'] as InputArtifact;
    expect({ name: data.name, uri: data.uri, path: data.path, metadata: data.metadata, type: data.type }).toEqual({
      name: 'data', uri: 'gs://bkt/run/split/data', path: join(dir, 'gcs/bkt/run/split/data'), metadata: { rows: 10 },
      type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
    });
    expect(Object.isFrozen(data.metadata)).toBe(true);
    // customPath (RuntimeArtifact.custom_path) wins over the URI mapping, as in the KFP launcher.
    expect((seen['shards'] as InputArtifact[]).map((s) => s.path)).toEqual(['/local/s0', '/local/s1', '/custom/s2']);
    const table = seen['anything'] as InputArtifact;
    expect(table.type.schemaTitle).toBe('google.BQTable');
    expect(() => table.path).toThrow(/unsupported URI scheme "https:\/\/"/);

    const logs = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(logs.map((l) => l.message)).toEqual(['started', 'succeeded']);
  });

  it('reads --executor_input_file and honours a replaced output URI', async () => {
    behaviour = ({ outputs }) => {
      outputs.model.uri = 'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/models/7';
      outputs.model.metadata['resourceName'] = 'projects/p/locations/l/models/7';
      return { count: 1, summary: {}, ok: false, label: '' };
    };
    const file = join(dir, 'ei.json');
    await writeFile(file, JSON.stringify(executorInput()));
    const r = await run(['--component=probe', '--executor_input_file', file]);
    expect(r.errors).toEqual([]);
    const out = JSON.parse(await readFile(outputFile(), 'utf8'));
    expect(out.artifacts.model.artifacts[0]).toEqual({
      name: 'model', uri: 'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/models/7',
      metadata: { framework: 'tfjs', resourceName: 'projects/p/locations/l/models/7' },
    });
  });

  it('runs a component without outputs and writes an empty ExecutorOutput', async () => {
    const r = await runWith({ outputs: { outputFile: outputFile() } }, 'other');
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(outputFile(), 'utf8'))).toEqual({});
  });

  it('prints usage for --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('components: probe@0.1.0, other@0.1.0');
  });
});

describe('runExecutor: bad input fails with the field and value, and leaves no output', () => {
  const failing = async (ei: unknown, expected: (string | RegExp)[], component = 'probe') => {
    const r = await runWith(ei, component);
    expect(r.code).toBe(1);
    for (const e of expected) expect(r.errors.some((line) => (typeof e === 'string' ? line === `error: ${e}` : e.test(line))), `${e} in\n${r.errors.join('\n')}`).toBe(true);
    expect(existsSync(outputFile())).toBe(false);
    expect(existsSync(join(dir, 'params'))).toBe(false);
    return r;
  };

  it('reports every bad parameter at once', async () => {
    const r = await failing(executorInput({ parameterValues: { ratio: 'high', flags: [1] } }), [
      'inputs.parameterValues.limit: missing required parameter (expected an integer), received nothing',
      'inputs.parameterValues.ratio: expected a number, received "high"',
      'inputs.parameterValues.flags[0]: expected a string, received 1',
    ]);
    expect(r.errors).toHaveLength(3);
  });

  it('reports input and output problems together', async () => {
    const r = await failing(executorInput({ parameterValues: { limit: 1.5 }, outputArtifacts: { model: { artifacts: [art('model', 'system.HTML', 'gs://b/m')] } } }), [
      'inputs.parameterValues.limit: expected an integer, received 1.5',
      'outputs.artifacts.model.artifacts[0].type.schemaTitle: expected artifact type system.Model, received "system.HTML"',
    ]);
    expect(r.errors).toHaveLength(2);
  });

  it('rejects 3.5 and "3" for an int', async () => {
    await failing(executorInput({ parameterValues: { limit: 3.5 } }), ['inputs.parameterValues.limit: expected an integer, received 3.5']);
    await failing(executorInput({ parameterValues: { limit: '3' } }), ['inputs.parameterValues.limit: expected an integer, received "3"']);
  });

  it('rejects a mismatched, unknown or missing input artifact', async () => {
    await failing(executorInput({ artifacts: { data: { artifacts: [art('data', 'system.Model', 'gs://b/m')] } } }),
      ['inputs.artifacts.data.artifacts[0].type.schemaTitle: expected artifact type system.Dataset, received "system.Model"']);
    await failing(executorInput({ artifacts: { data: { artifacts: [art('data', 'acme.Table', 'gs://b/m')] } } }),
      ['inputs.artifacts.data.artifacts[0].type.schemaTitle: unknown artifact type, received "acme.Table"']);
    await failing(executorInput({ artifacts: {} }), ['inputs.artifacts.data: missing required artifact (expected system.Dataset), received nothing']);
    await failing(executorInput({ artifacts: { data: { artifacts: [art('a', 'system.Dataset', '/a'), art('b', 'system.Dataset', '/b')] } } }),
      [/^error: inputs\.artifacts\.data\.artifacts: expected exactly one artifact, received \[/]);
    await failing(executorInput({ artifacts: { data: { artifacts: [{ type: { schemaTitle: 'system.Dataset' }, uri: 5 }] } } }),
      ['inputs.artifacts.data.artifacts[0].uri: expected a string, received 5']);
  });

  it('rejects a mismatched output artifact and a missing outputFile', async () => {
    await failing(executorInput({ outputArtifacts: { model: { artifacts: [art('model', 'system.Dataset', 'gs://b/m')] } } }),
      ['outputs.artifacts.model.artifacts[0].type.schemaTitle: expected artifact type system.Model, received "system.Dataset"']);
    await failing(executorInput({ outputArtifacts: {} }), ['outputs.artifacts.model.artifacts: expected exactly one provisioned output artifact, received nothing']);
    const r = await runWith(executorInput({ outputFile: null }));
    expect(r.errors).toEqual(['error: outputs.outputFile: expected a string, received nothing']);
  });

  it('rejects malformed JSON, a non-object, an unknown component and bad arguments', async () => {
    let r = await run(['--component', 'probe', '--executor_input', '{"inputs": ']);
    expect(r.code).toBe(1);
    expect(r.errors[0]).toMatch(/^error: --executor_input: malformed JSON \(.+\), received "\{\\"inputs\\": "$/);
    r = await run(['--component', 'probe', '--executor_input', '[1]']);
    expect(r.errors).toEqual(['error: executor input: expected an object, received [1]']);
    r = await runWith(executorInput(), 'nope');
    expect(r.errors).toEqual(['error: --component: unknown component (this entrypoint runs: probe, other), received "nope"']);
    r = await run(['--component', 'probe', '--executor_input_file', join(dir, 'missing.json')]);
    expect(r.errors[0]).toMatch(/^error: --executor_input_file: cannot read file \(ENOENT\), received ".*missing\.json"$/);
    r = await run(['--executor_input', '{}']);
    expect(r.errors[0]).toMatch(/^error: --component: required/);
    r = await run(['--component', 'probe']);
    expect(r.errors[0]).toMatch(/^error: arguments: pass exactly one of --executor_input and --executor_input_file/);
    r = await run(['--component', 'probe', '--executor_input', '{}', '--verbose']);
    expect(r.errors[0]).toMatch(/^error: arguments: Unknown option '--verbose'/);
  });
});

describe('runExecutor: bad results fail and drop what run() wrote', () => {
  const failingRun = async (expected: (string | RegExp)[]) => {
    const r = await runWith(executorInput());
    expect(r.code).toBe(1);
    for (const e of expected) expect(r.errors.some((line) => (typeof e === 'string' ? line === `error: ${e}` : e.test(line))), `${e} in\n${r.errors.join('\n')}`).toBe(true);
    expect(existsSync(outputFile())).toBe(false);
    expect(existsSync(join(dir, 'gcs/bkt/run/probe/model'))).toBe(false);
    expect(await readdir(join(dir, 'gcs/bkt/run/probe'))).toEqual([]);
  };

  it('wrong output parameter types', async () => {
    behaviour = () => ({ count: 2.5, summary: 'x', ok: 1, label: 'fine' });
    await failingRun([
      'outputs.parameters.count: expected an integer, received 2.5',
      'outputs.parameters.summary: expected an object, received "x"',
      'outputs.parameters.ok: expected a boolean, received 1',
    ]);
  });

  it('missing and undeclared output parameters', async () => {
    behaviour = () => ({ count: 1, summary: {}, ok: true, extra: 'x' });
    await failingRun(['outputs.parameters.label: missing output parameter (expected a string), received nothing', 'outputs.parameters.extra: not an output parameter of probe, received "x"']);
  });

  it('non-JSON artifact metadata and results', async () => {
    behaviour = ({ outputs }) => {
      outputs.model.metadata['score'] = Number.NaN;
      outputs.model.metadata['at'] = new Date(0);
      return { count: 1, summary: { big: 1n }, ok: true, label: '' };
    };
    await failingRun([
      'outputs.artifacts.model.metadata.score: expected a JSON value, received NaN',
      /^error: outputs\.artifacts\.model\.metadata\.at: expected a JSON value, received "1970-01-01T00:00:00\.000Z" \(\[object Date\]\)$/,
      'outputs.parameters.summary.big: expected a JSON value, received 1n ([object BigInt])',
    ]);
  });

  it('an exception in run()', async () => {
    behaviour = () => {
      throw new Error('warehouse unreachable');
    };
    await failingRun(['warehouse unreachable']);
  });
});

describe('buildExecutorInput', () => {
  it('provisions one artifact per input and output, the outputs under the output folder (gs:// kept intact)', () => {
    const ei = buildExecutorInput({
      parameters: { n: 3 },
      artifacts: { data: { type: 'system.Dataset', uri: '/data/d', metadata: { rows: 3 } } },
      outputArtifacts: { model: 'system.Model' },
      outputParameters: ['loss'],
      outputDir: 'gs://bucket/root/task/',
    });
    expect(executorInputSchema.parse(ei)).toEqual(ei);
    expect(ei.inputs.parameterValues).toEqual({ n: 3 });
    expect(ei.inputs.artifacts['data']!.artifacts).toEqual([{ name: 'data', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, uri: '/data/d', metadata: { rows: 3 } }]);
    expect(ei.outputs.artifacts['model']!.artifacts).toEqual([{ name: 'model', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, uri: 'gs://bucket/root/task/model', metadata: {} }]);
    expect(ei.outputs.parameters).toEqual({ loss: { outputFile: 'gs://bucket/root/task/outputs/loss' } });
    expect(ei.outputs.outputFile).toBe('gs://bucket/root/task/executor_output.json');
  });
});
