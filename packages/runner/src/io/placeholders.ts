// Placeholder resolution for container command/args/env and for constant values, with the semantics
// of the KFP launcher (`launcher_v2.go::getPlaceholders`) and kfp.local (`placeholder_utils.py`):
//   1. structured placeholders stored as JSON strings (`{"Concat": [...]}`, `{"IfPresent": {...}}`) are
//      expanded; an IfPresent that yields a list is spliced into argv;
//   2. every `{{$...}}` in the remaining strings is replaced by its text. Parameter values may themselves
//      contain placeholders (f-strings, GCPC defaults such as `{{$.pipeline_google_cloud_project_id}}`);
//      they are resolved first, recursively.
// `{{$...json_escape[N]}}` inserts the text JSON-escaped N times: it marks a placeholder that sits N JSON
// string levels deep in the final argument (GCPC payloads). Inside parameter values it is therefore left
// alone and resolved where the value lands in an argument, as Vertex substitutes it in the final text.
// Unknown `{{$.x}}` placeholders are errors; so are inputs without a value, except optional inputs of
// the component (when the context has its spec), which render empty (see `absentText`).
import { uriToLocalPath, type ComponentSpec, type Env, type JsonValue } from '@formalize/common';
import { executorInputJson, runtimeArtifactJson } from './executor-input.ts';
import type { ExecutorInput, RuntimeArtifact } from './types.ts';
import { canonicalJson, escapeJson, valueText } from './values.ts';

export class PlaceholderError extends Error {
  override name = 'PlaceholderError';
}

export interface PlaceholderContext {
  /** The task's ExecutorInput; required by `resolveCommand`. */
  executorInput?: ExecutorInput;
  /** Input parameter values when there is no ExecutorInput yet (constants, importer metadata). */
  parameterValues?: Record<string, JsonValue>;
  /**
   * The component's interface. With it, an optional input left unset resolves to an empty value (see
   * `absentText`) instead of being an error: GCPC payloads embed optional inputs without IfPresent.
   */
  componentSpec?: ComponentSpec;
  pipelineJobName?: string;
  /** Defaults to `pipelineJobName`. */
  pipelineJobResourceName?: string;
  pipelineJobUuid?: string;
  pipelineTaskName?: string;
  pipelineTaskUuid?: string;
  pipelineRoot?: string;
  pipelineJobCreateTimeUtc?: string;
  /** Defaults to `pipelineJobCreateTimeUtc` (a run that was not scheduled). */
  pipelineJobScheduleTimeUtc?: string;
  googleCloudProjectId?: string;
  googleCloudLocation?: string;
  /** Vertex resolves these to '' when the PipelineJob does not set them; so does the runner. */
  serviceAccount?: string;
  network?: string;
  persistentResourceId?: string;
  encryptionKeyName?: string;
  /** Path of the pipeline workspace (`{{$.workspace_path}}`). */
  workspacePath?: string;
  /** Environment for URI -> local path mapping of `.path` (`FORMALIZE_GCS_MOUNT`); defaults to process.env. */
  env?: Env;
}

// ---------------------------------------------------------------------------------------------------
// Parsing `{{$...}}`

type Ref =
  | { kind: 'executorInput' }
  | { kind: 'inputParameter'; name: string }
  | { kind: 'artifact'; io: 'inputs' | 'outputs'; name: string; field?: 'uri' | 'path' | 'metadata'; key?: string }
  | { kind: 'outputParameterFile'; name: string }
  | { kind: 'outputFile' }
  | { kind: 'pipeline'; name: string };

interface Placeholder {
  ref: Ref;
  /** How many times the text is JSON-escaped (`.json_escape[N]`); undefined without the suffix. */
  escape?: number;
}

type Seg = { field: string } | { key: string } | { index: number };

/** `{{$}}` and `{{$.<path>}}`; `{{$x}}` (e.g. Go templates in a script) is not a KFP placeholder. */
const PLACEHOLDER_RE = /\{\{\$(?:\.([^{}]*?))?\}\}/g;
const ESCAPED_PLACEHOLDER_RE = /\{\{\$\.(?:[^{}]*?\.)?json_escape\[\d+\]\}\}/g;

/** Pipeline-level placeholders, by name after `{{$.`: the context field and the value when it is unset. */
const PIPELINE: Record<string, { field: keyof PlaceholderContext; fallback?: (ctx: PlaceholderContext) => string | undefined }> = {
  pipeline_job_name: { field: 'pipelineJobName' },
  pipeline_job_resource_name: { field: 'pipelineJobResourceName', fallback: (c) => c.pipelineJobName },
  pipeline_job_uuid: { field: 'pipelineJobUuid' },
  pipeline_task_name: { field: 'pipelineTaskName' },
  pipeline_task_uuid: { field: 'pipelineTaskUuid' },
  pipeline_root: { field: 'pipelineRoot' },
  pipeline_job_create_time_utc: { field: 'pipelineJobCreateTimeUtc' },
  pipeline_job_schedule_time_utc: { field: 'pipelineJobScheduleTimeUtc', fallback: (c) => c.pipelineJobCreateTimeUtc },
  pipeline_google_cloud_project_id: { field: 'googleCloudProjectId' },
  pipeline_google_cloud_location: { field: 'googleCloudLocation' },
  pipeline_service_account: { field: 'serviceAccount', fallback: () => '' },
  pipeline_network: { field: 'network', fallback: () => '' },
  pipeline_persistent_resource_id: { field: 'persistentResourceId', fallback: () => '' },
  pipeline_encryption_key_name: { field: 'encryptionKeyName', fallback: () => '' },
  workspace_path: { field: 'workspacePath' },
};

function parseSegments(path: string): Seg[] | undefined {
  const segs: Seg[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '.') {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path.slice(i + 1));
      if (!m) return undefined;
      segs.push({ field: m[0] });
      i += 1 + m[0].length;
    } else if (path[i] === '[') {
      const q = path[i + 1];
      if (q === "'" || q === '"') {
        const end = path.indexOf(`${q}]`, i + 2);
        if (end < 0) return undefined;
        segs.push({ key: path.slice(i + 2, end) });
        i = end + 2;
      } else {
        const m = /^(\d+)\]/.exec(path.slice(i + 1));
        if (!m) return undefined;
        segs.push({ index: Number(m[1]) });
        i += 1 + m[0].length;
      }
    } else {
      return undefined;
    }
  }
  return segs;
}

const field = (s: Seg | undefined): string | undefined => (s && 'field' in s ? s.field : undefined);
const key = (s: Seg | undefined): string | undefined => (s && 'key' in s ? s.key : undefined);

function toRef(segs: Seg[]): Ref | undefined {
  const [a, b, c, d, e] = segs;
  if (segs.length === 0) return { kind: 'executorInput' };
  const f0 = field(a);
  if (segs.length === 1 && f0 === 'outputMetadataUri') return { kind: 'outputFile' };
  if (segs.length === 1 && f0 && f0 in PIPELINE) return { kind: 'pipeline', name: f0 };
  if (f0 === 'outputs' && field(b) === 'output_file' && segs.length === 2) return { kind: 'outputFile' };
  if ((f0 === 'inputs' || f0 === 'outputs') && field(b) === 'parameters') {
    const name = key(c);
    if (name === undefined) return undefined;
    if (f0 === 'inputs' && segs.length === 3) return { kind: 'inputParameter', name };
    if (f0 === 'outputs' && segs.length === 4 && field(d) === 'output_file') return { kind: 'outputParameterFile', name };
    return undefined;
  }
  if ((f0 === 'inputs' || f0 === 'outputs') && field(b) === 'artifacts') {
    const name = key(c);
    if (name === undefined) return undefined;
    if (segs.length === 3) return { kind: 'artifact', io: f0, name };
    const f3 = field(d);
    if (segs.length === 4 && (f3 === 'uri' || f3 === 'path' || f3 === 'metadata')) return { kind: 'artifact', io: f0, name, field: f3 };
    const k = key(e);
    if (segs.length === 5 && f3 === 'metadata' && k !== undefined) return { kind: 'artifact', io: f0, name, field: 'metadata', key: k };
  }
  return undefined;
}

const parsed = new Map<string, Placeholder | null>();

/** Parses the text of one `{{$...}}` placeholder; undefined when it is not a known KFP placeholder. */
function parsePlaceholder(text: string, path: string | undefined): Placeholder | undefined {
  let p = parsed.get(text);
  if (p === undefined) {
    p = null;
    const segs = parseSegments(path === undefined ? '' : `.${path}`);
    if (segs) {
      let escape: number | undefined;
      const last = segs[segs.length - 1];
      if (segs.length >= 2 && last && 'index' in last && field(segs[segs.length - 2]) === 'json_escape') {
        escape = last.index;
        segs.length -= 2;
      }
      const ref = toRef(segs);
      if (ref) p = escape === undefined ? { ref } : { ref, escape };
    }
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, p);
  }
  return p ?? undefined;
}

// ---------------------------------------------------------------------------------------------------
// Resolution

/** 'command': every placeholder must resolve. 'value': unavailable ones stay as they are, for a later pass. */
type Mode = 'command' | 'value';

class Resolver {
  private readonly memo = new Map<string, JsonValue>();
  private readonly visiting = new Set<string>();
  private readonly params: Record<string, JsonValue>;
  private readonly ctx: PlaceholderContext;
  private readonly mode: Mode;

  constructor(ctx: PlaceholderContext, mode: Mode) {
    this.ctx = ctx;
    this.mode = mode;
    this.params = ctx.executorInput?.inputs.parameterValues ?? ctx.parameterValues ?? {};
  }

  /** Value of input parameter `name` with the placeholders inside it resolved. */
  param(name: string): JsonValue | undefined {
    if (this.memo.has(name)) return this.memo.get(name);
    const raw = this.params[name];
    if (raw === undefined) return undefined;
    if (this.visiting.has(name)) {
      if (this.mode === 'value') return raw;
      throw new PlaceholderError(`input parameter '${name}' refers to itself through placeholders: ${JSON.stringify(raw)}`);
    }
    this.visiting.add(name);
    try {
      const v = this.value(raw, true);
      this.memo.set(name, v);
      return v;
    } catch (err) {
      if (err instanceof PlaceholderError && !err.message.startsWith('input parameter')) {
        throw new PlaceholderError(`input parameter '${name}': ${err.message}`);
      }
      throw err;
    } finally {
      this.visiting.delete(name);
    }
  }

  /** Resolves placeholders in every string (and key) of a JSON value. */
  value(v: JsonValue, insideValue: boolean): JsonValue {
    if (typeof v === 'string') return this.string(v, insideValue);
    if (Array.isArray(v)) return v.map((x) => this.value(x, insideValue));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, JsonValue> = {};
      for (const [k, x] of Object.entries(v)) out[this.string(k, insideValue)] = this.value(x, insideValue);
      return out;
    }
    return v;
  }

  /**
   * Replaces the placeholders in `s`. Inside values, json_escape placeholders are kept for the argument
   * they end up in; in an argument, those that arrive with a parameter's text are resolved there.
   */
  string(s: string, insideValue: boolean): string {
    if (!s.includes('{{$')) return s;
    return s.replace(PLACEHOLDER_RE, (text: string, path: string | undefined) => {
      const ph = parsePlaceholder(text, path);
      if (!ph) {
        // Run-time parameter values are data (possibly upstream outputs): leave what is not KFP's alone.
        if (insideValue && this.mode === 'command') return text;
        throw new PlaceholderError(`unknown placeholder ${text}`);
      }
      if (insideValue && ph.escape !== undefined) return text;
      let out = this.text(ph, text);
      if (out === undefined) return text;
      if (!insideValue && ph.ref.kind === 'inputParameter' && out.includes('{{$')) {
        out = out.replace(ESCAPED_PLACEHOLDER_RE, (inner: string) => {
          const p = parsePlaceholder(inner, inner.slice(4, -2));
          const t = p ? this.text(p, inner) : undefined;
          return t === undefined ? inner : escapeJson(t, p!.escape ?? 0);
        });
      }
      return ph.escape ? escapeJson(out, ph.escape) : out;
    });
  }

  private unavailable(text: string, why: string): undefined {
    if (this.mode === 'value') return undefined;
    throw new PlaceholderError(`cannot resolve ${text}: ${why}`);
  }

  /** Text of one placeholder; undefined when unavailable in 'value' mode. */
  text(ph: Placeholder, text: string): string | undefined {
    const ref = ph.ref;
    const ei = this.ctx.executorInput;
    switch (ref.kind) {
      case 'executorInput':
        if (!ei) return this.unavailable(text, 'no ExecutorInput in this context');
        return this.executorInputText(ei);
      case 'inputParameter': {
        const v = this.param(ref.name);
        if (v === undefined || v === null) {
          const def = this.ctx.componentSpec?.inputDefinitions?.parameters?.[ref.name];
          if (this.mode === 'command' && def?.isOptional) return absentText(def.parameterType === 'STRING' ? 'string' : 'json');
          const known = Object.keys(this.params);
          return this.unavailable(text, `input parameter '${ref.name}' has no value (${known.length ? `inputs with values: ${known.join(', ')}` : 'no input parameters'})`);
        }
        return valueText(v);
      }
      case 'outputParameterFile': {
        if (!ei) return this.unavailable(text, 'no ExecutorInput in this context');
        const p = ei.outputs.parameters?.[ref.name];
        if (!p) return this.unavailable(text, `no output parameter '${ref.name}' (outputs: ${Object.keys(ei.outputs.parameters ?? {}).join(', ') || 'none'})`);
        return p.outputFile;
      }
      case 'outputFile':
        if (!ei) return this.unavailable(text, 'no ExecutorInput in this context');
        return ei.outputs.outputFile;
      case 'artifact':
        return this.artifactText(ref, text);
      case 'pipeline': {
        const spec = PIPELINE[ref.name]!;
        const v = (this.ctx[spec.field] as string | undefined) ?? spec.fallback?.(this.ctx);
        if (v === undefined) return this.unavailable(text, `the run does not define it (context field '${spec.field}')`);
        return v;
      }
    }
  }

  private artifactText(ref: Extract<Ref, { kind: 'artifact' }>, text: string): string | undefined {
    const ei = this.ctx.executorInput;
    if (!ei) return this.unavailable(text, 'no ExecutorInput in this context');
    const lists = ref.io === 'inputs' ? ei.inputs.artifacts : ei.outputs.artifacts;
    const list = lists?.[ref.name]?.artifacts ?? [];
    if (!list.length) {
      const def = ref.io === 'inputs' ? this.ctx.componentSpec?.inputDefinitions?.artifacts?.[ref.name] : undefined;
      if (this.mode === 'command' && def?.isOptional) return absentText(ref.field === undefined ? 'list' : ref.field === 'metadata' && ref.key === undefined ? 'struct' : 'string');
      return this.unavailable(text, `no ${ref.io === 'inputs' ? 'input' : 'output'} artifact '${ref.name}' (${Object.keys(lists ?? {}).join(', ') || 'none'})`);
    }
    if (!ref.field) return JSON.stringify(list.map(runtimeArtifactJson));
    const a = list[0]!;
    switch (ref.field) {
      case 'uri':
        return a.uri;
      case 'path':
        return artifactPath(a, text, this.ctx.env ?? process.env);
      case 'metadata': {
        const md = a.metadata ?? {};
        if (ref.key === undefined) return canonicalJson(md);
        const v = md[ref.key];
        if (v === undefined) return this.unavailable(text, `artifact '${ref.name}' has no metadata key '${ref.key}' (keys: ${Object.keys(md).join(', ') || 'none'})`);
        return valueText(v);
      }
    }
  }

  /** `{{$}}`: the ExecutorInput with parameter values resolved (a value being resolved appears as it is). */
  private executorInputText(ei: ExecutorInput): string {
    const values = ei.inputs.parameterValues;
    if (!values) return executorInputJson(ei);
    const resolved: Record<string, JsonValue> = {};
    for (const name of Object.keys(values)) resolved[name] = this.visiting.has(name) ? values[name]! : this.param(name)!;
    return executorInputJson({ ...ei, inputs: { ...ei.inputs, parameterValues: resolved } });
  }
}

/**
 * Text of an optional input the task leaves unset, where a placeholder uses it outside IfPresent: empty
 * in string positions (a STRING parameter, an artifact's uri/path/metadata key), JSON `null`/`{}`/`[]`
 * where the value is JSON (other parameter types, whole metadata, an artifact list), as kfp.local's
 * `json.dumps(None)` keeps a payload parseable.
 */
function absentText(kind: 'string' | 'json' | 'struct' | 'list'): string {
  return kind === 'string' ? '' : kind === 'json' ? 'null' : kind === 'struct' ? '{}' : '[]';
}

function artifactPath(a: RuntimeArtifact, text: string, env: Env): string {
  if (a.customPath) return a.customPath;
  try {
    return uriToLocalPath(a.uri, env);
  } catch (err) {
    throw new PlaceholderError(`cannot resolve ${text}: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Structured placeholders

type Structured = string | Structured[] | { Concat: Structured[] } | { IfPresent: { InputName: string; Then?: Structured; Else?: Structured } };

const STRUCTURED_RE = /^\s*\{\s*"(?:Concat|IfPresent)"\s*:/;

function presentInputs(ei: ExecutorInput): Set<string> {
  const present = new Set<string>();
  for (const [k, v] of Object.entries(ei.inputs.parameterValues ?? {})) if (v !== null && v !== undefined) present.add(k);
  for (const [k, l] of Object.entries(ei.inputs.artifacts ?? {})) if (l?.artifacts?.length) present.add(k);
  return present;
}

function isStructObject(n: unknown, keyName: string): boolean {
  return n !== null && typeof n === 'object' && !Array.isArray(n) && Object.keys(n).length === 1 && keyName in n;
}

/** Expands a structured placeholder to the arguments it stands for (strings with placeholders resolved). */
function expand(node: unknown, present: Set<string>, r: Resolver, source: string, inConcat: boolean): string[] | string | null {
  const bad = (why: string) => new PlaceholderError(`invalid structured placeholder ${source}: ${why}`);
  if (typeof node === 'string') return r.string(node, false);
  if (Array.isArray(node)) {
    if (inConcat) throw bad('an IfPresent inside Concat must have a single element, not a list, as Then/Else');
    const out: string[] = [];
    for (const item of node) {
      const x = expand(item, present, r, source, false);
      if (x === null) continue;
      if (Array.isArray(x)) out.push(...x);
      else out.push(x);
    }
    return out;
  }
  if (isStructObject(node, 'Concat')) {
    const items = (node as { Concat: unknown }).Concat;
    if (!Array.isArray(items)) throw bad('Concat must be a list');
    let s = '';
    for (const item of items) {
      const x = expand(item, present, r, source, true);
      if (Array.isArray(x)) throw bad('Concat items must be strings or single-element placeholders');
      if (x !== null) s += x;
    }
    return s;
  }
  if (isStructObject(node, 'IfPresent')) {
    const spec = (node as { IfPresent: unknown }).IfPresent as { InputName?: unknown; Then?: unknown; Else?: unknown } | null;
    if (!spec || typeof spec !== 'object' || typeof spec.InputName !== 'string') throw bad('IfPresent needs an InputName');
    if (!('Then' in spec)) throw bad('IfPresent needs Then');
    const branch = present.has(spec.InputName) ? spec.Then : spec.Else;
    if (branch === undefined || branch === null) return null;
    return expand(branch, present, r, source, inConcat);
  }
  throw bad(`unexpected element ${JSON.stringify(node)}`);
}

function parseStructured(arg: string): Structured | undefined {
  if (!STRUCTURED_RE.test(arg)) return undefined;
  try {
    return JSON.parse(arg) as Structured;
  } catch (err) {
    throw new PlaceholderError(`malformed structured placeholder ${arg}: ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// API

/**
 * Resolves a container's command + args (or one env value) for execution. Structured placeholders are
 * expanded (an IfPresent list is spliced in, an absent input without Else drops out), then every
 * `{{$...}}` is replaced. Unknown or unresolvable placeholders are errors naming the placeholder.
 */
export function resolveCommand(argv: string[], ctx: PlaceholderContext): string[] {
  const ei = ctx.executorInput;
  if (!ei) throw new PlaceholderError('resolveCommand needs the ExecutorInput (ctx.executorInput)');
  const r = new Resolver(ctx, 'command');
  const present = presentInputs(ei);
  const out: string[] = [];
  for (const arg of argv) {
    const structured = parseStructured(arg);
    if (structured === undefined) {
      out.push(r.string(arg, false));
      continue;
    }
    const x = expand(structured, present, r, arg, false);
    if (Array.isArray(x)) out.push(...x);
    else if (x !== null) out.push(x);
  }
  return out;
}

/**
 * Substitutes placeholders inside a constant value (every string and key, recursively): f-string
 * runtime values such as `"{{$.inputs.parameters['pipelinechannel--x']}}-suffix"`, GCPC payload
 * structs, importer metadata. Strings stay strings. Placeholders whose data this context lacks (and
 * json_escape ones) are left in place, to be resolved when the value reaches a command; unknown
 * placeholders are errors.
 */
export function resolveValuePlaceholders(value: JsonValue, ctx: PlaceholderContext): JsonValue {
  return new Resolver(ctx, 'value').value(value, true);
}

/** The ExecutorInput with placeholders inside its parameter values resolved (what `{{$}}` shows). */
export function resolveExecutorInput(ctx: PlaceholderContext & { executorInput: ExecutorInput }): ExecutorInput {
  const ei = ctx.executorInput;
  const values = ei.inputs.parameterValues;
  if (!values) return ei;
  const r = new Resolver(ctx, 'command');
  const resolved: Record<string, JsonValue> = {};
  for (const name of Object.keys(values)) resolved[name] = r.param(name)!;
  return { ...ei, inputs: { ...ei.inputs, parameterValues: resolved } };
}
