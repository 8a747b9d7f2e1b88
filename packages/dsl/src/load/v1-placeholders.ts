// KFP v1 command-line placeholders -> v2 placeholder strings
// (kfp `dsl/placeholders.py::maybe_convert_v1_yaml_placeholder_to_v2_placeholder`). Structured placeholders
// (concat, if/isPresent) become the JSON strings the SDK writes: '{"Concat": [...]}', '{"IfPresent": {...}}'.
import { isPlainObject } from '../validate/proto-json.ts';
import { pyJsonDumps } from './py-json.ts';

/** v1 input/output names -> their sanitized v2 names and kinds, for resolving and checking references. */
export interface V1Io {
  inputs: Map<string, { name: string; kind: 'parameter' | 'artifact' }>;
  outputs: Map<string, { name: string; kind: 'parameter' | 'artifact' }>;
}

type Elem =
  | string
  | { concat: Elem[] }
  | { ifPresent: { input: string; present: Elem | Elem[]; absent?: Elem | Elem[] } };

type Struct = string | { Concat: Struct[] } | { IfPresent: { InputName: string; Then: Struct | Struct[]; Else?: Struct | Struct[] } };

export class V1PlaceholderError extends Error {
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'V1PlaceholderError';
  }
}

function input(io: V1Io, raw: unknown, kind: 'parameter' | 'artifact' | 'any', what: string, path: string): string {
  if (typeof raw !== 'string') throw new V1PlaceholderError(path, `${what} needs an input name, got ${JSON.stringify(raw)}`);
  const found = io.inputs.get(raw);
  if (!found) throw new V1PlaceholderError(path, `${what} refers to input "${raw}", which the component does not declare`);
  if (kind !== 'any' && found.kind !== kind) {
    throw new V1PlaceholderError(path, `${what} needs ${kind === 'parameter' ? 'a parameter' : 'an artifact'} input, but "${raw}" has an ${found.kind === 'artifact' ? 'artifact' : 'parameter'} type`);
  }
  return found.name;
}

function output(io: V1Io, raw: unknown, what: string, path: string): { name: string; kind: 'parameter' | 'artifact' } {
  if (typeof raw !== 'string') throw new V1PlaceholderError(path, `${what} needs an output name, got ${JSON.stringify(raw)}`);
  const found = io.outputs.get(raw);
  if (!found) throw new V1PlaceholderError(path, `${what} refers to output "${raw}", which the component does not declare`);
  return found;
}

function convertMany(v: unknown, io: V1Io, path: string): Elem | Elem[] {
  return Array.isArray(v) ? v.map((x, i) => convert(x, io, `${path}[${i}]`)) : convert(v, io, path);
}

function convert(arg: unknown, io: V1Io, path: string): Elem {
  if (typeof arg === 'string') return arg;
  // YAML scalars such as 5 or true in a command line are kept as their text.
  if (typeof arg === 'number' || typeof arg === 'boolean') return String(arg);
  if (!isPlainObject(arg) || Object.keys(arg).length !== 1) {
    throw new V1PlaceholderError(path, `expected a string or a placeholder with exactly one key, got ${JSON.stringify(arg)}`);
  }
  const [key, value] = Object.entries(arg)[0]!;
  switch (key) {
    case 'inputValue':
      return `{{$.inputs.parameters['${input(io, value, 'parameter', key, path)}']}}`;
    case 'inputPath':
      return `{{$.inputs.artifacts['${input(io, value, 'artifact', key, path)}'].path}}`;
    case 'inputUri':
      return `{{$.inputs.artifacts['${input(io, value, 'artifact', key, path)}'].uri}}`;
    case 'inputMetadata':
      return `{{$.inputs.artifacts['${input(io, value, 'artifact', key, path)}'].metadata}}`;
    case 'outputPath': {
      const out = output(io, value, key, path);
      return out.kind === 'parameter' ? `{{$.outputs.parameters['${out.name}'].output_file}}` : `{{$.outputs.artifacts['${out.name}'].path}}`;
    }
    case 'outputUri':
    case 'outputMetadata': {
      const out = output(io, value, key, path);
      if (out.kind !== 'artifact') throw new V1PlaceholderError(path, `${key} needs an artifact output, but "${String(value)}" has a parameter type`);
      return `{{$.outputs.artifacts['${out.name}'].${key === 'outputUri' ? 'uri' : 'metadata'}}}`;
    }
    case 'executorInput':
      return '{{$}}';
    case 'concat': {
      if (!Array.isArray(value)) throw new V1PlaceholderError(path, 'concat needs a list');
      const items = value.map((x, i) => convert(x, io, `${path}.concat[${i}]`));
      items.forEach((item, i) => checkSingleBranches(item, `${path}.concat[${i}]`));
      return { concat: items };
    }
    case 'if': {
      if (!isPlainObject(value)) throw new V1PlaceholderError(path, 'if needs {cond, then, else}');
      const cond = value['cond'];
      if (!isPlainObject(cond) || Object.keys(cond).length !== 1 || !('isPresent' in cond)) {
        throw new V1PlaceholderError(`${path}.if.cond`, 'only {isPresent: <input>} conditions are supported by KFP v2');
      }
      return ifPresent(cond['isPresent'], value['then'], value['else'], io, `${path}.if`);
    }
    case 'ifPresent': {
      if (!isPlainObject(value)) throw new V1PlaceholderError(path, 'ifPresent needs {inputName, then, else}');
      return ifPresent(value['inputName'], value['then'], value['else'], io, `${path}.ifPresent`);
    }
    default:
      throw new V1PlaceholderError(path, `unsupported placeholder "${key}"`);
  }
}

function ifPresent(name: unknown, then: unknown, otherwise: unknown, io: V1Io, path: string): Elem {
  if (then === undefined) throw new V1PlaceholderError(path, 'then is required');
  const node: { input: string; present: Elem | Elem[]; absent?: Elem | Elem[] } = {
    input: input(io, name, 'any', 'isPresent', path),
    present: convertMany(then, io, `${path}.then`),
  };
  // The SDK omits a falsy else ('' or []).
  if (otherwise !== undefined && otherwise !== null && otherwise !== '' && !(Array.isArray(otherwise) && otherwise.length === 0)) {
    node.absent = convertMany(otherwise, io, `${path}.else`);
  }
  return { ifPresent: node };
}

/** Inside concat an if/isPresent must yield one element: its then/else cannot be lists (SDK rule). */
function checkSingleBranches(e: Elem, path: string): void {
  if (typeof e === 'string') return;
  if ('concat' in e) {
    e.concat.forEach((x, i) => checkSingleBranches(x, `${path}.concat[${i}]`));
    return;
  }
  const { present, absent } = e.ifPresent;
  if (Array.isArray(present) || Array.isArray(absent)) {
    throw new V1PlaceholderError(path, 'an if/isPresent inside concat must have a single-element then/else, not a list');
  }
  checkSingleBranches(present, path);
  if (absent !== undefined) checkSingleBranches(absent, path);
}

function toStruct(e: Elem): Struct {
  if (typeof e === 'string') return e;
  if ('concat' in e) return { Concat: e.concat.map(toStruct) };
  const branch = (b: Elem | Elem[]): Struct | Struct[] => (Array.isArray(b) ? b.map(toStruct) : toStruct(b));
  const s: { InputName: string; Then: Struct | Struct[]; Else?: Struct | Struct[] } = { InputName: e.ifPresent.input, Then: branch(e.ifPresent.present) };
  if (e.ifPresent.absent !== undefined) s.Else = branch(e.ifPresent.absent);
  return { IfPresent: s };
}

/** One v1 command/args/env element as the v2 command-line string. */
export function convertV1Placeholder(arg: unknown, io: V1Io, path: string): string {
  const e = convert(arg, io, path);
  return typeof e === 'string' ? e : pyJsonDumps(toStruct(e));
}
