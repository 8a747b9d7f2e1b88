// Kept vocabularies: the vocabularies of an earlier transform artifact instead of this train split's. Continuous
// training needs them: a base model's one-hot widths and embedding rows are the vocabulary sizes it was built
// for, so a new batch with one rare token more (or less) would no longer fit it. With the kept vocabularies
// tokens they lack map to the OOV index, as they do in serving; the z-score constants are still this split's.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractError, describeValue } from '@formalize/common';
import type { TransformArtifact } from '@formalize/common/transform';
import { readTransformArtifact } from '@formalize/common/transform';
import type { Column } from './plan.ts';

const FIELD = 'inputs.artifacts.vocabulary_source';
/** The name a model folder bundles its transform artifact under (`@formalize/common/model` saveModel). */
export const BUNDLED_TRANSFORM_FILE = 'transform.json';

/** The transform artifact at `path`: the JSON file itself, or a folder that bundles one (a model folder). */
export async function readVocabularySource(path: string): Promise<TransformArtifact> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new ContractError([`${FIELD}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}), received ${describeValue(path)}`]);
  }
  const file = isDir ? join(path, BUNDLED_TRANSFORM_FILE) : path;
  try {
    return await readTransformArtifact(file);
  } catch (err) {
    throw new ContractError([`${FIELD}: expected a transform artifact (or a folder with ${BUNDLED_TRANSFORM_FILE}): ${(err as Error).message}`]);
  }
}

export interface KeptVocabularies {
  readonly vocabularies: ReadonlyMap<string, readonly string[]>;
  /** Per feature, the train-split tokens the kept vocabulary lacks (they map to the OOV index). */
  readonly unseen: Readonly<Record<string, number>>;
}

/**
 * The source's vocabulary for every categorical column; each must be a vocabulary feature of the source with
 * the same type. `counted` (this train split's vocabularies) only measures what the kept ones lack.
 */
export function keepVocabularies(source: TransformArtifact, categorical: readonly Column[], counted: ReadonlyMap<string, readonly string[]>): KeptVocabularies {
  const problems: string[] = [];
  const vocabularies = new Map<string, readonly string[]>();
  const unseen: Record<string, number> = {};
  const available = source.features.filter((f) => f.op === 'vocabulary').map((f) => f.name);
  for (const column of categorical) {
    const f = source.features.find((x) => x.name === column.name);
    if (f?.op !== 'vocabulary') {
      problems.push(`${FIELD}: ${column.name} is no vocabulary feature of the source transform of ${source.source} (it has ${available.join(', ') || 'none'}), received ${describeValue(column.name)}`);
      continue;
    }
    if (f.type !== column.type) {
      problems.push(`${FIELD}: ${column.name} is ${column.type} here but ${f.type} in the source transform of ${source.source}, received ${describeValue(f.type)}`);
      continue;
    }
    vocabularies.set(column.name, f.vocabulary);
    const kept = new Set(f.vocabulary);
    unseen[column.name] = (counted.get(column.name) ?? []).filter((t) => !kept.has(t)).length;
  }
  if (problems.length) throw new ContractError(problems);
  return { vocabularies, unseen };
}
