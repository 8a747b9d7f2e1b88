// Vocabularies as TFT computes them: the warehouse's token counts + TFT's filter and order reproduce, byte for
// byte, the vocabulary files TFX's Transform wrote for payment_type and company over csv_example_gen/train.csv.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckdbWarehouse, duckdbDialect as d, parseTableRef } from '@formalize/common/warehouse';
import { tokenCounts } from '../src/analyze.ts';
import { isVocabularyToken, orderVocabulary } from '../src/vocabulary.ts';

const TESTDATA = join(import.meta.dirname, '../../../../shared/conformance/tfx-taxi/components/testdata');
const ASSETS = join(TESTDATA, 'transform/transform_graph/transform_fn/assets');

describe('TFT vocabulary order', () => {
  it('most frequent first; equal counts: the larger UTF-8 byte string first', () => {
    expect(orderVocabulary([
      { token: 'b', count: 2 }, { token: 'a', count: 2 }, { token: 'z', count: 1 }, { token: 'é', count: 1 }, { token: 'Z', count: 1 }, { token: 'c', count: 3 },
    ])).toEqual(['c', 'b', 'a', 'é', 'z', 'Z']);
  });

  it('drops what a vocabulary file cannot hold: empty tokens and tokens with a line break', () => {
    expect(orderVocabulary([{ token: '', count: 9 }, { token: 'a\nb', count: 9 }, { token: 'c\r', count: 9 }, { token: 'ok', count: 1 }])).toEqual(['ok']);
    expect(['', 'x', 'x\n', '\rx', ' '].map(isVocabularyToken)).toEqual([false, true, false, false, true]);
  });

  it('reproduces the TFX testdata vocabularies of payment_type and company exactly', async () => {
    const wh = await DuckdbWarehouse.open({ dir: await mkdtemp(join(tmpdir(), 'vocab-')), writeProjects: ['tfx'] });
    try {
      const ref = parseTableRef('tfx.taxi.train');
      // Empty CSV cells are missing values in these examples (TFX <= 0.22 encoding): NULL here.
      await wh.createTableAs(ref, `SELECT * FROM read_csv(${d.literal(join(TESTDATA, 'csv_example_gen/train.csv'))}, header = true)`);
      expect((await wh.getTable(ref))?.numRows).toBe(9909);
      const [payment, company] = await tokenCounts(wh, d.table(ref), [{ name: 'payment_type', type: 'STRING' }, { name: 'company', type: 'STRING' }]);
      const file = async (name: string) => (await readFile(join(ASSETS, name), 'utf8')).split('\n').filter((l) => l !== '');
      expect(orderVocabulary(payment!)).toEqual(await file('vocab_compute_and_apply_vocabulary_vocabulary'));
      expect(orderVocabulary(company!)).toEqual(await file('vocab_compute_and_apply_vocabulary_1_vocabulary'));
      expect(orderVocabulary(company!)).toHaveLength(53);
      // Integers are counted by their decimal form: '9' sorts above '10' at equal counts.
      const [hours] = await tokenCounts(wh, d.table(ref), [{ name: 'trip_start_hour', type: 'INT64' }]);
      const vocab = orderVocabulary(hours!);
      expect(vocab).toHaveLength(24);
      expect(vocab.every((t) => /^\d+$/.test(t))).toBe(true);
      const count = new Map(hours!.map((h) => [h.token, h.count]));
      for (let i = 1; i < vocab.length; i++) {
        const [a, b] = [count.get(vocab[i - 1]!)!, count.get(vocab[i]!)!];
        expect(a > b || (a === b && Buffer.compare(Buffer.from(vocab[i - 1]!), Buffer.from(vocab[i]!)) > 0)).toBe(true);
      }
    } finally {
      await wh.close();
    }
  });
});
