// Placeholder resolution: every container command/args of every golden (KFP and GCPC) resolves,
// structured placeholders expand as the SDK/launcher do, values render like the Go launcher.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIrYaml, type ComponentSpec, type ContainerComponentIR, type ContainerSpec, type JsonValue, type ParameterType, type PipelineSpec } from '@formalize/common';
import { loadComponentFromFile } from '@formalize/dsl';
import {
  buildExecutorInput, executorInputJson, finalStatus, resolveCommand, resolveExecutorInput, resolveValuePlaceholders, PlaceholderError,
  type ExecutorInput, type PlaceholderContext,
} from '../src/io/index.ts';
import type { ArtifactRecord } from '../src/types.ts';

const CONFORMANCE = resolve(import.meta.dirname, '../../../../shared/conformance');
const TASK_DIR = '/runs/p-1/task';

const PIPELINE_CTX: Omit<PlaceholderContext, 'executorInput'> = {
  pipelineJobName: 'my-pipeline-20240101', pipelineJobResourceName: 'projects/1/locations/us-central1/pipelineJobs/my-pipeline-20240101',
  pipelineJobUuid: 'run-uuid', pipelineTaskName: 'task', pipelineTaskUuid: 'task-uuid', pipelineRoot: '/runs',
  pipelineJobCreateTimeUtc: '2024-01-01T00:00:00.000Z', googleCloudProjectId: 'my-project', googleCloudLocation: 'us-central1',
  env: { FORMALIZE_GCS_MOUNT: '/mnt/gcs' },
};

function sample(name: string, type: ParameterType): JsonValue {
  switch (type) {
    case 'STRING': return `s-${name}`;
    case 'NUMBER_INTEGER': return 3;
    case 'NUMBER_DOUBLE': return 0.5;
    case 'BOOLEAN': return true;
    case 'LIST': return ['a', 1];
    case 'STRUCT': return { k: 'v' };
    case 'TASK_FINAL_STATUS': return finalStatus({ state: 'SUCCEEDED', jobResourceName: 'job', taskName: 'exit-handler-1' });
    default: return null;
  }
}

interface Executor { file: string; label: string; component: ComponentSpec; container: ContainerSpec }

function goldenExecutors(): Executor[] {
  const out: Executor[] = [];
  for (const sub of ['kfp-ir', 'gcpc-ir']) {
    const dir = join(CONFORMANCE, sub);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
      const spec = parseIrYaml(readFileSync(join(dir, file), 'utf8')).documents[0] as PipelineSpec;
      for (const [label, exec] of Object.entries(spec.deploymentSpec?.executors ?? {})) {
        if (!exec.container) continue;
        const component = Object.values(spec.components ?? {}).find((c) => c.executorLabel === label);
        if (!component) throw new Error(`${file}: no component runs ${label}`);
        out.push({ file: `${sub}/${file}`, label, component, container: exec.container });
      }
    }
  }
  return out;
}

/** ExecutorInput with a value for every input (or only the required ones), artifacts carrying the metadata keys the args read. */
function executorInputFor(component: ComponentSpec, container: ContainerSpec, all: boolean): ExecutorInput {
  const text = JSON.stringify([...(container.command ?? []), ...(container.args ?? [])]);
  const parameterValues: Record<string, JsonValue> = {};
  for (const [name, def] of Object.entries(component.inputDefinitions?.parameters ?? {})) {
    if (all || (!def.isOptional && def.defaultValue === undefined)) parameterValues[name] = sample(name, def.parameterType);
  }
  const inputArtifacts: Record<string, ArtifactRecord[]> = {};
  for (const [name, def] of Object.entries(component.inputDefinitions?.artifacts ?? {})) {
    if (!all && def.isOptional) continue;
    const keys = [...text.matchAll(new RegExp(String.raw`artifacts\['${name}'\]\.metadata\['([^']+)'\]`, 'g'))].map((m) => m[1]!);
    const metadata = Object.fromEntries(keys.map((k) => [k, `md-${k}`]));
    const n = def.isArtifactList ? 2 : 1;
    inputArtifacts[name] = Array.from({ length: n }, (_, i) => ({ name: `${name}-${i}`, type: def.artifactType.schemaTitle, uri: `gs://bucket/in/${name}/${i}`, metadata }));
  }
  return buildExecutorInput({ componentSpec: component, parameterValues, inputArtifacts, taskDir: TASK_DIR, pipelineRoot: '/runs' });
}

const executors = goldenExecutors();

describe('every container command of every golden resolves', () => {
  it('covers the KFP and GCPC goldens', () => {
    expect(executors.length).toBeGreaterThan(60);
    expect(executors.filter((e) => e.file.startsWith('gcpc-ir/')).length).toBeGreaterThanOrEqual(23);
  });

  it.each(executors.map((e) => [`${e.file} ${e.label}`, e] as const))('%s', (_name, e) => {
    const argv = [...(e.container.command ?? []), ...(e.container.args ?? [])];
    for (const all of [true, false]) {
      const executorInput = executorInputFor(e.component, e.container, all);
      const ctx = { ...PIPELINE_CTX, executorInput, componentSpec: e.component };
      const out = resolveCommand(argv, ctx);
      for (const arg of out) expect(arg, `inputs ${all ? 'all' : 'required only'}`).not.toMatch(/\{\{\$/);
      // Env values resolve the same way.
      for (const env of e.container.env ?? []) expect(resolveCommand([env.value], ctx)).toHaveLength(1);
    }
  });

  it('GCPC payloads become valid JSON with the values in place', () => {
    const e = executors.find((x) => x.file === 'gcpc-ir/ModelBatchPredictOp.yaml')!;
    const argv = [...(e.container.command ?? []), ...(e.container.args ?? [])];
    for (const all of [true, false]) {
      const out = resolveCommand(argv, { ...PIPELINE_CTX, executorInput: executorInputFor(e.component, e.container, all), componentSpec: e.component });
      const payload = JSON.parse(out[out.indexOf('--payload') + 1]!) as Record<string, unknown>;
      expect(payload.display_name).toBe('s-job_display_name');
      expect(payload.model).toBe(all ? 'md-resourceName' : undefined); // IfPresent inside Concat
      expect((payload.input_config as { gcs_source: { uris: unknown } }).gcs_source.uris).toEqual(all ? ['a', 1] : []);
      expect(JSON.parse(out[out.indexOf('--executor_input') + 1]!)).toHaveProperty('outputs.outputFile', `${TASK_DIR}/executor_output.json`);
    }
  });
});

describe('structured placeholders of the goldens', () => {
  const golden = (file: string) => executors.find((x) => x.file === `kfp-ir/${file}`)!;
  const argvOf = (e: Executor) => [...(e.container.command ?? []), ...(e.container.args ?? [])];

  it('container_with_if_placeholder: the default makes the optional input present; an explicit value wins', () => {
    const e = golden('container_with_if_placeholder.yaml');
    const withDefault = buildExecutorInput({ componentSpec: e.component, parameterValues: {}, inputArtifacts: {}, taskDir: TASK_DIR });
    expect(resolveCommand(argvOf(e), { executorInput: withDefault })).toEqual([
      'my_program', 'default', '--dataset', `${TASK_DIR}/dataset`, '--output_path', `${TASK_DIR}/output_path`,
    ]);
    const given = buildExecutorInput({ componentSpec: e.component, parameterValues: { optional_input: 'hi' }, inputArtifacts: {}, taskDir: TASK_DIR });
    expect(resolveCommand(argvOf(e), { executorInput: given })).toEqual([
      'my_program', 'hi', '--dataset', `${TASK_DIR}/dataset`, '--output_path', `${TASK_DIR}/output_path`,
    ]);
  });

  it('container_with_if_placeholder: an absent input takes Else', () => {
    const e = golden('container_with_if_placeholder.yaml');
    const spec: ComponentSpec = { ...e.component, inputDefinitions: { parameters: { optional_input: { parameterType: 'STRING', isOptional: true } } } };
    const ei = buildExecutorInput({ componentSpec: spec, parameterValues: {}, inputArtifacts: {}, taskDir: TASK_DIR });
    expect(resolveCommand(argvOf(e), { executorInput: ei })).toEqual(['my_program', 'bye', '--dataset', 'bye', '--output_path', `${TASK_DIR}/output_path`]);
    // null is not a value: the input is absent.
    const withNull = buildExecutorInput({ componentSpec: spec, parameterValues: { optional_input: null }, inputArtifacts: {}, taskDir: TASK_DIR });
    expect(resolveCommand(argvOf(e), { executorInput: withNull })[1]).toBe('bye');
  });

  it('container_with_concat_placeholder', () => {
    const e = golden('container_with_concat_placeholder.yaml');
    const ei = buildExecutorInput({ componentSpec: e.component, parameterValues: { text1: 'abc' }, inputArtifacts: {}, taskDir: TASK_DIR });
    expect(resolveCommand(argvOf(e), { executorInput: ei })).toEqual(['my_program', `prefix-abc${TASK_DIR}/text2`, '--output_path', `${TASK_DIR}/output_path`]);
  });

  it('container_with_artifact_output: uri, metadata and output file', () => {
    const e = golden('container_with_artifact_output.yaml');
    const ei = buildExecutorInput({ componentSpec: e.component, parameterValues: { num_epochs: 10 }, inputArtifacts: {}, taskDir: TASK_DIR });
    expect(resolveCommand(argvOf(e), { executorInput: ei })).toEqual([
      'sh', 'run.sh', '--epochs', '10', '--model_path', `${TASK_DIR}/model`, '--model_metadata', '{}', '--model_config_path', `${TASK_DIR}/model_config_path`,
    ]);
  });

  it('artifacts_simple: a bare artifact-list placeholder is the JSON list of RuntimeArtifacts', () => {
    const e = executors.find((x) => x.file === 'kfp-ir/artifacts_simple.yaml' && x.label === 'exec-add-container')!;
    const argv = argvOf(e);
    expect(argv).toContain("{{$.inputs.artifacts['in_datasets']}}");
    const records: ArtifactRecord[] = [0, 1].map((i) => ({ name: `d${i}`, type: 'system.Dataset', uri: `/runs/p-1/for-loop/${i}/double/out`, metadata: { n: i } }));
    const ei = buildExecutorInput({ componentSpec: e.component, parameterValues: {}, inputArtifacts: { in_datasets: records }, taskDir: TASK_DIR });
    const out = resolveCommand(argv, { executorInput: ei });
    expect(out.at(-1)).toBe(`${TASK_DIR}/out_dataset`);
    const list = JSON.parse(out.at(-2)!) as { uri: string; name: string; metadata: object; type: object }[];
    expect(list.map((d) => d.uri)).toEqual(records.map((r) => r.uri));
    expect(list[1]).toEqual({ name: 'd1', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, uri: records[1]!.uri, metadata: { n: 1 } });
  });
});

describe('v1 components with if/concat placeholders (loaded into IR)', () => {
  async function load(file: string): Promise<ContainerComponentIR> {
    const c = await loadComponentFromFile(join(CONFORMANCE, 'kfp-ir/v1-components', file));
    if (c.kind !== 'container') throw new Error('not a container component');
    return c;
  }
  const spec = (c: ContainerComponentIR): ComponentSpec => ({ ...(c.inputDefinitions ? { inputDefinitions: c.inputDefinitions } : {}), ...(c.outputDefinitions ? { outputDefinitions: c.outputDefinitions } : {}) });
  const argvOf = (c: ContainerComponentIR) => [...(c.executor.container!.command ?? []), ...(c.executor.container!.args ?? [])];

  it.each([
    [{ required_input: 'r' }, ['--arg0', 'r', '--arg3', 'default value']],
    [{ required_input: 'r', optional_input_1: 'o1' }, ['--arg0', 'r', '--arg1', 'o1', '--arg3', 'default value']],
    [{ required_input: 'r', optional_input_2: 'o2' }, ['--arg0', 'r', '--arg2', 'o2']],
    [{ required_input: 'r', optional_input_1: 'o1', optional_input_2: 'o2' }, ['--arg0', 'r', '--arg1', 'o1', '--arg2', 'o2']],
  ] as const)('if_placeholder_component with %j', async (values, expected) => {
    const c = await load('if_placeholder_component.yaml');
    const ei = buildExecutorInput({ componentSpec: spec(c), parameterValues: { ...values }, inputArtifacts: {}, taskDir: TASK_DIR });
    expect(resolveCommand(argvOf(c), { executorInput: ei })).toEqual(expected);
  });

  it('concat_placeholder_component', async () => {
    const c = await load('concat_placeholder_component.yaml');
    const ei = buildExecutorInput({ componentSpec: spec(c), parameterValues: { input_prefix: 'pre-' }, inputArtifacts: {}, taskDir: TASK_DIR });
    expect(resolveCommand(argvOf(c), { executorInput: ei })).toEqual(['--arg0', 'pre-some value']);
  });
});

describe('resolveCommand', () => {
  const spec: ComponentSpec = {
    inputDefinitions: {
      parameters: {
        s: { parameterType: 'STRING' }, i: { parameterType: 'NUMBER_INTEGER' }, d: { parameterType: 'NUMBER_DOUBLE' },
        b: { parameterType: 'BOOLEAN' }, l: { parameterType: 'LIST' }, m: { parameterType: 'STRUCT' },
        opt: { parameterType: 'STRING', isOptional: true },
      },
      artifacts: { data: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' } }, maybe: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, isOptional: true } },
    },
    outputDefinitions: {
      parameters: { out: { parameterType: 'STRING' } },
      artifacts: { model: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } } },
    },
  };
  const data: ArtifactRecord = { name: 'data', type: 'system.Dataset', uri: 'gs://bkt/data/x.csv', metadata: { rows: 10, 'b-key': 'v', nested: { z: 1, a: 2 } } };
  const ei = (params: Record<string, JsonValue> = {}, artifacts: Record<string, ArtifactRecord[]> = { data: [data] }) => buildExecutorInput({
    componentSpec: spec, parameterValues: { s: 'hello world', i: 3, d: 3.0, b: false, l: [1, 'x', { b: 2, a: 1 }], m: { z: true, a: null }, ...params },
    inputArtifacts: artifacts, taskDir: TASK_DIR, pipelineRoot: '/runs',
  });
  const r = (argv: string[], ctx: Partial<PlaceholderContext> = {}, executorInput = ei()) =>
    resolveCommand(argv, { ...PIPELINE_CTX, executorInput, ...ctx });

  it.each([
    ["{{$.inputs.parameters['s']}}", 'hello world'],
    ["{{$.inputs.parameters['i']}}", '3'],
    ["{{$.inputs.parameters['d']}}", '3'], // Go FormatFloat(3.0, 'f', -1, 64)
    ["{{$.inputs.parameters['b']}}", 'false'],
    ["{{$.inputs.parameters['l']}}", '[1,"x",{"a":1,"b":2}]'],
    ["{{$.inputs.parameters['m']}}", '{"a":null,"z":true}'],
    ['--n={{$.inputs.parameters["i"]}}/{{$.inputs.parameters[\'s\']}}', '--n=3/hello world'],
    ["{{$.inputs.artifacts['data'].uri}}", 'gs://bkt/data/x.csv'],
    ["{{$.inputs.artifacts['data'].path}}", '/mnt/gcs/bkt/data/x.csv'],
    ["{{$.inputs.artifacts['data'].metadata}}", '{"b-key":"v","nested":{"a":2,"z":1},"rows":10}'],
    ["{{$.inputs.artifacts['data'].metadata['rows']}}", '10'],
    ["{{$.inputs.artifacts['data'].metadata['b-key']}}", 'v'],
    ["{{$.inputs.artifacts['data'].metadata['nested']}}", '{"a":2,"z":1}'],
    ["{{$.outputs.artifacts['model'].uri}}", `${TASK_DIR}/model`],
    ["{{$.outputs.artifacts['model'].path}}", `${TASK_DIR}/model`],
    ["{{$.outputs.artifacts['model'].metadata}}", '{}'],
    ["{{$.outputs.parameters['out'].output_file}}", `${TASK_DIR}/out`],
    ['{{$.outputs.output_file}}', `${TASK_DIR}/executor_output.json`],
    ['{{$.outputMetadataUri}}', `${TASK_DIR}/executor_output.json`],
    ['{{$.pipeline_job_name}}', 'my-pipeline-20240101'],
    ['{{$.pipeline_job_resource_name}}', 'projects/1/locations/us-central1/pipelineJobs/my-pipeline-20240101'],
    ['{{$.pipeline_job_uuid}}/{{$.pipeline_task_uuid}}', 'run-uuid/task-uuid'],
    ['{{$.pipeline_task_name}}', 'task'],
    ['{{$.pipeline_root}}', '/runs'],
    ['{{$.pipeline_job_create_time_utc}}', '2024-01-01T00:00:00.000Z'],
    ['{{$.pipeline_job_schedule_time_utc}}', '2024-01-01T00:00:00.000Z'],
    ['projects/{{$.pipeline_google_cloud_project_id}}/locations/{{$.pipeline_google_cloud_location}}', 'projects/my-project/locations/us-central1'],
    ['[{{$.pipeline_network}}][{{$.pipeline_service_account}}][{{$.pipeline_persistent_resource_id}}][{{$.pipeline_encryption_key_name}}]', '[][][][]'],
    ['a {{$x}} and {{ $.y }} stay', 'a {{$x}} and {{ $.y }} stay'],
  ])('%s -> %s', (arg, expected) => {
    expect(r([arg])).toEqual([expected]);
  });

  it('{{$}} is the compact proto3 JSON of the ExecutorInput', () => {
    const [text] = r(['{{$}}']);
    expect(text).toBe(executorInputJson(ei()));
    const doc = JSON.parse(text!) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    expect(Object.keys(doc.inputs)).toEqual(['artifacts', 'parameterValues']);
    expect(Object.keys(doc.outputs)).toEqual(['parameters', 'artifacts', 'outputFile']);
    expect(doc.inputs.parameterValues).toEqual({ b: false, d: 3, i: 3, l: [1, 'x', { a: 1, b: 2 }], m: { a: null, z: true }, s: 'hello world' });
    expect(text).toContain('"i":3,');
  });

  it('resolves placeholders inside parameter values first (f-strings, GCPC defaults), recursively', () => {
    const executorInput = ei({
      s: "{{$.inputs.parameters['pipelinechannel--upstream-Output']}}-suffix",
      'pipelinechannel--upstream-Output': 'up',
      project: '{{$.pipeline_google_cloud_project_id}}',
      m: { cmd: ["--epochs={{$.inputs.parameters['i']}}", "{{$.outputs.artifacts['model'].path}}"], "{{$.inputs.parameters['pipelinechannel--upstream-Output']}}": 1 },
      chain: "<{{$.inputs.parameters['s']}}>",
    });
    expect(r(["{{$.inputs.parameters['s']}}", "{{$.inputs.parameters['project']}}", "{{$.inputs.parameters['m']}}", "{{$.inputs.parameters['chain']}}"], {}, executorInput)).toEqual([
      'up-suffix', 'my-project', `{"cmd":["--epochs=3","${TASK_DIR}/model"],"up":1}`, '<up-suffix>',
    ]);
    const doc = JSON.parse(r(['{{$}}'], {}, executorInput)[0]!) as { inputs: { parameterValues: Record<string, JsonValue> } };
    expect(doc.inputs.parameterValues.s).toBe('up-suffix');
    expect(doc.inputs.parameterValues.project).toBe('my-project');
    expect(resolveExecutorInput({ ...PIPELINE_CTX, executorInput }).inputs.parameterValues!.chain).toBe('<up-suffix>');
  });

  it('expands IfPresent lists into argv, nested IfPresent/Concat, and drops absent inputs without Else', () => {
    const argv = [
      'cmd',
      JSON.stringify({ IfPresent: { InputName: 'opt', Then: ['--opt', "{{$.inputs.parameters['opt']}}"] } }),
      JSON.stringify({ IfPresent: { InputName: 'maybe', Then: ["{{$.inputs.artifacts['maybe'].uri}}"], Else: ['--no-model', { Concat: ['x=', "{{$.inputs.parameters['i']}}"] }] } }),
      JSON.stringify({ Concat: ['{', { IfPresent: { InputName: 'data', Then: { Concat: ['"d": "', "{{$.inputs.artifacts['data'].uri}}", '"'] } } }, { IfPresent: { InputName: 'opt', Then: ', "o": 1' } }, '}'] }),
      JSON.stringify({ IfPresent: { InputName: 'opt', Then: 'single' } }),
    ];
    expect(r(argv)).toEqual(['cmd', '--no-model', 'x=3', '{"d": "gs://bkt/data/x.csv"}']);
    const withOpt = ei({ opt: 'o' }, { data: [data], maybe: [{ name: 'm', type: 'system.Model', uri: '/m', metadata: {} }] });
    expect(r(argv, {}, withOpt)).toEqual(['cmd', '--opt', 'o', '/m', '{"d": "gs://bkt/data/x.csv", "o": 1}', 'single']);
  });

  it('does not evaluate placeholders of the branch not taken', () => {
    const argv = [JSON.stringify({ IfPresent: { InputName: 'opt', Then: ["{{$.inputs.parameters['opt']}}"], Else: 'none' } })];
    expect(r(argv)).toEqual(['none']);
  });

  it('leaves a JSON argument that is not a structured placeholder alone', () => {
    expect(r(['{"Concatenate": 1}', '{"a": "{{$.inputs.parameters[\'i\']}}"}'])).toEqual(['{"Concatenate": 1}', '{"a": "3"}']);
  });

  it('json_escape[N] escapes the text N times where it lands in the argument', () => {
    const executorInput = ei({ s: 'say "hi"\n', wps: [{ container_spec: { args: ['--executor_input', '{{$.json_escape[1]}}', "--s={{$.inputs.parameters['s'].json_escape[1]}}"] } }] });
    const [payload, plain, zero] = r(['{"worker_pool_specs": {{$.inputs.parameters[\'wps\']}}}', "{{$.inputs.parameters['s'].json_escape[1]}}", "{{$.inputs.parameters['s'].json_escape[0]}}"], {}, executorInput);
    expect(plain).toBe('say \\"hi\\"\\n');
    expect(zero).toBe('say "hi"\n');
    // The placeholder inside the list value sits one JSON string deep in the payload: decoding once yields the raw text.
    const decoded = JSON.parse(payload!) as { worker_pool_specs: { container_spec: { args: string[] } }[] };
    const args = decoded.worker_pool_specs[0]!.container_spec.args;
    expect(args[2]).toBe('--s=say "hi"\n');
    expect(JSON.parse(args[1]!)).toHaveProperty('outputs.outputFile', `${TASK_DIR}/executor_output.json`);
    expect(r(['--executor_input={{$.json_escape[1]}}'])[0]).toBe(`--executor_input=${JSON.stringify(executorInputJson(ei())).slice(1, -1)}`);
  });

  it('errors name unknown and unresolvable placeholders', () => {
    expect(() => r(['{{$.inputs.nope}}'])).toThrow(new PlaceholderError('unknown placeholder {{$.inputs.nope}}'));
    expect(() => r(['x{{$.pipeline_job_colour}}'])).toThrow('unknown placeholder {{$.pipeline_job_colour}}');
    expect(() => r(["{{$.inputs.parameters['zzz']}}"])).toThrow(/cannot resolve \{\{\$\.inputs\.parameters\['zzz'\]\}\}: input parameter 'zzz' has no value/);
    expect(() => r(["{{$.inputs.parameters['opt']}}"])).toThrow(/input parameter 'opt' has no value/);
    expect(() => r(["{{$.inputs.artifacts['maybe'].uri}}"])).toThrow(/cannot resolve .*: no input artifact 'maybe' \(data\)/);
    expect(() => r(["{{$.inputs.artifacts['data'].metadata['nope']}}"])).toThrow(/artifact 'data' has no metadata key 'nope' \(keys: b-key, nested, rows\)/);
    expect(() => r(["{{$.outputs.parameters['nope'].output_file}}"])).toThrow(/no output parameter 'nope' \(outputs: out\)/);
    expect(() => r(['{{$.pipeline_google_cloud_project_id}}'], { googleCloudProjectId: undefined })).toThrow(/the run does not define it \(context field 'googleCloudProjectId'\)/);
    expect(() => r(['{{$.workspace_path}}'])).toThrow(/workspace_path/);
    expect(() => r(['{"IfPresent": {"Then": []}}'])).toThrow(/IfPresent needs an InputName/);
    expect(() => r(['{"Concat": [{"IfPresent": {"InputName": "i", "Then": ["a", "b"]}}]}'])).toThrow(/inside Concat must have a single element/);
    expect(() => r(['{"Concat": ["a"'])).toThrow(/malformed structured placeholder/);
    // Inside run-time values, text that is not a KFP placeholder is data.
    expect(r(["{{$.inputs.parameters['s']}}"], {}, ei({ s: 'tpl {{$.inputs.nope}}' }))).toEqual(['tpl {{$.inputs.nope}}']);
    const cyclic = ei({ s: "{{$.inputs.parameters['t']}}", t: "{{$.inputs.parameters['s']}}" });
    expect(() => r(["{{$.inputs.parameters['s']}}"], {}, cyclic)).toThrow(/refers to itself/);
    expect(() => resolveCommand(['x'], {})).toThrow(/needs the ExecutorInput/);
  });

  it('with the component spec, unset optional inputs outside IfPresent resolve to empty values', () => {
    const executorInput = ei({}, {});
    const argv = [
      "{{$.inputs.parameters['opt']}}", "{{$.inputs.artifacts['maybe'].uri}}", "{{$.inputs.artifacts['maybe'].metadata['resourceName']}}",
      "{{$.inputs.artifacts['maybe'].metadata}}", "{{$.inputs.artifacts['maybe']}}",
    ];
    expect(r(argv, { componentSpec: spec }, executorInput)).toEqual(['', '', '', '{}', '[]']);
    const withList: ComponentSpec = { inputDefinitions: { parameters: { ranges: { parameterType: 'LIST', isOptional: true } } } };
    const payload = '{"reserved_ip_ranges": {{$.inputs.parameters[\'ranges\']}}}';
    expect(JSON.parse(r([payload], { componentSpec: withList }, executorInput)[0]!)).toEqual({ reserved_ip_ranges: null });
    // Required inputs and undeclared names stay errors.
    expect(() => r(["{{$.inputs.artifacts['data'].uri}}"], { componentSpec: spec }, executorInput)).toThrow(/no input artifact 'data'/);
    expect(() => r(["{{$.inputs.parameters['nope']}}"], { componentSpec: spec }, executorInput)).toThrow(/'nope' has no value/);
  });

  it('a URI without a local path is an error for .path only', () => {
    const vertex: ArtifactRecord = { name: 'm', type: 'google.VertexModel', uri: 'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/models/1', metadata: { resourceName: 'projects/p/locations/l/models/1' } };
    const executorInput = ei({}, { data: [vertex] });
    expect(r(["{{$.inputs.artifacts['data'].metadata['resourceName']}}"], {}, executorInput)).toEqual(['projects/p/locations/l/models/1']);
    expect(() => r(["{{$.inputs.artifacts['data'].path}}"], {}, executorInput)).toThrow(/cannot resolve \{\{\$\.inputs\.artifacts\['data'\]\.path\}\}: unsupported URI scheme "https:\/\/"/);
  });

  it('renders numbers as Go FormatFloat(v, f, -1, 64)', () => {
    const cases: [number, string][] = [[3, '3'], [-0.5, '-0.5'], [1e21, '1000000000000000000000'], [1.5e-7, '0.00000015'], [123456789.125, '123456789.125'], [2 ** 53, '9007199254740992'], [1e-7, '0.0000001']];
    for (const [n, text] of cases) expect(r(["{{$.inputs.parameters['d']}}"], {}, ei({ d: n }))).toEqual([text]);
  });
});

describe('resolveValuePlaceholders', () => {
  it('substitutes f-string constants from the task inputs, keeping strings strings', () => {
    const value = {
      worker_pool_specs: [{ machine_spec: { accelerator_count: "{{$.inputs.parameters['pipelinechannel--accelerator-count-Output']}}", machine_type: "{{$.inputs.parameters['pipelinechannel--machine-type-Output']}}" } }],
      label: 'run-{{$.inputs.parameters["n"]}}',
    };
    const out = resolveValuePlaceholders(value, { parameterValues: { 'pipelinechannel--accelerator-count-Output': 1, 'pipelinechannel--machine-type-Output': 'n1-standard-4', n: 2.5 } });
    expect(out).toEqual({ worker_pool_specs: [{ machine_spec: { accelerator_count: '1', machine_type: 'n1-standard-4' } }], label: 'run-2.5' });
  });

  it('leaves placeholders it has no data for, and json_escape ones, for the command', () => {
    const value = ["{{$.inputs.parameters['epochs']}}", '{{$.pipeline_job_name}}', "{{$.outputs.artifacts['model'].path}}", '{{$}}', '{{$.json_escape[1]}}', "{{$.inputs.parameters['a'].json_escape[0]}}"];
    expect(resolveValuePlaceholders(value, { parameterValues: { a: 'x' } })).toEqual(value);
    expect(resolveValuePlaceholders('{{$.pipeline_job_name}}/{{$.pipeline_root}}', { pipelineJobName: 'job', pipelineRoot: '/r' })).toBe('job//r');
  });

  it('resolves importer metadata against its inputs', () => {
    const metadata = { name: ["{{$.inputs.parameters['metadata']}}", "{{$.inputs.parameters['metadata-2']}}"], n: 1 };
    expect(resolveValuePlaceholders(metadata, { parameterValues: { metadata: 'a', 'metadata-2': { k: 1 } } })).toEqual({ name: ['a', '{"k":1}'], n: 1 });
  });

  it('rejects unknown placeholders', () => {
    expect(() => resolveValuePlaceholders({ a: ['{{$.bogus}}'] }, {})).toThrow('unknown placeholder {{$.bogus}}');
  });

  it('substitutes pipeline-level constants of pipeline_with_placeholders-style inputs', () => {
    const constants = ['{{$.pipeline_job_name}}', '{{$.pipeline_job_resource_name}}', '{{$.pipeline_job_uuid}}', '{{$.pipeline_task_name}}', '{{$.pipeline_task_uuid}}', '{{$.pipeline_job_create_time_utc}}', '{{$.pipeline_job_schedule_time_utc}}', '{{$.pipeline_root}}'];
    expect(resolveValuePlaceholders(constants, PIPELINE_CTX)).toEqual([
      'my-pipeline-20240101', 'projects/1/locations/us-central1/pipelineJobs/my-pipeline-20240101', 'run-uuid', 'task', 'task-uuid', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '/runs',
    ]);
  });
});
