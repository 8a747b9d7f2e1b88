// Loads what the user points at: a TypeScript pipeline spec (its default export, compiled here) or a
// compiled IR YAML file, validated against the KFP IR either way.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseIrYaml, type PipelineSpec } from '@formalize/common';
import { validateIr } from '@formalize/dsl';
import { UsageError } from './errors.ts';

/** What `pipeline(...)` of @formalize/dsl returns, as far as compiling goes. */
export interface CompilablePipeline {
  readonly pipelineName: string;
  compile(): PipelineSpec;
}

function isCompilable(v: unknown): v is CompilablePipeline {
  return (typeof v === 'function' || (typeof v === 'object' && v !== null))
    && typeof (v as Partial<CompilablePipeline>).pipelineName === 'string'
    && typeof (v as Partial<CompilablePipeline>).compile === 'function';
}

function existing(file: string): string {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`${file}: no such file`);
  return path;
}

/** Imports a spec module; its default export must be a DSL pipeline. */
export async function loadPipelineModule(file: string): Promise<CompilablePipeline> {
  const path = existing(file);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (err) {
    throw new UsageError(`${file}: cannot load the spec: ${(err as Error).message}`);
  }
  if (!isCompilable(mod.default)) {
    throw new UsageError(`${file}: the default export is not a pipeline (expected \`export default pipeline({ name, ... }, ...)\` from @formalize/dsl)`);
  }
  return mod.default;
}

/** Compiles a pipeline, reporting DSL errors as bad input. */
export function compileSpec(p: CompilablePipeline, file: string): PipelineSpec {
  try {
    return p.compile();
  } catch (err) {
    throw new UsageError(`${file}: pipeline '${p.pipelineName}' does not compile: ${(err as Error).message}`);
  }
}

/** A `.ts` spec (compiled) or a `.yaml`/`.yml` IR file, validated. */
export async function loadPipelineSpec(file: string): Promise<PipelineSpec> {
  const ext = extname(file).toLowerCase();
  if (ext === '.ts' || ext === '.mts') {
    const p = await loadPipelineModule(file);
    return validateIr(compileSpec(p, file), { source: file });
  }
  if (ext !== '.yaml' && ext !== '.yml') throw new UsageError(`${file}: expected a pipeline spec (.ts) or compiled IR (.yaml, .yml)`);
  const text = await readFile(existing(file), 'utf8');
  let documents: unknown[];
  try {
    ({ documents } = parseIrYaml(text));
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  if (!documents.length) throw new UsageError(`${file}: empty file`);
  return validateIr(documents[0], { source: file, ...(documents[1] !== undefined ? { platformSpec: documents[1] } : {}) });
}
