// Raw prediction instances -> model rows: the checks a serving request gets before the model sees it. Shared by
// the HTTP server and batch prediction, so both accept and refuse exactly the same instances. Every refusal
// names the field and the value (`instances[3].trip_miles: expected a finite number or null, received "abc"`).
import { describeValue } from '@formalize/common';
import { applyTransform, TransformInputError, type TransformArtifact, type TransformedRow } from '@formalize/common/transform';

export class InstanceError extends Error {
  override name = 'InstanceError';
  /** The offending field, e.g. `instances[3].trip_miles`. */
  readonly field: string;
  constructor(field: string, reason: string) {
    super(`${field}: ${reason}`);
    this.field = field;
  }
}

const namesCache = new WeakMap<TransformArtifact, { names: readonly string[]; known: ReadonlySet<string> }>();

/** Feature names of the transform, for messages and unknown-key checks (computed once per artifact). */
function features(transform: TransformArtifact): { names: readonly string[]; known: ReadonlySet<string> } {
  let f = namesCache.get(transform);
  if (!f) {
    const names = transform.features.map((x) => x.name);
    namesCache.set(transform, (f = { names, known: new Set(names) }));
  }
  return f;
}

/**
 * One instance: a JSON object with every feature of the transform (null for a missing value). A value may be
 * given bare or as a one-element list (`{"trip_miles": [2.5]}`, the TF Serving row form of a `(None, 1)` input).
 * Keys that are not features are refused unless listed in `ignore` (e.g. the label in batch inputs).
 */
export function instanceToRow(transform: TransformArtifact, instance: unknown, field: string, ignore: ReadonlySet<string> = new Set()): TransformedRow {
  if (instance === null || typeof instance !== 'object' || Array.isArray(instance)) {
    throw new InstanceError(field, `expected an object of features, received ${describeValue(instance)}`);
  }
  const { names, known } = features(transform);
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(instance)) {
    if (!known.has(key)) {
      if (ignore.has(key)) continue;
      throw new InstanceError(`${field}.${key}`, `unknown feature (the model takes ${names.join(', ')})`);
    }
    if (Array.isArray(value)) {
      if (value.length !== 1) throw new InstanceError(`${field}.${key}`, `expected a value or a one-element list, received ${describeValue(value)}`);
      raw[key] = value[0];
    } else raw[key] = value;
  }
  try {
    return applyTransform(transform, raw);
  } catch (err) {
    if (err instanceof TransformInputError) throw new InstanceError(`${field}.${err.field}`, err.message.slice(err.field.length + 2));
    throw err;
  }
}

export interface PredictRequestLimits {
  /** Most instances in one request (default 10,000). */
  maxInstances: number;
}

/** The body of a Vertex predict request: `{"instances": [...], "parameters"?: {...}}` -> model rows. */
export function parsePredictRequest(transform: TransformArtifact, body: unknown, limits: PredictRequestLimits): TransformedRow[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InstanceError('request body', `expected a JSON object {"instances": [...]}, received ${describeValue(body)}`);
  }
  for (const key of Object.keys(body)) {
    if (key !== 'instances' && key !== 'parameters') throw new InstanceError(key, 'unknown field (a predict request has "instances" and optionally "parameters")');
  }
  const { instances, parameters } = body as { instances?: unknown; parameters?: unknown };
  if (parameters !== undefined && (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters))) {
    throw new InstanceError('parameters', `expected an object, received ${describeValue(parameters)}`);
  }
  if (!Array.isArray(instances)) throw new InstanceError('instances', `expected a list of instances, received ${describeValue(instances)}`);
  if (instances.length === 0) throw new InstanceError('instances', 'expected at least one instance, received []');
  if (instances.length > limits.maxInstances) throw new InstanceError('instances', `expected at most ${limits.maxInstances} instances, received ${instances.length}`);
  return instances.map((instance, i) => instanceToRow(transform, instance, `instances[${i}]`));
}
