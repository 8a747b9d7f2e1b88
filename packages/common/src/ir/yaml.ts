// Writes and reads IR documents as the KFP SDK does: header comment, sorted keys, block style,
// and numbers in google.protobuf.Value positions printed as doubles (`1.0`).
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { InputsSpec, OutputsSpec, ParameterType, PipelineSpec } from './types.ts';

// Loaded on first use: component entrypoints import this module through the package index but never
// print YAML, and loading `yaml` would add ~30 ms to every container cold start.
let yamlLib: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  return (yamlLib ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}

// int32 fields of pipeline_spec.proto that the SDK writes; every other number is a double.
const INT_FIELDS = new Set(['maxRetryCount', 'parallelismLimit']);

/** Python type names the SDK prints for each parameter type (header comment, READMEs). */
export const COMMENT_TYPE: Record<ParameterType, string> = {
  NUMBER_DOUBLE: 'float', NUMBER_INTEGER: 'int', STRING: 'str', BOOLEAN: 'bool', LIST: 'list', STRUCT: 'dict',
  TASK_FINAL_STATUS: 'PipelineTaskFinalStatus', TASK_CONFIG: 'TaskConfig',
};

/** Python `repr` of a JSON value, as the SDK prints defaults in the header comment. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}.0` : String(v);
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
}

function headerComment(spec: PipelineSpec, description?: string): string {
  const lines = ['# PIPELINE DEFINITION', `# Name: ${spec.pipelineInfo.name}`];
  if (description) lines.push(`# Description: ${description.split('\n').join('\n#              ')}`);
  const inputs = describeDefs(spec.root.inputDefinitions, true);
  if (inputs.length) lines.push('# Inputs:', ...inputs);
  const outputs = describeDefs(spec.root.outputDefinitions, false);
  if (outputs.length) lines.push('# Outputs:', ...outputs);
  return lines.join('\n') + '\n';
}

function describeDefs(defs: InputsSpec | OutputsSpec | undefined, withDefaults: boolean): string[] {
  const rows: [string, string][] = [];
  for (const [name, p] of Object.entries(defs?.parameters ?? {})) {
    const dv = (p as { defaultValue?: unknown }).defaultValue;
    rows.push([name, `${COMMENT_TYPE[p.parameterType]}${withDefaults && dv !== undefined ? ` [Default: ${pyRepr(dv)}]` : ''}`]);
  }
  for (const [name, a] of Object.entries(defs?.artifacts ?? {})) rows.push([name, a.artifactType.schemaTitle]);
  return rows.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([n, t]) => `#    ${n}: ${t}`);
}

/** Serialize an IR document (PipelineSpec, optionally followed by a PlatformSpec) to YAML text. */
export function irToYaml(spec: PipelineSpec, opts: { description?: string; platformSpec?: object } = {}): string {
  const { description, platformSpec } = opts;
  const { Document, isScalar, visit } = yaml();
  const docs = [spec, ...(platformSpec ? [platformSpec] : [])].map((d) => {
    const doc = new Document(d, { sortMapEntries: true, aliasDuplicateObjects: false });
    visit(doc, {
      Pair(_, pair) {
        const key = isScalar(pair.key) ? String(pair.key.value) : '';
        if (INT_FIELDS.has(key)) return visit.SKIP;
        return undefined;
      },
      Scalar(_, node) {
        if (typeof node.value === 'number' && Number.isFinite(node.value)) node.minFractionDigits = 1;
      },
    });
    return doc.toString({ indentSeq: false, lineWidth: 0, minContentWidth: 0, singleQuote: true });
  });
  return headerComment(spec, description ?? spec.pipelineInfo.description) + docs.join('---\n');
}

/** Parse IR YAML text into its documents (PipelineSpec first) plus the description from the header comment. */
export function parseIrYaml(text: string): { documents: unknown[]; description?: string } {
  const docs = yaml().parseAllDocuments(text);
  const documents: unknown[] = [];
  for (const d of docs) {
    if (d.errors.length) throw new Error(`invalid YAML: ${d.errors[0]!.message}`);
    const v = d.toJS({ maxAliasCount: 100 });
    if (v !== null && v !== undefined) documents.push(v);
  }
  const m = /^# Description: (.*(?:\n#              .*)*)/m.exec(text);
  const description = m ? m[1]!.replace(/\n#              /g, '\n') : undefined;
  return description === undefined ? { documents } : { documents, description };
}
