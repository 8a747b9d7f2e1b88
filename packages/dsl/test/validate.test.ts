import { describe, expect, it } from 'vitest';
import { parseIrYaml } from '@formalize/common';
import { checkIr, IrValidationError, validateIr } from '../src/validate/index.ts';
import type { Issue } from '../src/validate/index.ts';
import { loadDoc, readConformance, yamlFiles } from './conformance.ts';

const KFP = yamlFiles('kfp-ir', 30);
const GCPC = yamlFiles('gcpc-ir', 23);

function expectIssue(issues: Issue[], path: string, message: RegExp | string): void {
  const hit = issues.find((i) => i.path === path && (typeof message === 'string' ? i.message.includes(message) : message.test(i.message)));
  expect(hit, `no issue at ${path} matching ${String(message)}; got ${JSON.stringify(issues, null, 2)}`).toBeDefined();
}

describe('golden IR documents are valid', () => {
  it.each(KFP)('kfp-ir/%s has no issue', (f) => {
    const { documents } = parseIrYaml(readConformance(`kfp-ir/${f}`));
    expect(checkIr(documents[0], { platformSpec: documents[1] })).toEqual([]);
  });
  it.each(GCPC)('gcpc-ir/%s has no issue', (f) => {
    expect(checkIr(loadDoc(`gcpc-ir/${f}`))).toEqual([]);
  });
});

// pipeline_with_various_io_types: upstream (comp-upstream) -> downstream (comp-downstream) in root.dag.
const various = (): Record<string, any> => loadDoc('kfp-ir/pipeline_with_various_io_types.yaml');
const ROOT_TASKS = 'root.dag.tasks';

describe('mutated copies are rejected, naming what and where', () => {
  it('(a) a dangling producer task', () => {
    const doc = various();
    doc.root.dag.tasks.downstream.inputs.parameters.input_a.taskOutputParameter.producerTask = 'upstreem';
    expectIssue(checkIr(doc), `${ROOT_TASKS}.downstream.inputs.parameters.input_a.taskOutputParameter.producerTask`, /producer task "upstreem" does not exist in this DAG.*did you mean "upstream"/);
  });

  it('(b) a wrong enum value', () => {
    const doc = various();
    doc.components['comp-upstream'].inputDefinitions.parameters.input_1.parameterType = 'STRIN';
    expectIssue(checkIr(doc), 'components.comp-upstream.inputDefinitions.parameters.input_1.parameterType', /invalid value string "STRIN" for enum ml_pipelines\.ParameterType\.ParameterTypeEnum \(did you mean "STRING"\?\)/);
  });

  it('(c) a cycle via dependentTasks', () => {
    const doc = various();
    doc.root.dag.tasks.upstream.dependentTasks = ['downstream'];
    const issues = checkIr(doc);
    const cycle = issues.filter((i) => i.message.startsWith('dependency cycle'));
    expect(cycle).toHaveLength(1);
    expect(cycle[0]!.path).toMatch(/^root\.dag\.tasks\.(upstream|downstream)$/);
    expect(cycle[0]!.message).toMatch(/dependency cycle: (upstream -> downstream -> upstream|downstream -> upstream -> downstream)/);
  });

  it('(c) a longer cycle inside a sub-DAG is reported with its path', () => {
    const doc = loadDoc('kfp-ir/pipeline_with_nested_conditions.yaml');
    const [comp, spec] = Object.entries(doc.components as Record<string, any>).find(([, c]) => c.dag && Object.keys(c.dag.tasks).length >= 2)!;
    const [a, b] = Object.keys(spec.dag.tasks) as [string, string];
    spec.dag.tasks[a].dependentTasks = [b];
    spec.dag.tasks[b].dependentTasks = [a];
    expectIssue(checkIr(doc), `components.${comp}.dag.tasks.${a}`, `dependency cycle: ${a} -> ${b} -> ${a}`);
  });

  it('(d) an unknown field', () => {
    const doc = various();
    doc.root.dag.tasks.upstream.cachingOptions.enableCaching = true;
    expectIssue(checkIr(doc), `${ROOT_TASKS}.upstream.cachingOptions.enableCaching`, /unknown field "enableCaching" in ml_pipelines\.PipelineTaskSpec\.CachingOptions \(did you mean "enableCache"\?\)/);
  });

  it('(d) an unknown field inside deploymentSpec (checked as PipelineDeploymentConfig)', () => {
    const doc = various();
    doc.deploymentSpec.executors['exec-upstream'].container.entrypoint = ['sh'];
    expectIssue(checkIr(doc), 'deploymentSpec.executors.exec-upstream.container.entrypoint', 'unknown field "entrypoint" in ml_pipelines.PipelineDeploymentConfig.PipelineContainerSpec');
  });

  it('(e) a missing component reference', () => {
    const doc = various();
    doc.root.dag.tasks.upstream.componentRef.name = 'comp-upstream-v2';
    expectIssue(checkIr(doc), `${ROOT_TASKS}.upstream.componentRef.name`, 'component "comp-upstream-v2" does not exist in components');
  });

  it('(f) a missing required input', () => {
    const doc = various();
    delete doc.root.dag.tasks.upstream.inputs.parameters.input_1;
    expectIssue(checkIr(doc), `${ROOT_TASKS}.upstream.inputs.parameters.input_1`, 'required input parameter "input_1" of component "comp-upstream" is not provided');
  });

  it('reports proto and structural issues together, without repeating a dropped value', () => {
    const doc = various();
    doc.root.dag.tasks.upstream.cachingOptions.enableCaching = true;
    doc.root.dag.tasks.downstream.inputs.parameters.input_a.taskOutputParameter.producerTask = 'ghost';
    doc.components['comp-upstream'].inputDefinitions.parameters.input_1.parameterType = 'STRIN';
    const issues = checkIr(doc);
    expect(issues.map((i) => i.path).sort()).toEqual([
      'components.comp-upstream.inputDefinitions.parameters.input_1.parameterType',
      `${ROOT_TASKS}.downstream.inputs.parameters.input_a.taskOutputParameter.producerTask`,
      `${ROOT_TASKS}.upstream.cachingOptions.enableCaching`,
    ]);
  });

  it('validateIr throws an IrValidationError whose message lists every issue', () => {
    const doc = various();
    doc.root.dag.tasks.upstream.componentRef.name = 'comp-nope';
    doc.pipelineInfo.nmae = 'x';
    let err: unknown;
    try {
      validateIr(doc, { source: 'various.yaml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(IrValidationError);
    const e = err as IrValidationError;
    expect(e.issues.length).toBeGreaterThanOrEqual(2);
    expect(e.message).toMatch(/^various\.yaml is invalid \(\d+ issues\):/);
    for (const i of e.issues) expect(e.message).toContain(`${i.path}: ${i.message}`);
  });
});

describe('wiring and type rules', () => {
  it('rejects an artifact output wired to a parameter input', () => {
    const doc = various();
    doc.root.dag.tasks.downstream.inputs.parameters.input_a.taskOutputParameter.outputParameterKey = 'output_2';
    expectIssue(checkIr(doc), `${ROOT_TASKS}.downstream.inputs.parameters.input_a.taskOutputParameter.outputParameterKey`, 'output "output_2" of task "upstream" is an artifact');
  });

  it('rejects NUMBER vs STRUCT wiring but lets integers feed doubles', () => {
    const doc = various();
    doc.components['comp-downstream'].inputDefinitions.parameters.input_a.parameterType = 'STRUCT';
    expectIssue(checkIr(doc), `${ROOT_TASKS}.downstream.inputs.parameters.input_a`, 'type mismatch: output "output_1" of task "upstream" is NUMBER_INTEGER, but input "input_a" of component "comp-downstream" is STRUCT');
    const ok = various();
    ok.components['comp-downstream'].inputDefinitions.parameters.input_a.parameterType = 'NUMBER_DOUBLE';
    expect(checkIr(ok)).toEqual([]);
  });

  it('rejects incompatible artifact types; system.Artifact accepts anything', () => {
    const doc = various();
    doc.components['comp-downstream'].inputDefinitions.artifacts.input_b.artifactType.schemaTitle = 'system.Dataset';
    expectIssue(checkIr(doc), `${ROOT_TASKS}.downstream.inputs.artifacts.input_b`, 'type mismatch: output "output_2" of task "upstream" is system.Model, but input "input_b" of component "comp-downstream" is system.Dataset');
    const ok = various();
    ok.components['comp-downstream'].inputDefinitions.artifacts.input_b.artifactType.schemaTitle = 'system.Artifact';
    expect(checkIr(ok)).toEqual([]);
  });

  it('rejects a constant that does not fit the input type', () => {
    const doc = various();
    doc.root.dag.tasks.upstream.inputs.parameters.input_2.runtimeValue.constant = 'pi';
    expectIssue(checkIr(doc), `${ROOT_TASKS}.upstream.inputs.parameters.input_2.runtimeValue.constant`, '"pi" is not a valid NUMBER_DOUBLE value');
  });

  it('rejects an input name the component does not declare', () => {
    const doc = various();
    doc.root.dag.tasks.upstream.inputs.parameters.input_5 = { componentInputParameter: 'input1' };
    expectIssue(checkIr(doc), `${ROOT_TASKS}.upstream.inputs.parameters.input_5`, 'component "comp-upstream" has no input parameter "input_5"');
  });

  it('rejects a componentInputParameter the enclosing component does not declare', () => {
    const doc = various();
    doc.root.dag.tasks.upstream.inputs.parameters.input_1.componentInputParameter = 'input2';
    expectIssue(checkIr(doc), `${ROOT_TASKS}.upstream.inputs.parameters.input_1.componentInputParameter`, 'the pipeline (root) has no input parameter "input2"');
  });

  it('rejects two members of a oneof', () => {
    const doc = various();
    doc.root.dag.tasks.upstream.inputs.parameters.input_1.runtimeValue = { constant: 'x' };
    expectIssue(checkIr(doc), `${ROOT_TASKS}.upstream.inputs.parameters.input_1`, /"runtimeValue" and "componentInputParameter" are alternatives \(oneof kind of ml_pipelines\.TaskInputsSpec\.InputParameterSpec\); set only one/);
  });

  it('rejects a dependent task that is not in the DAG', () => {
    const doc = various();
    doc.root.dag.tasks.downstream.dependentTasks = ['upstream', 'ghost'];
    expectIssue(checkIr(doc), `${ROOT_TASKS}.downstream.dependentTasks[1]`, 'dependent task "ghost" does not exist in this DAG');
  });

  it('rejects a missing executor and a placeholder naming an undeclared input', () => {
    const doc = various();
    doc.components['comp-downstream'].executorLabel = 'exec-downstreem';
    doc.deploymentSpec.executors['exec-upstream'].container.args[0] = "{{$.inputs.parameters['input_one']}}";
    const issues = checkIr(doc);
    expectIssue(issues, 'components.comp-downstream.executorLabel', 'executor "exec-downstreem" does not exist in deploymentSpec.executors (did you mean "exec-downstream"?)');
    expectIssue(issues, 'deploymentSpec.executors.exec-upstream.container.args[0]', 'refers to input parameter "input_one", which component "comp-upstream" does not declare');
  });

  it('rejects recursive component references', () => {
    const doc = loadDoc('kfp-ir/pipeline_in_pipeline.yaml');
    const [name, comp] = Object.entries(doc.components as Record<string, any>).find(([, c]) => c.dag)!;
    const task = Object.values(comp.dag.tasks as Record<string, any>)[0];
    task.componentRef.name = name;
    expectIssue(checkIr(doc), `components.${name}`, `recursive component reference: ${name} -> ${name}`);
  });

  it('rejects a DAG output selector naming a missing subtask or output', () => {
    const doc = loadDoc('kfp-ir/container_with_artifact_output.yaml');
    doc.root.dag.outputs.parameters.model_config_path.valueFromParameter.producerSubtask = 'nobody';
    doc.root.dag.outputs.artifacts.model.artifactSelectors[0].outputArtifactKey = 'modle';
    const issues = checkIr(doc);
    expectIssue(issues, 'root.dag.outputs.parameters.model_config_path.valueFromParameter.producerSubtask', 'subtask "nobody" does not exist in this DAG');
    expectIssue(issues, 'root.dag.outputs.artifacts.model.artifactSelectors[0].outputArtifactKey', 'has no output artifact "modle" (did you mean "model"?)');
  });

  it('requires an iterator items input to exist', () => {
    const doc = loadDoc('kfp-ir/pipeline_with_loops.yaml');
    doc.root.dag.tasks['for-loop-1'].parameterIterator.items.inputParameter = 'pipelinechannel--loop_parameterz';
    expectIssue(checkIr(doc), 'root.dag.tasks.for-loop-1.parameterIterator.items.inputParameter', 'iterator items input "pipelinechannel--loop_parameterz" is not wired');
  });

  it('requires pipelineInfo.name and schemaVersion', () => {
    const doc = various();
    delete doc.pipelineInfo.name;
    delete doc.schemaVersion;
    const issues = checkIr(doc);
    expectIssue(issues, 'pipelineInfo.name', 'is required');
    expectIssue(issues, 'schemaVersion', 'is required');
  });
});

describe('proto3 JSON parsing rules', () => {
  it('accepts original snake_case field names and returns camelCase', () => {
    const doc = various();
    doc.pipeline_info = doc.pipelineInfo;
    delete doc.pipelineInfo;
    const t = doc.root.dag.tasks.upstream;
    t.component_ref = t.componentRef;
    delete t.componentRef;
    expect(checkIr(doc)).toEqual([]);
    const spec = validateIr(doc);
    expect(spec.pipelineInfo.name).toBe('pipeline-with-various-types');
    expect(spec.root.dag!.tasks['upstream']!.componentRef.name).toBe('comp-upstream');
  });

  it('rejects a field given under both of its names', () => {
    const doc = various();
    doc.pipeline_info = { name: 'other' };
    expectIssue(checkIr(doc), 'pipeline_info', 'field "pipeline_info" is set twice');
  });

  it('accepts enum numbers, normalises them to names, and rejects unknown numbers', () => {
    const doc = various();
    doc.components['comp-upstream'].inputDefinitions.parameters.input_1.parameterType = 3;
    expect(validateIr(doc).components!['comp-upstream']!.inputDefinitions!.parameters!['input_1']!.parameterType).toBe('STRING');
    doc.components['comp-upstream'].inputDefinitions.parameters.input_1.parameterType = 42;
    expectIssue(checkIr(doc), 'components.comp-upstream.inputDefinitions.parameters.input_1.parameterType', 'invalid value number 42');
  });

  it('checks scalar types, durations and int32 ranges', () => {
    const doc = loadDoc('kfp-ir/pipeline_with_retry.yaml');
    const task = Object.values(doc.root.dag.tasks as Record<string, any>)[0];
    task.retryPolicy.backoffDuration = '1h';
    task.retryPolicy.maxRetryCount = 2 ** 40;
    task.cachingOptions.enableCache = 'yes';
    const name = Object.keys(doc.root.dag.tasks)[0];
    const issues = checkIr(doc);
    expectIssue(issues, `root.dag.tasks.${name}.retryPolicy.backoffDuration`, 'expected a duration string like "3600s"');
    expectIssue(issues, `root.dag.tasks.${name}.retryPolicy.maxRetryCount`, 'out of range for int32');
    expectIssue(issues, `root.dag.tasks.${name}.cachingOptions.enableCache`, 'expected true or false, got string "yes"');
  });

  it('accepts any JSON in google.protobuf.Value and Struct positions', () => {
    const doc = various();
    doc.root.inputDefinitions.parameters.input4.defaultValue = 'a';
    doc.deploymentSpec.executors['exec-upstream'].container.resources = { cpuLimit: 2, resourceCpuLimit: '2' };
    expect(checkIr(doc)).toEqual([]);
  });

  it('validates the PlatformSpec document', () => {
    const doc = various();
    const platformSpec = { platforms: { kubernetes: { deploymentSpec: { executors: { 'exec-upstream': { nodeSelector: { labels: { a: 'b' } } } } }, platfrom: 'x' } } };
    expectIssue(checkIr(doc, { platformSpec }), 'platformSpec.platforms.kubernetes.platfrom', 'unknown field "platfrom" in ml_pipelines.SinglePlatformSpec');
  });

  it('reports a document that is not an object', () => {
    expect(checkIr('hello')).toEqual([{ path: '', message: 'expected an object (ml_pipelines.PipelineSpec), got string "hello"' }]);
  });
});
