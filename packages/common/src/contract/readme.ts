// README inputs/outputs tables generated from the contract, kept between markers so the prose around
// them stays hand-written while the tables can never disagree with component.yaml.
import type { InputArtifactDef, InputParameterDef, OutputArtifactDef, OutputParameterDef } from '../ir/types.ts';
import { COMMENT_TYPE } from '../ir/yaml.ts';
import type { Component } from './define.ts';

function cell(text: string | undefined): string {
  return (text ?? '').trim().replaceAll('|', '\\|').replace(/\r?\n/g, '<br>');
}

function code(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}

type Def = InputParameterDef | InputArtifactDef | OutputParameterDef | OutputArtifactDef;

function typeOf(d: Def): string {
  if ('artifactType' in d) return code(d.isArtifactList ? `list<${d.artifactType.schemaTitle}>` : d.artifactType.schemaTitle);
  const literals = 'literals' in d && d.literals ? ` (one of ${d.literals.map((l) => code(JSON.stringify(l))).join(', ')})` : '';
  return code(COMMENT_TYPE[d.parameterType]) + literals;
}

function defaultOf(d: InputParameterDef | InputArtifactDef): string {
  if ('defaultValue' in d && d.defaultValue !== undefined) return code(JSON.stringify(d.defaultValue));
  return d.isOptional ? '*optional*' : '*required*';
}

/** Markdown tables (inputs: name, type, default, description; outputs: name, type, description). */
export function contractTable(component: Component): string {
  const ir = component.toIR();
  const inDefs = { ...ir.inputDefinitions?.parameters, ...ir.inputDefinitions?.artifacts };
  const outDefs = { ...ir.outputDefinitions?.parameters, ...ir.outputDefinitions?.artifacts };
  const lines = [`### \`${component.name}\` ${component.version}`, '', cell(component.description), ''];
  // Declaration order of the contract, which is how authors group related inputs.
  const inputs = Object.keys(component.inputs);
  if (inputs.length) {
    lines.push('**Inputs**', '', '| Name | Type | Default | Description |', '| --- | --- | --- | --- |');
    for (const k of inputs) lines.push(`| ${code(k)} | ${typeOf(inDefs[k]!)} | ${defaultOf(inDefs[k]!)} | ${cell(inDefs[k]!.description)} |`);
  } else lines.push('**Inputs**: none');
  lines.push('');
  const outputs = Object.keys(component.outputs);
  if (outputs.length) {
    lines.push('**Outputs**', '', '| Name | Type | Description |', '| --- | --- | --- |');
    for (const k of outputs) lines.push(`| ${code(k)} | ${typeOf(outDefs[k]!)} | ${cell(outDefs[k]!.description)} |`);
  } else lines.push('**Outputs**: none');
  return lines.join('\n') + '\n';
}

export function contractMarkers(name: string): { start: string; end: string } {
  return { start: `<!-- contract:${name}:start -->`, end: `<!-- contract:${name}:end -->` };
}

/** Replaces the component's marked block in `text` (appending it when absent). */
export function updateReadme(text: string, component: Component): string {
  const { start, end } = contractMarkers(component.name);
  const block = `${start}\n${contractTable(component)}${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) return text.slice(0, i) + block + text.slice(j + end.length);
  if (i >= 0 || j >= 0) throw new Error(`README: unbalanced ${start} / ${end} markers`);
  const body = text.trimEnd();
  return `${body}${body ? '\n\n' : ''}${block}\n`;
}
