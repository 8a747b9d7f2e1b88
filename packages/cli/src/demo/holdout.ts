// The fixed holdout the demo scores every candidate and every best model on: the test split of a dataset the data
// pipeline registered (raw rows as serving receives them, labels from the transformed split, row for row), scored
// as serving would, through each model folder's own bundled transform.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { uriToLocalPath } from '@formalize/common';
import type { Tf } from '@formalize/common/model';

export interface Holdout {
  labels: Uint8Array;
  rows: Record<string, unknown>[];
}

const metadataPath = (metadata: Record<string, unknown>, key: string): string => {
  const v = metadata[key];
  if (typeof v !== 'string' || v === '') throw new Error(`holdout dataset: metadata.${key} is not a URI (${JSON.stringify(v)})`);
  return uriToLocalPath(v);
};

/** The holdout's test rows: `exported_jsonl_prefix` (raw) and `<transformed_data_prefix>/test` (labels). */
export async function readHoldout(metadata: Record<string, unknown>): Promise<Holdout> {
  const { listShards, readTransformedRows } = await import('@formalize/common/transform');
  const labelColumn = String(metadata['label_column']);
  const labels: number[] = [];
  for await (const row of readTransformedRows(join(metadataPath(metadata, 'transformed_data_prefix'), 'test'))) labels.push(Number(row[labelColumn]));
  const rows: Record<string, unknown>[] = [];
  for (const file of await listShards(metadataPath(metadata, 'exported_jsonl_prefix'), 'jsonl')) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) if (line.trim() !== '') rows.push(JSON.parse(line) as Record<string, unknown>);
  }
  if (rows.length !== labels.length || rows.length === 0) throw new Error(`holdout dataset: ${rows.length} raw test rows for ${labels.length} labels`);
  if (labels.some((y) => y !== 0 && y !== 1)) throw new Error(`holdout dataset: the label ${labelColumn} is not 0/1`);
  return { labels: Uint8Array.from(labels), rows };
}

/** A scorer of model folders on the holdout; TF.js loads once (the fastest backend available). */
export async function holdoutScorer(holdout: Holdout): Promise<(modelDir: string) => Promise<number>> {
  const [{ loadTf, loadModelBundle, predictRows }, { applyTransform }, { rocAuc }] = await Promise.all([
    import('@formalize/common/model'), import('@formalize/common/transform'), import('@formalize/common/metrics'),
  ]);
  const { tf } = await loadTf();
  return async (modelDir) => {
    const bundle = await loadModelBundle(tf as Tf, modelDir);
    try {
      const scores = predictRows(tf, bundle.model, bundle.spec, holdout.rows.map((r) => applyTransform(bundle.transform, r)));
      const auc = rocAuc(holdout.labels, scores);
      if (auc === null) throw new Error('holdout: its test rows hold one label only');
      return auc;
    } finally {
      bundle.model.dispose();
    }
  };
}
