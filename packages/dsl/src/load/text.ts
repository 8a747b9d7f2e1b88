// Loading a component from YAML text: KFP v1 component.yaml (top-level `implementation:`) or IR YAML
// (PipelineSpec + optional PlatformSpec), checked before it is returned.
import type { ComponentIR } from '@formalize/common';
import { parseIrYaml, singleComponentPipelineSpec } from '@formalize/common';
import { formatIssues, IrValidationError } from '../validate/issues.ts';
import { isPlainObject } from '../validate/proto-json.ts';
import { checkIr, validateIr } from '../validate/validate.ts';
import { ComponentLoadError } from './errors.ts';
import { componentFromPipelineSpec } from './ir-component.ts';
import { componentFromV1 } from './v1.ts';

// Top-level PipelineSpec fields (JSON and proto names); a document with none of them is not IR.
const IR_KEYS = ['pipelineInfo', 'pipeline_info', 'root', 'components', 'deploymentSpec', 'deployment_spec', 'schemaVersion', 'schema_version'];

function fromV1(doc: Record<string, unknown>, source: string): ComponentIR {
  let component;
  try {
    component = componentFromV1(doc);
  } catch (e) {
    throw new ComponentLoadError(source, `invalid KFP v1 component: ${(e as Error).message}`, { cause: e });
  }
  const issues = checkIr(singleComponentPipelineSpec(component));
  if (issues.length) throw new ComponentLoadError(source, `the KFP v1 component converts to invalid IR:\n${formatIssues(issues)}`, { issues });
  return component;
}

/** Loads a component from YAML text; `source` names it in errors (a path or URL). Throws ComponentLoadError. */
export function loadComponentFromText(text: string, source = 'text'): ComponentIR {
  let parsed;
  try {
    parsed = parseIrYaml(text);
  } catch (e) {
    throw new ComponentLoadError(source, `malformed YAML: ${(e as Error).message.replace(/^invalid YAML: /, '')}`, { cause: e });
  }
  const { documents, description } = parsed;
  if (documents.length === 0) throw new ComponentLoadError(source, 'the file holds no YAML document');
  const first = documents[0];
  if (!isPlainObject(first)) throw new ComponentLoadError(source, 'the first YAML document is not a mapping (expected a PipelineSpec or a KFP v1 component)');
  if ('implementation' in first) {
    if (documents.length > 1) throw new ComponentLoadError(source, `a KFP v1 component is a single YAML document, found ${documents.length}`);
    return fromV1(first, source);
  }
  if (documents.length > 2) throw new ComponentLoadError(source, `expected a PipelineSpec and at most one PlatformSpec document, found ${documents.length} documents`);
  if (!IR_KEYS.some((k) => k in first)) {
    throw new ComponentLoadError(source, `neither a KFP PipelineSpec (no pipelineInfo/root/components) nor a KFP v1 component (no implementation); top-level keys: ${Object.keys(first).join(', ') || 'none'}`);
  }
  try {
    const spec = validateIr(first, { platformSpec: documents[1], source });
    return componentFromPipelineSpec(spec, description);
  } catch (e) {
    if (e instanceof IrValidationError) throw new ComponentLoadError(source, `invalid IR (${e.issues.length} issue${e.issues.length === 1 ? '' : 's'}):\n${formatIssues(e.issues)}`, { issues: e.issues, cause: e });
    throw e;
  }
}
