// Compares a compiled pipeline with a KFP SDK golden file structurally. The only differences
// allowed are `sdkVersion` and the command/args of executors that embed Python function source
// (lightweight components), which TypeScript pipelines replace with container components.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { irToYaml, parseIrYaml, type PipelineSpec } from '@formalize/common';

export const CONFORMANCE = resolve(import.meta.dirname, '../../../../../shared/conformance');

export function readGolden(file: string): { spec: PipelineSpec; description?: string } {
  const { documents, description } = parseIrYaml(readFileSync(resolve(CONFORMANCE, file), 'utf8'));
  return description === undefined ? { spec: documents[0] as PipelineSpec } : { spec: documents[0] as PipelineSpec, description };
}

const isPythonExecutor = (e: unknown) => JSON.stringify(e).includes('kfp.dsl.executor_main');

/** Both documents, normalised for comparison; `actual` goes through our YAML writer and back. */
export function normalisedPair(actual: PipelineSpec, goldenFile: string): [unknown, unknown] {
  const golden = structuredClone(readGolden(goldenFile).spec) as PipelineSpec;
  const ours = parseIrYaml(irToYaml(actual)).documents[0] as PipelineSpec;
  for (const doc of [golden, ours]) delete (doc as Partial<PipelineSpec>).sdkVersion;
  for (const [label, e] of Object.entries(golden.deploymentSpec?.executors ?? {})) {
    if (!isPythonExecutor(e)) continue;
    delete e.container!.command;
    delete e.container!.args;
    const mine = ours.deploymentSpec?.executors?.[label]?.container;
    if (mine) {
      delete mine.command;
      delete mine.args;
    }
  }
  return [ours, golden];
}
