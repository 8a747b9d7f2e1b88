import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComponentIR, ContainerComponentIR } from '@formalize/common';
import { ComponentLoadError, loadComponentFromFile, loadComponentFromText } from '../src/load/index.ts';
import { CONFORMANCE, loadDoc, readConformance, yamlFiles } from './conformance.ts';

const KFP = yamlFiles('kfp-ir', 30);
const GCPC = yamlFiles('gcpc-ir', 23);
const V1 = yamlFiles('kfp-ir/v1-components', 4);

// Goldens that are a component compiled on its own (one container task; root mirrors its interface).
const SINGLE_COMPONENT = new Set(['hello_world.yaml', 'container_with_artifact_output.yaml', 'container_with_concat_placeholder.yaml', 'container_with_if_placeholder.yaml']);

function container(c: ComponentIR): ContainerComponentIR {
  if (c.kind !== 'container') throw new Error(`expected a container component, got ${c.kind}`);
  return c;
}

/** Names listed under `# Inputs:` / `# Outputs:` in the header comment the SDK writes. */
function headerNames(text: string, section: 'Inputs' | 'Outputs'): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`# ${section}:`);
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^# {4}([^:]+):/.exec(line);
    if (!m) break;
    names.push(m[1]!);
  }
  return names.sort();
}

function ioNames(defs: { parameters?: object; artifacts?: object } | undefined): string[] {
  return [...Object.keys(defs?.parameters ?? {}), ...Object.keys(defs?.artifacts ?? {})].sort();
}

describe('loading IR component files', () => {
  it.each(KFP)('kfp-ir/%s loads', async (f) => {
    const c = await loadComponentFromFile(`${CONFORMANCE}kfp-ir/${f}`);
    const doc = loadDoc(`kfp-ir/${f}`);
    expect(c.name).toBe(doc.pipelineInfo.name);
    expect(c.kind).toBe(SINGLE_COMPONENT.has(f) ? 'container' : 'graph');
    if (c.kind === 'graph') expect(c.pipelineSpec.root).toEqual(doc.root);
  });

  it.each(GCPC)('gcpc-ir/%s loads as a container component with its interface', async (f) => {
    const text = readConformance(`gcpc-ir/${f}`);
    const c = container(await loadComponentFromFile(`${CONFORMANCE}gcpc-ir/${f}`));
    const doc = loadDoc(`gcpc-ir/${f}`);
    expect(c.name).toBe(doc.pipelineInfo.name);
    expect(ioNames(c.inputDefinitions)).toEqual(headerNames(text, 'Inputs'));
    expect(ioNames(c.outputDefinitions)).toEqual(headerNames(text, 'Outputs'));
    expect(c.executor.container?.image).toMatch(/^gcr\.io\/ml-pipeline\//);
    if (text.includes('# Description: ')) expect(c.description).toBeTruthy();
  });

  it('reads the description from the header comment', async () => {
    const c = await loadComponentFromFile(`${CONFORMANCE}kfp-ir/take_nap_pipeline_root_compiled.yaml`);
    expect(c.description).toBe('Pipeline that sleeps for 15 mins (900 secs)');
  });

  it('keeps the whole interface and executor of a single-component file', async () => {
    const c = container(await loadComponentFromFile(`${CONFORMANCE}kfp-ir/container_with_artifact_output.yaml`));
    const doc = loadDoc('kfp-ir/container_with_artifact_output.yaml');
    expect(c).toEqual({
      kind: 'container',
      name: 'container-with-artifact-output',
      inputDefinitions: doc.components['comp-container-with-artifact-output'].inputDefinitions,
      outputDefinitions: doc.components['comp-container-with-artifact-output'].outputDefinitions,
      executor: doc.deploymentSpec.executors['exec-container-with-artifact-output'],
    });
  });
});

describe('loading KFP v1 component.yaml files', () => {
  it('loads all v1-components files', async () => {
    for (const f of V1) expect((await loadComponentFromFile(`${CONFORMANCE}kfp-ir/v1-components/${f}`)).kind).toBe('container');
  });

  it('add_component.yaml: sanitized names, integer parameters, outputPath of a parameter', async () => {
    const c = await loadComponentFromFile(`${CONFORMANCE}kfp-ir/v1-components/add_component.yaml`);
    expect(c).toEqual({
      kind: 'container',
      name: 'add',
      description: 'Component to add two numbers\n',
      inputDefinitions: { parameters: { op_1: { parameterType: 'NUMBER_INTEGER' }, op2: { parameterType: 'NUMBER_INTEGER' } } },
      outputDefinitions: { parameters: { sum: { parameterType: 'NUMBER_INTEGER' } } },
      executor: {
        container: {
          image: 'google/cloud-sdk:latest',
          command: ['sh', '-c', 'set -e -x\necho "$(($0+$1))" | gsutil cp - "$2"\n', "{{$.inputs.parameters['op_1']}}", "{{$.inputs.parameters['op2']}}", "{{$.outputs.parameters['sum'].output_file}}"],
        },
      },
    });
  });

  it('concat_placeholder_component.yaml: concat becomes a {"Concat": [...]} string', async () => {
    const c = container(await loadComponentFromFile(`${CONFORMANCE}kfp-ir/v1-components/concat_placeholder_component.yaml`));
    expect(c.name).toBe('component-with-concat-placeholder');
    expect(c.inputDefinitions).toEqual({ parameters: { input_prefix: { parameterType: 'STRING' } } });
    expect(c.executor.container?.args).toEqual(['--arg0', `{"Concat": ["{{$.inputs.parameters['input_prefix']}}", "some value"]}`]);
  });

  it('if_placeholder_component.yaml: if/isPresent becomes an {"IfPresent": ...} string; optional inputs', async () => {
    const c = container(await loadComponentFromFile(`${CONFORMANCE}kfp-ir/v1-components/if_placeholder_component.yaml`));
    expect(c.name).toBe('component-with-optional-inputs');
    expect(c.inputDefinitions).toEqual({
      parameters: {
        required_input: { parameterType: 'STRING' },
        optional_input_1: { parameterType: 'STRING', isOptional: true },
        optional_input_2: { parameterType: 'STRING', isOptional: true },
      },
    });
    expect(c.executor.container?.args).toEqual([
      '--arg0',
      "{{$.inputs.parameters['required_input']}}",
      `{"IfPresent": {"InputName": "optional_input_1", "Then": ["--arg1", "{{$.inputs.parameters['optional_input_1']}}"]}}`,
      `{"IfPresent": {"InputName": "optional_input_2", "Then": ["--arg2", "{{$.inputs.parameters['optional_input_2']}}"], "Else": ["--arg3", "default value"]}}`,
    ]);
  });

  it('trainer_component.yaml: GCSPath and Model become artifacts, uri placeholders', async () => {
    const c = container(await loadComponentFromFile(`${CONFORMANCE}kfp-ir/v1-components/trainer_component.yaml`));
    expect(c.inputDefinitions).toEqual({
      parameters: { train_optimizer: { parameterType: 'STRING' }, num_epochs: { parameterType: 'NUMBER_INTEGER' } },
      artifacts: { input_location: { artifactType: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' } } },
    });
    expect(c.outputDefinitions).toEqual({
      parameters: { model_config: { parameterType: 'STRING' } },
      artifacts: { model_output: { artifactType: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' } } },
    });
    expect(c.executor.container?.args).toEqual([
      '--input-location', "{{$.inputs.artifacts['input_location'].uri}}",
      '--optimizer', "{{$.inputs.parameters['train_optimizer']}}",
      '--epochs', "{{$.inputs.parameters['num_epochs']}}",
      '--model', "{{$.outputs.artifacts['model_output'].uri}}",
      '--model-config', "{{$.outputs.parameters['model_config'].output_file}}",
    ]);
  });

  // The v1 texts compiled into pipeline_with_various_io_types.yaml (from the KFP SDK test source of that golden).
  const UPSTREAM = `
name: upstream
inputs:
- {name: input_1, type: String}
- {name: input_2, type: Float}
- {name: input_3, type: Artifact}
- {name: input_4, type: String}
outputs:
- {name: output_1, type: Integer}
- {name: output_2, type: Model}
- {name: output_3}
- {name: output_4, type: Model}
- {name: output_5, type: Datasets}
- {name: output_6, type: Some arbitrary type}
- {name: output_7, type: {GcsPath: {data_type: TSV}}}
- {name: output_8, type: HTML}
- {name: output_9, type: google.BQMLModel}
implementation:
  container:
    image: gcr.io/image
    args:
    - {inputValue: input_1}
    - {inputValue: input_2}
    - {inputPath: input_3}
    - {inputValue: input_4}
    - {outputPath: output_1}
    - {outputUri: output_2}
    - {outputPath: output_3}
    - {outputUri: output_4}
    - {outputUri: output_5}
    - {outputPath: output_6}
    - {outputPath: output_7}
    - {outputPath: output_8}
`;
  const DOWNSTREAM = `
name: downstream
inputs:
- {name: input_a, type: Integer}
- {name: input_b, type: Model}
- {name: input_c}
- {name: input_d, type: Model}
- {name: input_e, type: Datasets}
- {name: input_f, type: Some arbitrary type}
- {name: input_g, type: {GcsPath: {data_type: TSV}}}
- {name: input_h, type: HTML}
- {name: input_i, type: google.BQMLModel}
implementation:
  container:
    image: gcr.io/image
    args:
    - {inputValue: input_a}
    - {inputUri: input_b}
    - {inputPath: input_c}
    - {inputUri: input_d}
    - {inputUri: input_e}
    - {inputPath: input_f}
    - {inputPath: input_g}
    - {inputPath: input_h}
`;

  it.each([['upstream', UPSTREAM], ['downstream', DOWNSTREAM]])('%s converts to the component the SDK compiled into pipeline_with_various_io_types.yaml', (name, text) => {
    const golden = loadDoc('kfp-ir/pipeline_with_various_io_types.yaml');
    const c = container(loadComponentFromText(text, `${name}.yaml`));
    const comp = golden.components[`comp-${name}`];
    expect(c.name).toBe(name);
    expect(c.inputDefinitions).toEqual(comp.inputDefinitions);
    expect(c.outputDefinitions).toEqual(comp.outputDefinitions);
    expect(c.executor).toEqual(golden.deploymentSpec.executors[`exec-${name}`]);
  });

  it('casts defaults per type and marks inputs with defaults optional', () => {
    const c = container(loadComponentFromText(`
name: Defaults Demo
inputs:
- {name: Count, type: Integer, default: '3'}
- {name: rate, type: Float, default: '0.5'}
- {name: flag, type: Boolean, default: 'True'}
- {name: cfg, type: JsonObject, default: '{"a": 1}'}
- {name: items, type: List, default: '[1, 2]'}
- {name: label, type: String, default: 7}
- {name: data, type: Dataset, optional: true}
- {name: status, type: PipelineTaskFinalStatus}
implementation:
  container:
    image: alpine
    command: [echo, {inputValue: Count}, {executorInput: null}]
    env: {RATE: {inputValue: rate}, DATA: {inputMetadata: data}}
`));
    expect(c.name).toBe('defaults-demo');
    expect(c.inputDefinitions).toEqual({
      parameters: {
        count: { parameterType: 'NUMBER_INTEGER', isOptional: true, defaultValue: 3 },
        rate: { parameterType: 'NUMBER_DOUBLE', isOptional: true, defaultValue: 0.5 },
        flag: { parameterType: 'BOOLEAN', isOptional: true, defaultValue: true },
        cfg: { parameterType: 'STRUCT', isOptional: true, defaultValue: { a: 1 } },
        items: { parameterType: 'LIST', isOptional: true, defaultValue: [1, 2] },
        label: { parameterType: 'STRING', isOptional: true, defaultValue: '7' },
        status: { parameterType: 'TASK_FINAL_STATUS', isOptional: true },
      },
      artifacts: { data: { artifactType: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, isOptional: true } },
    });
    expect(c.executor.container?.command).toEqual(['echo', "{{$.inputs.parameters['count']}}", '{{$}}']);
    expect(c.executor.container?.env).toEqual([
      { name: 'RATE', value: "{{$.inputs.parameters['rate']}}" },
      { name: 'DATA', value: "{{$.inputs.artifacts['data'].metadata}}" },
    ]);
  });

  it('nests structured placeholders as the SDK serialises them', () => {
    const c = container(loadComponentFromText(`
name: nested
inputs: [{name: a, type: String, optional: true}, {name: b, type: String}]
implementation:
  container:
    image: alpine
    args:
    - concat: ['--a=', {if: {cond: {isPresent: a}, then: {inputValue: a}, else: none}}, {concat: ['-', {inputValue: b}]}]
`));
    expect(c.executor.container?.args).toEqual([
      `{"Concat": ["--a=", {"IfPresent": {"InputName": "a", "Then": "{{$.inputs.parameters['a']}}", "Else": "none"}}, {"Concat": ["-", "{{$.inputs.parameters['b']}}"]}]}`,
    ]);
  });
});

describe('load errors name the source and the problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'formalize-load-'));
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  async function loadError(path: string): Promise<ComponentLoadError> {
    try {
      await loadComponentFromFile(path);
    } catch (e) {
      expect(e).toBeInstanceOf(ComponentLoadError);
      expect((e as ComponentLoadError).message).toContain(path);
      return e as ComponentLoadError;
    }
    throw new Error(`loading ${path} did not fail`);
  }

  it('a missing file', async () => {
    expect((await loadError(join(dir, 'absent.yaml'))).message).toMatch(/no such file$/);
  });

  it('malformed YAML', async () => {
    expect((await loadError(write('bad.yaml', 'name: [unclosed\n'))).message).toMatch(/: malformed YAML: /);
  });

  it('neither a PipelineSpec nor a v1 component', async () => {
    expect((await loadError(write('other.yaml', 'apiVersion: v1\nkind: Pod\n'))).message).toContain('neither a KFP PipelineSpec (no pipelineInfo/root/components) nor a KFP v1 component (no implementation); top-level keys: apiVersion, kind');
  });

  it('an invalid IR document lists its validation issues', async () => {
    const text = readConformance('kfp-ir/two_step_pipeline.yaml').replace('parameterType: STRING', 'parameterType: STRIN');
    const err = await loadError(write('bad-ir.yaml', text));
    expect(err.message).toMatch(/invalid IR \(1 issue\):\n {2}- components\.[\w-]+\.inputDefinitions\.parameters\.\w+\.parameterType: invalid value string "STRIN"/);
    expect(err.issues).toHaveLength(1);
  });

  it('a v1 placeholder naming an undeclared input', async () => {
    const err = await loadError(write('bad-v1.yaml', 'name: x\ninputs: [{name: a, type: String}]\nimplementation:\n  container:\n    image: alpine\n    args: [{inputValue: b}]\n'));
    expect(err.message).toContain('invalid KFP v1 component: implementation.container.args[0]: inputValue refers to input "b", which the component does not declare');
  });

  it('a v1 placeholder of the wrong kind, an unsupported placeholder and an unknown key', async () => {
    const kind = await loadError(write('kind.yaml', 'name: x\ninputs: [{name: a, type: GCSPath}]\nimplementation:\n  container: {image: alpine, args: [{inputValue: a}]}\n'));
    expect(kind.message).toContain('implementation.container.args[0]: inputValue needs a parameter input, but "a" has an artifact type');
    const unsupported = await loadError(write('port.yaml', 'name: x\ninputs: [{name: a}]\nimplementation:\n  container: {image: alpine, args: [{inputOutputPortName: a}]}\n'));
    expect(unsupported.message).toContain('implementation.container.args[0]: unsupported placeholder "inputOutputPortName"');
    const key = await loadError(write('key.yaml', 'name: x\ninputz: []\nimplementation:\n  container: {image: alpine}\n'));
    expect(key.message).toContain('invalid KFP v1 component: unknown key "inputz"');
  });

  it('a v1 default that cannot be cast', async () => {
    const err = await loadError(write('cast.yaml', "name: x\ninputs: [{name: n, type: Integer, default: 'ten'}]\nimplementation:\n  container: {image: alpine}\n"));
    expect(err.message).toContain('inputs[0].default: default "ten" is not an integer');
  });

  it('a v1 JSON default that does not parse is caught by IR validation', async () => {
    const err = await loadError(write('json.yaml', "name: x\ninputs: [{name: cfg, type: JsonObject, default: '{oops'}]\nimplementation:\n  container: {image: alpine}\n"));
    expect(err.message).toContain('the KFP v1 component converts to invalid IR');
    expect(err.message).toContain('components.comp-x.inputDefinitions.parameters.cfg.defaultValue: "{oops" is not a valid STRUCT value');
  });

  it('inline text is named "text" unless a source is given', () => {
    expect(() => loadComponentFromText('')).toThrow('cannot load component from text: the file holds no YAML document');
    expect(() => loadComponentFromText('[1, 2]', 'inline.yaml')).toThrow('cannot load component from inline.yaml: the first YAML document is not a mapping');
  });
});
