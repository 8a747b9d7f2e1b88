// KFP v1 component.yaml -> ContainerComponentIR, as kfp `structures.py::ComponentSpec.from_v1_component_spec`
// plus `pipeline_spec_builder._build_component_spec_from_component_spec_structure` (how it lands in IR).
import type { ContainerComponentIR, ContainerSpec, InputsSpec, OutputsSpec } from '@formalize/common';
import { sanitizeName } from '@formalize/common';
import { isPlainObject } from '../validate/proto-json.ts';
import type { V1Io } from './v1-placeholders.ts';
import { convertV1Placeholder } from './v1-placeholders.ts';
import { castV1Default, v1IoType } from './v1-types.ts';

export class V1ComponentError extends Error {
  constructor(path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'V1ComponentError';
  }
}

const TOP_KEYS = new Set(['name', 'description', 'metadata', 'inputs', 'outputs', 'implementation']);
const INPUT_KEYS = new Set(['name', 'type', 'description', 'default', 'optional', 'annotations']);
const OUTPUT_KEYS = new Set(['name', 'type', 'description', 'annotations']);
const CONTAINER_KEYS = new Set(['image', 'command', 'args', 'env', 'fileOutputs']);

/** `dsl/utils.py::sanitize_input_name`. */
export function sanitizeInputName(name: string): string {
  return name.toLowerCase().replace(/[^_0-9a-z]+/g, '_').replace(/^_+|_+$/g, '');
}

function checkKeys(obj: Record<string, unknown>, allowed: Set<string>, path: string): void {
  for (const k of Object.keys(obj)) if (!allowed.has(k)) throw new V1ComponentError(path, `unknown key "${k}" (allowed: ${[...allowed].join(', ')})`);
}

function list(v: unknown, path: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new V1ComponentError(path, 'expected a list');
  return v;
}

interface IoEntry { raw: string; name: string; spec: Record<string, unknown>; path: string }

function ioEntries(v: unknown, allowed: Set<string>, what: string): IoEntry[] {
  const seen = new Map<string, string>();
  return list(v, what).map((spec, i) => {
    const path = `${what}[${i}]`;
    if (!isPlainObject(spec)) throw new V1ComponentError(path, 'expected a mapping with a name');
    checkKeys(spec, allowed, path);
    const raw = spec['name'];
    if (typeof raw !== 'string' || !raw) throw new V1ComponentError(`${path}.name`, 'a non-empty name is required');
    const name = sanitizeInputName(raw);
    if (!name) throw new V1ComponentError(`${path}.name`, `"${raw}" has no usable characters after sanitizing`);
    const clash = seen.get(name);
    if (clash !== undefined) throw new V1ComponentError(`${path}.name`, `"${raw}" and "${clash}" both become "${name}"`);
    seen.set(name, raw);
    return { raw, name, spec, path };
  });
}

function buildInputs(entries: IoEntry[], io: V1Io): InputsSpec | undefined {
  const defs: InputsSpec = {};
  for (const { raw, name, spec, path } of entries) {
    const t = v1IoType(spec['type'], 'input');
    const optional = spec['optional'] === true || 'default' in spec;
    io.inputs.set(raw, { name, kind: t.kind });
    if (t.kind === 'artifact') {
      (defs.artifacts ??= {})[name] = { artifactType: { schemaTitle: t.schemaTitle, schemaVersion: t.schemaVersion }, ...(optional ? { isOptional: true } : {}) };
      continue;
    }
    if (t.parameterType === 'TASK_FINAL_STATUS') {
      (defs.parameters ??= {})[name] = { isOptional: true, parameterType: 'TASK_FINAL_STATUS' };
      continue;
    }
    const def: NonNullable<InputsSpec['parameters']>[string] = { parameterType: t.parameterType };
    if (optional) {
      def.isOptional = true;
      const dv = spec['default'];
      if (dv !== undefined && dv !== null) {
        try {
          def.defaultValue = castV1Default(t.parameterType, dv);
        } catch (e) {
          throw new V1ComponentError(`${path}.default`, (e as Error).message);
        }
      }
    }
    (defs.parameters ??= {})[name] = def;
  }
  return defs.parameters || defs.artifacts ? defs : undefined;
}

function buildOutputs(entries: IoEntry[], io: V1Io): OutputsSpec | undefined {
  const defs: OutputsSpec = {};
  for (const { raw, name, spec } of entries) {
    const t = v1IoType(spec['type'], 'output');
    io.outputs.set(raw, { name, kind: t.kind });
    if (t.kind === 'parameter') (defs.parameters ??= {})[name] = { parameterType: t.parameterType };
    else (defs.artifacts ??= {})[name] = { artifactType: { schemaTitle: t.schemaTitle, schemaVersion: t.schemaVersion } };
  }
  return defs.parameters || defs.artifacts ? defs : undefined;
}

function buildContainer(impl: unknown, io: V1Io): ContainerSpec {
  if (!isPlainObject(impl) || !isPlainObject(impl['container'])) {
    throw new V1ComponentError('implementation', 'only container implementations can be loaded (graph implementations are not supported by KFP v2)');
  }
  const c = impl['container'];
  const path = 'implementation.container';
  checkKeys(c, CONTAINER_KEYS, path);
  if (c['fileOutputs'] !== undefined) throw new V1ComponentError(`${path}.fileOutputs`, 'fileOutputs is not supported by KFP v2; use {outputPath: <name>} placeholders');
  if (typeof c['image'] !== 'string' || !c['image']) throw new V1ComponentError(`${path}.image`, 'an image is required');
  const spec: ContainerSpec = { image: c['image'] };
  const command = list(c['command'], `${path}.command`).map((a, i) => convertV1Placeholder(a, io, `${path}.command[${i}]`));
  const args = list(c['args'], `${path}.args`).map((a, i) => convertV1Placeholder(a, io, `${path}.args[${i}]`));
  if (command.length) spec.command = command;
  if (args.length) spec.args = args;
  const env = c['env'];
  if (env !== undefined && env !== null) {
    if (!isPlainObject(env)) throw new V1ComponentError(`${path}.env`, 'expected a mapping of variable names to values');
    const vars = Object.entries(env).map(([k, v]) => ({ name: k, value: convertV1Placeholder(v, io, `${path}.env.${k}`) }));
    if (vars.length) spec.env = vars;
  }
  return spec;
}

/** Converts a parsed KFP v1 component.yaml (the mapping with `implementation:`). Throws V1ComponentError. */
export function componentFromV1(doc: Record<string, unknown>): ContainerComponentIR {
  checkKeys(doc, TOP_KEYS, '');
  const rawName = doc['name'] ?? 'name';
  if (typeof rawName !== 'string') throw new V1ComponentError('name', 'expected a string');
  const name = sanitizeName(rawName);
  if (!name) throw new V1ComponentError('name', `"${rawName}" has no usable characters after sanitizing`);
  const description = doc['description'];
  if (description !== undefined && description !== null && typeof description !== 'string') throw new V1ComponentError('description', 'expected a string');

  const io: V1Io = { inputs: new Map(), outputs: new Map() };
  const inputDefinitions = buildInputs(ioEntries(doc['inputs'], INPUT_KEYS, 'inputs'), io);
  const outputDefinitions = buildOutputs(ioEntries(doc['outputs'], OUTPUT_KEYS, 'outputs'), io);
  const container = buildContainer(doc['implementation'], io);

  const c: ContainerComponentIR = { kind: 'container', name, executor: { container } };
  if (typeof description === 'string') c.description = description;
  if (inputDefinitions) c.inputDefinitions = inputDefinitions;
  if (outputDefinitions) c.outputDefinitions = outputDefinitions;
  return c;
}
