// Entry points of the IR validator: proto3-JSON check against pipeline_spec.proto, then the structural rules.
import type { PipelineSpec } from '@formalize/common';
import type { Issue } from './issues.ts';
import { IrValidationError } from './issues.ts';
import { checkProtoJson, isPlainObject } from './proto-json.ts';
import { irMessageType } from './proto-schema.ts';
import type { LSpec } from './shape.ts';
import { checkStructure } from './structure.ts';

export interface ValidateOptions {
  /** The optional second YAML document (`ml_pipelines.PlatformSpec`); its issues are reported under `platformSpec.`. */
  platformSpec?: unknown;
  /** Names the document in the error message (a file path or URL). */
  source?: string;
}

function analyze(doc: unknown, opts: ValidateOptions): { issues: Issue[]; spec: LSpec | undefined } {
  const top = checkProtoJson(doc, irMessageType('ml_pipelines.PipelineSpec'));
  const issues = [...top.issues];
  if (!isPlainObject(top.value)) return { issues, spec: undefined };
  const spec = top.value;
  // deployment_spec is a google.protobuf.Struct in the proto, but what it holds is a PipelineDeploymentConfig.
  if (spec['deploymentSpec'] !== undefined) {
    const dep = checkProtoJson(spec['deploymentSpec'], irMessageType('ml_pipelines.PipelineDeploymentConfig'), 'deploymentSpec');
    issues.push(...dep.issues);
    if (dep.value === undefined) delete spec['deploymentSpec'];
    else spec['deploymentSpec'] = dep.value;
  }
  if (opts.platformSpec !== undefined) {
    issues.push(...checkProtoJson(opts.platformSpec, irMessageType('ml_pipelines.PlatformSpec'), 'platformSpec').issues);
  }
  // Values that failed the proto check were dropped from the normalised copy; structural findings at, under or
  // just above such a value (e.g. "parameterType is required" after a bad enum) would only repeat them.
  const protoPaths = issues.map((i) => i.path);
  const repeats = (p: string, q: string): boolean => p === q || p.startsWith(`${q}.`) || p.startsWith(`${q}[`) || q.replace(/(?:\.[^.[]*|\[\d+\])$/, '') === p;
  issues.push(...checkStructure(spec as LSpec).filter((i) => !protoPaths.some((q) => repeats(i.path, q))));
  return { issues, spec: spec as LSpec };
}

/** Every issue of an IR document (a PipelineSpec in proto3-JSON form, e.g. parsed from YAML); [] when valid. */
export function checkIr(doc: unknown, opts: ValidateOptions = {}): Issue[] {
  return analyze(doc, opts).issues;
}

/**
 * Validates an IR document and returns it normalised (JSON field names, enum names, no nulls).
 * Throws IrValidationError listing every issue.
 */
export function validateIr(doc: unknown, opts: ValidateOptions = {}): PipelineSpec {
  const { issues, spec } = analyze(doc, opts);
  if (issues.length || !spec) throw new IrValidationError(issues, opts.source ?? 'IR document');
  return spec as PipelineSpec;
}
