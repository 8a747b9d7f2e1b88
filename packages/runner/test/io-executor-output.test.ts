// Reading a task's outputs: ExecutorOutput over output files, TextToPbValue conversion, artifact merge,
// and clear errors for missing or malformed outputs.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComponentSpec, JsonValue, ParameterType } from '@formalize/common';
import { buildExecutorInput, finalStatus, mergeRuntimeArtifact, OutputError, readOutputs, textToValue, ValueParseError } from '../src/io/index.ts';
import { finalState } from '../src/io/final-status.ts';

describe('textToValue (KFP TextToPbValue)', () => {
  it.each([
    ['STRING', '  hello \n', '  hello \n'],
    ['STRING', '', ''],
    ['NUMBER_INTEGER', '42', 42],
    ['NUMBER_INTEGER', ' -7\n', -7],
    ['NUMBER_INTEGER', '+8', 8],
    ['NUMBER_INTEGER', '007', 7],
    ['NUMBER_INTEGER', '9223372036854775807', 2 ** 63], // int64 max, as a float64 (Go: float64(i))
    ['NUMBER_DOUBLE', '0.5', 0.5],
    ['NUMBER_DOUBLE', ' 3\n', 3],
    ['NUMBER_DOUBLE', '-1.5e3', -1500],
    ['NUMBER_DOUBLE', '.25', 0.25],
    ['NUMBER_DOUBLE', '5.', 5],
    ['NUMBER_DOUBLE', '0x1.8p1', 3],
    ['NUMBER_DOUBLE', '1e-400', 0],
    ['BOOLEAN', 'true', true],
    ['BOOLEAN', 'True\n', true],
    ['BOOLEAN', 'TRUE', true],
    ['BOOLEAN', '1', true],
    ['BOOLEAN', 't', true],
    ['BOOLEAN', 'False', false],
    ['BOOLEAN', '0', false],
    ['BOOLEAN', 'F', false],
    ['LIST', '[1, "a", {"b": null}]', [1, 'a', { b: null }]],
    ['LIST', ' []\n', []],
    ['STRUCT', '{"a": [1.5]}', { a: [1.5] }],
  ] as [ParameterType, string, JsonValue][])('%s %j -> %j', (type, text, expected) => {
    expect(textToValue(text, type)).toEqual(expected);
  });

  it.each([
    ['NUMBER_INTEGER', '3.0', /expected an integer, got "3.0"/],
    ['NUMBER_INTEGER', '', /expected an integer/],
    ['NUMBER_INTEGER', '1_000', /expected an integer/],
    ['NUMBER_INTEGER', '9223372036854775808', /out of the int64 range/],
    ['NUMBER_DOUBLE', 'abc', /expected a number, got "abc"/],
    ['NUMBER_DOUBLE', 'NaN', /not a finite number/],
    ['NUMBER_DOUBLE', '-Inf', /not a finite number/],
    ['NUMBER_DOUBLE', '1e400', /out of the float64 range/],
    ['NUMBER_DOUBLE', '0x1.8', /expected a number/],
    ['BOOLEAN', 'yes', /expected a boolean/],
    ['BOOLEAN', 'tRUE', /expected a boolean/],
    ['LIST', '{"a": 1}', /expected a JSON array, got an object/],
    ['LIST', '[1,', /expected JSON \(LIST\)/],
    ['STRUCT', '[1]', /expected a JSON object, got an array/],
    ['STRUCT', 'null', /expected a JSON object, got null/],
    ['TASK_FINAL_STATUS', '{}', /cannot be read from text/],
  ] as [ParameterType, string, RegExp][])('%s %j is an error', (type, text, message) => {
    expect(() => textToValue(text, type)).toThrow(ValueParseError);
    expect(() => textToValue(text, type)).toThrow(message);
  });
});

const spec: ComponentSpec = {
  outputDefinitions: {
    parameters: {
      s: { parameterType: 'STRING' }, i: { parameterType: 'NUMBER_INTEGER' }, d: { parameterType: 'NUMBER_DOUBLE' },
      b: { parameterType: 'BOOLEAN' }, l: { parameterType: 'LIST' }, m: { parameterType: 'STRUCT' },
    },
    artifacts: { model: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } }, metrics: { artifactType: { schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' } } },
  },
};

function task(files: Record<string, string>, executorOutput?: unknown) {
  const taskDir = mkdtempSync(join(tmpdir(), 'io-out-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(taskDir, name), text);
  if (executorOutput !== undefined) writeFileSync(join(taskDir, 'executor_output.json'), typeof executorOutput === 'string' ? executorOutput : JSON.stringify(executorOutput));
  const executorInput = buildExecutorInput({ componentSpec: spec, taskDir, parameterValues: {}, inputArtifacts: {} });
  return { taskDir, executorInput, read: () => readOutputs({ componentSpec: spec, executorInput }) };
}

const FILES = { s: 'text\n', i: '42\n', d: '0.25', b: 'True', l: '["a"]', m: '{"k": 1}' };

describe('readOutputs', () => {
  it('reads typed parameters from the output files when there is no ExecutorOutput', async () => {
    const t = task(FILES);
    const out = await t.read();
    expect(out.parameters).toEqual({ s: 'text\n', i: 42, d: 0.25, b: true, l: ['a'], m: { k: 1 } });
    expect(out.artifacts).toEqual({
      model: [{ name: 'model', type: 'system.Model', uri: join(t.taskDir, 'model'), metadata: {} }],
      metrics: [{ name: 'metrics', type: 'system.Metrics', uri: join(t.taskDir, 'metrics'), metadata: {} }],
    });
  });

  it('prefers ExecutorOutput parameterValues over the files (collectOutputParameters)', async () => {
    const t = task({ ...FILES, i: 'not a number' }, { parameterValues: { i: 7, s: 'from-output', extra: 'ignored' } });
    const out = await t.read();
    expect(out.parameters).toEqual({ s: 'from-output', i: 7, d: 0.25, b: true, l: ['a'], m: { k: 1 } });
  });

  it('reads everything from the ExecutorOutput (Python components)', async () => {
    const t = task({}, { parameterValues: { s: '', i: 1, d: 2, b: false, l: [], m: {} } });
    expect((await t.read()).parameters).toEqual({ s: '', i: 1, d: 2, b: false, l: [], m: {} });
  });

  it('merges artifact URI and metadata from the ExecutorOutput (mergeRuntimeArtifacts)', async () => {
    const t = task(FILES, {
      artifacts: {
        model: { artifacts: [{ name: 'model', uri: 'gs://b/custom/model', metadata: { framework: 'onnx', size: 3 } }] },
        metrics: { artifacts: [{ metadata: { accuracy: 0.9 } }] },
        unknown: { artifacts: [{ uri: '/x' }] },
      },
    });
    const out = await t.read();
    expect(out.artifacts.model).toEqual([{ name: 'model', type: 'system.Model', uri: 'gs://b/custom/model', metadata: { framework: 'onnx', size: 3 } }]);
    expect(out.artifacts.metrics).toEqual([{ name: 'metrics', type: 'system.Metrics', uri: join(t.taskDir, 'metrics'), metadata: { accuracy: 0.9 } }]);
    expect(Object.keys(out.artifacts)).toEqual(['model', 'metrics']);
  });

  it('merges metadata key by key and keeps the URI when the output has none', () => {
    const dst = { name: 'm', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, uri: '/m', metadata: { a: 1, b: 2 } };
    expect(mergeRuntimeArtifact({ uri: '', metadata: { b: 3, c: 4 } }, dst)).toEqual({ ...dst, metadata: { a: 1, b: 3, c: 4 } });
    expect(mergeRuntimeArtifact(undefined, dst)).toBe(dst);
    expect(dst.metadata).toEqual({ a: 1, b: 2 });
  });

  it('treats an empty ExecutorOutput file as no output', async () => {
    expect((await task(FILES, '  \n').read()).parameters.i).toBe(42);
  });

  it('names a declared output parameter that was not written', async () => {
    const { i: _i, ...rest } = FILES;
    const t = task(rest);
    await expect(t.read()).rejects.toThrow(OutputError);
    await expect(t.read()).rejects.toThrow(`output parameter 'i' (NUMBER_INTEGER) was not written: no file ${join(t.taskDir, 'i')} and no parameterValues entry in ${join(t.taskDir, 'executor_output.json')}`);
  });

  it('names a malformed output file', async () => {
    const t = task({ ...FILES, b: 'maybe' });
    await expect(t.read()).rejects.toThrow(`output parameter 'b' (BOOLEAN) in ${join(t.taskDir, 'b')}: expected a boolean`);
    const t2 = task({ ...FILES, l: '{"not": "a list"}' });
    await expect(t2.read()).rejects.toThrow(/output parameter 'l' \(LIST\) in .*: expected a JSON array, got an object/);
  });

  it('rejects ExecutorOutput values of the wrong type', async () => {
    await expect(task(FILES, { parameterValues: { i: 1.5 } }).read()).rejects.toThrow(/output parameter 'i' \(NUMBER_INTEGER\) in .* is a number \(1\.5\), which is not a NUMBER_INTEGER value/);
    await expect(task(FILES, { parameterValues: { s: 3 } }).read()).rejects.toThrow(/output parameter 's' \(STRING\)/);
    await expect(task(FILES, { parameterValues: { m: null } }).read()).rejects.toThrow(/output parameter 'm' \(STRUCT\) .* is null/);
  });

  it('rejects a malformed ExecutorOutput file', async () => {
    await expect(task(FILES, '{"parameterValues": ').read()).rejects.toThrow(/is not valid JSON/);
    await expect(task(FILES, '[1]').read()).rejects.toThrow(/must hold a JSON object, got an array/);
    await expect(task(FILES, { parameterValues: [1] }).read()).rejects.toThrow(/parameterValues must be an object/);
    await expect(task(FILES, { artifacts: { model: [] } }).read()).rejects.toThrow(/artifacts\.model must be \{"artifacts": \[\.\.\.\]\}/);
    await expect(task(FILES, { artifacts: { model: { artifacts: [{ uri: 1 }] } } }).read()).rejects.toThrow(/artifacts\.model uri must be a string/);
    await expect(task(FILES, { artifacts: { model: { artifacts: [{ metadata: 'x' }] } } }).read()).rejects.toThrow(/artifacts\.model metadata must be an object/);
  });

  it('reports an unreadable output file', async () => {
    const t = task({ ...FILES });
    mkdirSync(join(t.taskDir, 'dir-param'));
    const executorInput = { ...t.executorInput, outputs: { ...t.executorInput.outputs, parameters: { ...t.executorInput.outputs.parameters, s: { outputFile: join(t.taskDir, 'dir-param') } } } };
    await expect(readOutputs({ componentSpec: spec, executorInput })).rejects.toThrow(/output parameter 's' \(STRING\): cannot read .*dir-param/);
  });
});

describe('finalStatus (PipelineTaskFinalStatus for exit tasks)', () => {
  it('reports success with an empty error, as the executor expects', () => {
    expect(finalStatus({ state: 'SUCCEEDED', jobResourceName: 'job-1', taskName: 'exit-handler-1' })).toEqual({
      state: 'SUCCEEDED', pipelineJobResourceName: 'job-1', pipelineTaskName: 'exit-handler-1', error: {},
    });
  });

  it('reports failures and cancellation with code and message', () => {
    expect(finalStatus({ state: 'FAILED', jobResourceName: 'job-1', taskName: 'exit-handler-1', error: 'task fail-op exited with code 1' })).toEqual({
      state: 'FAILED', pipelineJobResourceName: 'job-1', pipelineTaskName: 'exit-handler-1', error: { code: 1, message: 'task fail-op exited with code 1' },
    });
    expect(finalStatus({ state: 'CANCELLED', jobResourceName: 'j', taskName: 't' }).error).toEqual({ code: 1, message: 'cancelled' });
    expect(finalStatus({ state: 'SKIPPED', jobResourceName: 'j', taskName: 't' })).toMatchObject({ state: 'FAILED', error: { code: 1, message: "task 't' failed" } });
  });

  it('maps task states to final states', () => {
    expect((['SUCCEEDED', 'CACHED', 'NOT_TRIGGERED', 'FAILED', 'SKIPPED', 'CANCELLED'] as const).map(finalState))
      .toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'FAILED', 'FAILED', 'CANCELLED']);
    expect(() => finalState('RUNNING')).toThrow(/RUNNING is not final/);
  });

  it('is a JSON value usable as a parameter', () => {
    const v: JsonValue = finalStatus({ state: 'FAILED', jobResourceName: 'j', taskName: 't', error: 'x' });
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });
});
