// The split as the component runs it on the seed's feature table: the default key, the component's own DuckDB
// SQL agreeing with the TypeScript function on every row, the same buckets in another process with another
// locale, time zone and thread count, and the BigQuery SQL printed in the README being what the code generates.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SplitDefinition } from '@formalize/common/transform';
import { bigquerySplit, splitBucket } from '@formalize/common/transform';
import type { Row } from '@formalize/common/warehouse';
import { DuckdbWarehouse, parseTableRef } from '@formalize/common/warehouse';
import { BUCKET_COLUMN, bucketedTable } from '../src/analyze.ts';
import { makePlan } from '../src/plan.ts';
import { CATEGORICAL, FEATURES_TABLE, LABEL, NUMERIC, PKG, makeWarehouse } from './helpers.ts';

let warehouse: string;
let def: SplitDefinition;
let rows: Row[];

const INPUTS = { numeric_features: NUMERIC, categorical_features: CATEGORICAL, label_column: LABEL, split_key_columns: [], split_percentages: [80, 10, 10], embedding_threshold: 10, rows_per_shard: 1000 };

beforeAll(async () => {
  warehouse = await makeWarehouse();
  const wh = await DuckdbWarehouse.open({ dir: warehouse });
  try {
    const info = (await wh.getTable(parseTableRef(FEATURES_TABLE)))!;
    def = (await makePlan(wh, info, INPUTS)).split;
    rows = await wh.query(`SELECT * FROM ${bucketedTable(wh, info.ref, def)}`);
  } finally {
    await wh.close();
  }
});

/** The BigQuery query the README shows: the split of every row of the taxi feature table. */
export function documentedQuery(split: SplitDefinition): string {
  return [
    `SELECT *, ${bigquerySplit.split(split, 'bucket')} AS split`,
    `FROM (SELECT *, ${bigquerySplit.bucket(split)} AS bucket`,
    'FROM `my-project.chicago_taxi_trips.taxi_trips`)',
  ].join('\n');
}

describe('the split of the feature table', () => {
  it('keys on every feature and the label, sorted by name, with the table types', () => {
    expect(def.keyColumns).toEqual([
      { name: 'dropoff_grid', type: 'STRING' }, { name: 'euclidean', type: 'FLOAT64' }, { name: 'loc_cross', type: 'STRING' },
      { name: 'payment_type', type: 'STRING' }, { name: 'pickup_grid', type: 'STRING' }, { name: 'tip_bin', type: 'INT64' },
      { name: 'trip_day', type: 'INT64' }, { name: 'trip_day_of_week', type: 'INT64' }, { name: 'trip_hour', type: 'INT64' },
      { name: 'trip_miles', type: 'FLOAT64' }, { name: 'trip_month', type: 'INT64' }, { name: 'trip_seconds', type: 'FLOAT64' },
    ]);
    expect(def.ranges).toEqual({ train: [0, 80], val: [80, 90], test: [90, 100] });
  });

  it('the component\'s DuckDB SQL and the TypeScript function agree on every row', () => {
    expect(rows).toHaveLength(10503);
    const disagree = rows.filter((r) => splitBucket(def, r) !== r[BUCKET_COLUMN]);
    expect(disagree).toEqual([]);
  });

  it('gives the same buckets in another process (other locale, time zone, one DuckDB thread)', () => {
    const script = `
      import { DuckdbWarehouse, parseTableRef } from '@formalize/common/warehouse';
      import { splitBucket } from '@formalize/common/transform';
      import { bucketedTable } from ${JSON.stringify(join(PKG, 'src/analyze.ts'))};
      const def = ${JSON.stringify(def)};
      const wh = await DuckdbWarehouse.open({ dir: ${JSON.stringify(warehouse)}, threads: 1 });
      const rows = await wh.query('SELECT * FROM ' + bucketedTable(wh, parseTableRef(${JSON.stringify(FEATURES_TABLE)}), def));
      await wh.close();
      process.stdout.write(JSON.stringify(rows.map((r) => [r.${BUCKET_COLUMN}, splitBucket(def, r)])));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PKG, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, TZ: 'Pacific/Chatham', LANG: 'tr_TR.UTF-8', LC_ALL: 'tr_TR.UTF-8' },
    });
    expect(r.stderr).toBe('');
    const there = JSON.parse(r.stdout) as [number, number][];
    expect(there).toEqual(rows.map((row) => [row[BUCKET_COLUMN], row[BUCKET_COLUMN]]));
  });

  it('the README documents exactly the BigQuery SQL the code generates', async () => {
    const readme = await readFile(join(PKG, 'README.md'), 'utf8');
    const block = /<!-- split-sql:bigquery:start -->\n```sql\n([\s\S]*?)\n```\n<!-- split-sql:bigquery:end -->/.exec(readme);
    expect(block?.[1]).toBe(documentedQuery(def));
  });
});
