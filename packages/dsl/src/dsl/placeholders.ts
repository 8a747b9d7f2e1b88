// Placeholder strings of the KFP container contract, and the structured ones (Concat, IfPresent)
// that the SDK stores as JSON strings inside command/args.

const q = (name: string) => `'${name}'`;

export interface ArtifactPlaceholders { readonly uri: string; readonly path: string; readonly metadata: string }

export const inputParameter = (name: string) => `{{$.inputs.parameters[${q(name)}]}}`;
export const inputArtifact = (name: string): ArtifactPlaceholders => ({
  uri: `{{$.inputs.artifacts[${q(name)}].uri}}`,
  path: `{{$.inputs.artifacts[${q(name)}].path}}`,
  metadata: `{{$.inputs.artifacts[${q(name)}].metadata}}`,
});
export const outputParameterFile = (name: string) => `{{$.outputs.parameters[${q(name)}].output_file}}`;
export const outputArtifact = (name: string): ArtifactPlaceholders => ({
  uri: `{{$.outputs.artifacts[${q(name)}].uri}}`,
  path: `{{$.outputs.artifacts[${q(name)}].path}}`,
  metadata: `{{$.outputs.artifacts[${q(name)}].metadata}}`,
});
export const EXECUTOR_INPUT = '{{$}}';
export const OUTPUT_FILE = '{{$.outputs.output_file}}';

/** Python's `json.dumps` with default separators, which the SDK uses for structured placeholders. */
export function pyJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(pyJson).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyJson(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

type Part = string | StructuredPlaceholder;
export class StructuredPlaceholder {
  readonly value: object;
  constructor(value: object) {
    this.value = value;
  }
  toString(): string {
    return pyJson(this.value);
  }
}
const unwrap = (p: Part): unknown => (p instanceof StructuredPlaceholder ? p.value : p);

/** `{"Concat": [...]}`: joins the parts into one argument at run time. */
export function concat(...parts: Part[]): string {
  return new StructuredPlaceholder({ Concat: parts.map(unwrap) }).toString();
}

/** `{"IfPresent": ...}`: `then` when the optional input has a value, else `otherwise`. */
export function ifPresent(inputName: string, then: Part | Part[], otherwise?: Part | Part[]): string {
  const v: Record<string, unknown> = { InputName: inputName, Then: Array.isArray(then) ? then.map(unwrap) : unwrap(then) };
  if (otherwise !== undefined) v.Else = Array.isArray(otherwise) ? otherwise.map(unwrap) : unwrap(otherwise);
  return new StructuredPlaceholder({ IfPresent: v }).toString();
}
