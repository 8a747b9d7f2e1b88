// component.yaml generated from a contract must be what the KFP SDK writes for the same interface.
// Explicit mirrors of SDK goldens, plus a round trip of every single-component golden (GCPC ops and
// KFP container components): golden interface -> zod contract -> IR, compared structurally.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  artifact, defineComponent, isArtifactType, parseIrYaml, type ArtifactType, type ContainerSpec, type InputArtifactDef,
  type InputParameterDef, type OutputArtifactDef, type OutputParameterDef, type PipelineSpec,
} from '../src/index.ts';

const CONFORMANCE = resolve(import.meta.dirname, '../../../../shared/conformance');

function golden(rel: string): { spec: PipelineSpec & { sdkVersion?: string }; description: string | undefined; header: string[] } {
  const text = readFileSync(join(CONFORMANCE, rel), 'utf8');
  const { documents, description } = parseIrYaml(text);
  return { spec: documents[0] as PipelineSpec, description, header: text.split('\n').filter((l) => l.startsWith('#')) };
}

function comparable(yaml: string): { doc: unknown; header: string[] } {
  const doc = parseIrYaml(yaml).documents[0] as Record<string, unknown>;
  delete doc['sdkVersion'];
  return { doc, header: yaml.split('\n').filter((l) => l.startsWith('#')) };
}

describe('explicit mirrors of KFP container-component goldens', () => {
  it('container_with_artifact_output.yaml', () => {
    const c = defineComponent({
      name: 'container-with-artifact-output',
      version: '1.0.0',
      description: '',
      inputs: { num_epochs: z.int() },
      outputs: { model: artifact('system.Model'), model_config_path: z.string() },
      image: 'gcr.io/my-image',
      command: ['sh', 'run.sh'],
      args: [
        '--epochs', "{{$.inputs.parameters['num_epochs']}}",
        '--model_path', "{{$.outputs.artifacts['model'].uri}}",
        '--model_metadata', "{{$.outputs.artifacts['model'].metadata}}",
        '--model_config_path', "{{$.outputs.parameters['model_config_path'].output_file}}",
      ],
      run: () => ({ model_config_path: '' }),
    });
    const g = golden('kfp-ir/container_with_artifact_output.yaml');
    const { sdkVersion, ...expected } = g.spec;
    expect(sdkVersion).toMatch(/^kfp-/);
    const got = comparable(c.toYaml());
    expect(got.doc).toEqual(expected);
    expect(got.header).toEqual(g.header);
  });

  it('container_with_if_placeholder.yaml (optional input with a default)', () => {
    const ifPresent = (then: string) => `{"IfPresent": {"InputName": "optional_input", "Then": ["${then}"], "Else": ["bye"]}}`;
    const c = defineComponent({
      name: 'container-with-if-placeholder',
      version: '1.0.0',
      description: '',
      inputs: { optional_input: z.string().default('default') },
      outputs: { output_path: z.string(), dataset: artifact('system.Dataset') },
      image: 'registry.access.redhat.com/ubi9/python-311:latest',
      command: [
        'my_program', ifPresent("{{$.inputs.parameters['optional_input']}}"),
        '--dataset', ifPresent("{{$.outputs.artifacts['dataset'].uri}}"),
      ],
      args: ['--output_path', "{{$.outputs.parameters['output_path'].output_file}}"],
      run: () => ({ output_path: '' }),
    });
    const g = golden('kfp-ir/container_with_if_placeholder.yaml');
    const { sdkVersion: _, ...expected } = g.spec;
    const got = comparable(c.toYaml());
    expect(got.doc).toEqual(expected);
    expect(got.header).toEqual(g.header);
  });

  it('BigqueryQueryJobOp (GCPC): descriptions, {} / [] / "" defaults, google.BQTable output', () => {
    const g = golden('gcpc-ir/BigqueryQueryJobOp.yaml');
    const comp = g.spec.components!['comp-bigquery-query-job']!;
    const d = (k: string) => comp.inputDefinitions!.parameters![k]!.description!;
    const c = defineComponent({
      name: 'bigquery-query-job',
      version: '2.22.0',
      description: g.description!,
      inputs: {
        query: z.string().default('').describe(d('query')),
        location: z.string().default('us-central1').describe(d('location')),
        query_parameters: z.array(z.record(z.string(), z.unknown())).default([]).describe(d('query_parameters')),
        job_configuration_query: z.record(z.string(), z.unknown()).default({}).describe(d('job_configuration_query')),
        labels: z.record(z.string(), z.string()).default({}).describe(d('labels')),
        encryption_spec_key_name: z.string().default('').describe(d('encryption_spec_key_name')),
        project: z.string().default('{{$.pipeline_google_cloud_project_id}}').describe(d('project')),
      },
      outputs: {
        destination_table: artifact('google.BQTable', { description: comp.outputDefinitions!.artifacts!['destination_table']!.description! }),
        gcp_resources: z.string().describe(comp.outputDefinitions!.parameters!['gcp_resources']!.description!),
      },
      ...(g.spec.deploymentSpec!.executors!['exec-bigquery-query-job']!.container as Required<ContainerSpec>),
      run: () => ({ gcp_resources: '{}' }),
    });
    const { sdkVersion: _, ...expected } = g.spec;
    const got = comparable(c.toYaml());
    expect(got.doc).toEqual(expected);
    expect(got.header).toEqual(g.header);
  });
});

// --- round trip of every single-component golden -------------------------------------------------------

function paramSchema(def: InputParameterDef | OutputParameterDef): z.ZodType {
  const base: Record<string, () => z.ZodType> = {
    STRING: () => z.string(), NUMBER_INTEGER: () => z.int(), NUMBER_DOUBLE: () => z.number(), BOOLEAN: () => z.boolean(),
    LIST: () => z.array(z.unknown()), STRUCT: () => z.record(z.string(), z.unknown()),
  };
  let s = base[def.parameterType]!();
  if ('defaultValue' in def && def.defaultValue !== undefined) s = s.default(def.defaultValue as never);
  else if ('isOptional' in def && def.isOptional) s = s.optional();
  return def.description ? s.describe(def.description) : s;
}

function artifactSchema(def: InputArtifactDef | OutputArtifactDef): z.ZodType {
  const type = def.artifactType.schemaTitle;
  if (!isArtifactType(type)) throw new Error(`golden uses unknown artifact type ${type}`);
  return artifact(type as ArtifactType, {
    ...(def.description && { description: def.description }),
    ...('isOptional' in def && def.isOptional && { optional: true }),
    ...(def.isArtifactList && { list: true }),
  });
}

function singleComponentGoldens(): string[] {
  const files = [
    ...readdirSync(join(CONFORMANCE, 'gcpc-ir')).filter((f) => f.endsWith('.yaml')).map((f) => `gcpc-ir/${f}`),
    ...readdirSync(join(CONFORMANCE, 'kfp-ir')).filter((f) => /^container_with_.*\.yaml$/.test(f)).map((f) => `kfp-ir/${f}`),
  ];
  // The `.example` golden is IR rewritten by GCPC's create_custom_training_job_from_component (defaults
  // without isOptional, root outputs trimmed): not what compiling a component interface produces.
  return files.filter((f) => !f.endsWith('.example.yaml')).filter((f) => {
    const { spec } = golden(f);
    return Object.keys(spec.components ?? {}).length === 1 && Object.keys(spec.root.dag?.tasks ?? {}).length === 1;
  });
}

describe('every single-component golden round-trips through a zod contract', () => {
  const files = singleComponentGoldens();
  it('finds the goldens', () => expect(files.length).toBeGreaterThanOrEqual(20));

  it.each(files)('%s', (file) => {
    const g = golden(file);
    const [compKey, comp] = Object.entries(g.spec.components!)[0]!;
    const container = g.spec.deploymentSpec!.executors![comp.executorLabel!]!.container!;
    const shape = (defs: { parameters?: Record<string, InputParameterDef | OutputParameterDef>; artifacts?: Record<string, InputArtifactDef | OutputArtifactDef> } | undefined) => ({
      ...Object.fromEntries(Object.entries(defs?.parameters ?? {}).map(([k, d]) => [k, paramSchema(d)])),
      ...Object.fromEntries(Object.entries(defs?.artifacts ?? {}).map(([k, d]) => [k, artifactSchema(d)])),
    });
    const c = defineComponent({
      name: compKey.replace(/^comp-/, ''),
      version: '1.0.0',
      description: g.description ?? '',
      inputs: shape(comp.inputDefinitions),
      outputs: shape(comp.outputDefinitions),
      image: container.image,
      command: container.command ?? [],
      args: container.args ?? [],
      run: () => undefined as never,
    });
    const { sdkVersion: _, ...expected } = g.spec;
    const got = comparable(c.toYaml());
    expect(got.doc).toEqual(expected);
    expect(got.header).toEqual(g.header);
  });
});
