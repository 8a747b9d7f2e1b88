// Type compatibility of wired values, with the leniencies KFP itself applies.
import type { JsonValue } from '@formalize/common';

const NUMERIC = new Set(['NUMBER_INTEGER', 'NUMBER_DOUBLE']);

/**
 * Whether a parameter of type `given` may feed an input of type `expected`. Numbers are one family
 * (google.protobuf.Value stores every number as a double); a task's final status is a struct, which is how
 * the SDK types PipelineTaskFinalStatus everywhere but the exit task's own input.
 */
export function parameterTypesCompatible(given: string, expected: string): boolean {
  return given === expected || (NUMERIC.has(given) && NUMERIC.has(expected)) || (given === 'TASK_FINAL_STATUS' && expected === 'STRUCT');
}

export interface ArtifactKind { schemaTitle?: string; schemaVersion?: string; isArtifactList?: boolean }

/** KFP `check_artifact_type_compatibility`: system.Artifact on either side matches anything, else same title and major version. */
export function artifactTypesCompatible(given: ArtifactKind, expected: ArtifactKind): boolean {
  const g = given.schemaTitle;
  const e = expected.schemaTitle;
  if (g === undefined || e === undefined || g === 'system.Artifact' || e === 'system.Artifact') return true;
  const major = (v?: string): string => (v ?? '0').split('.')[0]!;
  return g === e && major(given.schemaVersion) === major(expected.schemaVersion);
}

export function artifactLabel(a: ArtifactKind): string {
  const t = a.schemaTitle ?? 'artifact';
  return a.isArtifactList ? `List[${t}]` : t;
}

/**
 * Why a constant (runtimeValue or defaultValue) does not fit a parameter type, or undefined when it fits.
 * Strings holding `{{$...}}` placeholders are resolved at run time and are not judged here.
 */
export function constantMismatch(value: JsonValue, type: string): string | undefined {
  if (typeof value === 'string' && value.includes('{{$')) return undefined;
  const ok = (() => {
    switch (type) {
      case 'STRING': return typeof value === 'string';
      case 'NUMBER_DOUBLE': return typeof value === 'number';
      case 'NUMBER_INTEGER': return typeof value === 'number' && Number.isSafeInteger(value);
      case 'BOOLEAN': return typeof value === 'boolean';
      case 'LIST': return Array.isArray(value);
      case 'STRUCT': return typeof value === 'object' && value !== null && !Array.isArray(value);
      case 'TASK_FINAL_STATUS':
      case 'TASK_CONFIG': return false;
      default: return true;
    }
  })();
  if (ok) return undefined;
  const shown = JSON.stringify(value);
  return `${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown} is not a valid ${type} value`;
}
