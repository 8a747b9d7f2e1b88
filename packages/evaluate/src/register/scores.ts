// Reads the per-row scores evaluate wrote (scores.jsonl: {"label", "score"} per test row).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContractError, describeValue } from '@formalize/common';
import { SCORES_FILE } from '../evaluate/files.ts';

export async function readScores(dir: string): Promise<{ labels: Uint8Array; scores: Float64Array }> {
  const path = join(dir, SCORES_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ContractError([`inputs.artifacts.scores: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); expected evaluate's scores output`]);
  }
  const lines = text.split('\n').filter((l) => l !== '');
  const labels = new Uint8Array(lines.length);
  const scores = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    let row: { label?: unknown; score?: unknown };
    try {
      row = JSON.parse(line) as typeof row;
    } catch (err) {
      throw new ContractError([`${path}:${i + 1}: not JSON (${(err as Error).message})`]);
    }
    if (row.label !== 0 && row.label !== 1) throw new ContractError([`${path}:${i + 1}: label: expected 0 or 1, received ${describeValue(row.label)}`]);
    if (typeof row.score !== 'number' || !(row.score >= 0 && row.score <= 1)) throw new ContractError([`${path}:${i + 1}: score: expected a probability in [0, 1], received ${describeValue(row.score)}`]);
    labels[i] = row.label;
    scores[i] = row.score;
  });
  if (lines.length === 0) throw new ContractError([`${path}: no scores`]);
  return { labels, scores };
}
