// Analyze: the constants of the transform, computed in the warehouse on the train split only (as TFT's
// AnalyzeAndTransformDataset on train), in two scans: rows per split, NULL labels and the moments of the
// numeric features; then the token counts of every categorical feature. The split is the hash split's SQL, so
// "train" here is exactly the rows the engine later writes to train.
import { ContractError, describeValue } from '@formalize/common';
import type { SplitDefinition, SplitName } from '@formalize/common/transform';
import { SPLIT_NAMES, splitDialectFor } from '@formalize/common/transform';
import type { TableRef, Warehouse } from '@formalize/common/warehouse';
import type { Column, PreprocessPlan } from './plan.ts';
import type { TokenCount } from './vocabulary.ts';
import { orderVocabulary } from './vocabulary.ts';

export interface Moments {
  /** Non-NULL train values. */
  readonly count: number;
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
}

export interface Analysis {
  readonly rows: Readonly<Record<SplitName, number>>;
  readonly moments: ReadonlyMap<string, Moments>;
  readonly vocabularies: ReadonlyMap<string, readonly string[]>;
}

const P = 'inputs.parameterValues';
/** The helper column added to the table's own in analysis and engine queries. */
export const BUCKET_COLUMN = '__formalize_bucket';

/** `(SELECT *, <bucket> AS __formalize_bucket FROM <table>)`: the table with each row's split bucket. */
export function bucketedTable(wh: Warehouse, table: TableRef, split: SplitDefinition): string {
  return `(SELECT *, ${splitDialectFor(wh.dialect.name).bucket(split)} AS ${wh.dialect.ident(BUCKET_COLUMN)} FROM ${wh.dialect.table(table)})`;
}

function trainFilter(wh: Warehouse, def: SplitDefinition): string {
  const b = wh.dialect.ident(BUCKET_COLUMN);
  const [from, to] = def.ranges.train;
  return `${b} >= ${from} AND ${b} < ${to}`;
}

export async function analyze(wh: Warehouse, plan: PreprocessPlan): Promise<Analysis> {
  if (wh.dialect.name !== 'duckdb') throw new Error(`analyze: no analysis SQL for the ${wh.dialect.name} warehouse in this build`);
  const rows = await splitStatistics(wh, plan);
  const vocabularies = await countTokens(wh, plan);
  return { ...rows, vocabularies };
}

async function splitStatistics(wh: Warehouse, plan: PreprocessPlan): Promise<Pick<Analysis, 'rows' | 'moments'>> {
  const d = wh.dialect;
  const label = d.ident(plan.label.name);
  const perFeature = plan.numeric.map((c, i) => {
    const x = d.ident(c.name);
    // Moments over finite values only: DuckDB's stddev_pop raises on NaN/inf, which are reported below instead.
    const finite = c.type === 'FLOAT64' ? ` FILTER (WHERE isfinite(${x}))` : '';
    return `count(${x})${finite} AS c${i}, avg(${x})${finite} AS m${i}, stddev_pop(${x})${finite} AS s${i}, `
      + `count(*) FILTER (WHERE ${c.type === 'FLOAT64' ? `NOT isfinite(${x})` : 'false'}) AS nf${i}`;
  });
  const split = splitDialectFor(d.name).split(plan.split, d.ident(BUCKET_COLUMN));
  const result = await wh.query(`SELECT ${split} AS split, count(*) AS n, count(*) FILTER (WHERE ${label} IS NULL) AS label_nulls${perFeature.map((f) => `, ${f}`).join('')}
    FROM ${bucketedTable(wh, plan.table, plan.split)} GROUP BY ALL`);
  const bySplit = new Map(result.map((r) => [String(r['split']) as SplitName, r]));
  const rows = Object.fromEntries(SPLIT_NAMES.map((s) => [s, Number(bySplit.get(s)?.['n'] ?? 0)])) as Record<SplitName, number>;
  const total = SPLIT_NAMES.reduce((n, s) => n + rows[s], 0);
  const counts = SPLIT_NAMES.map((s) => `${s} ${rows[s]}`).join(', ');
  const problems: string[] = [];
  const empty = SPLIT_NAMES.filter((s) => rows[s] === 0);
  if (empty.length) {
    const pct = SPLIT_NAMES.map((s) => plan.split.ranges[s][1] - plan.split.ranges[s][0]).join('/');
    problems.push(`${P}.bq_table: the ${empty.join(' and ')} split${empty.length > 1 ? 's are' : ' is'} empty: ${plan.tableName} has ${total} rows, split ${pct} by the hash into ${counts}; every split needs at least one row, received ${describeValue(plan.tableName)}`);
  }
  const labelNulls = result.reduce((n, r) => n + Number(r['label_nulls']), 0);
  if (labelNulls > 0) problems.push(`${P}.label_column: ${labelNulls} rows of ${plan.tableName} have a NULL label, received ${describeValue(plan.label.name)}`);
  const train = bySplit.get('train');
  const moments = new Map<string, Moments>();
  for (const [i, c] of plan.numeric.entries()) {
    const field = `${P}.numeric_features[${i}]`;
    const nonFinite = result.reduce((n, r) => n + Number(r[`nf${i}`]), 0);
    if (nonFinite > 0) {
      const [example] = await wh.query(`SELECT ${d.ident(c.name)} AS v FROM ${d.table(plan.table)} WHERE NOT isfinite(${d.ident(c.name)}) LIMIT 1`);
      problems.push(`${field}: column ${c.name} has ${nonFinite} non-finite values in ${plan.tableName} (e.g. ${describeValue(example?.['v'])}), received ${describeValue(c.name)}`);
      continue;
    }
    const count = Number(train?.[`c${i}`] ?? 0);
    if (train && count === 0) {
      problems.push(`${field}: column ${c.name} has no non-NULL value in the train split (${rows.train} rows), received ${describeValue(c.name)}`);
      continue;
    }
    if (train) moments.set(c.name, { count, mean: Number(train[`m${i}`]), std: Number(train[`s${i}`]) });
  }
  if (problems.length) throw new ContractError(problems);
  return { rows, moments };
}

async function countTokens(wh: Warehouse, plan: PreprocessPlan): Promise<Map<string, string[]>> {
  const train = `(SELECT * FROM ${bucketedTable(wh, plan.table, plan.split)} WHERE ${trainFilter(wh, plan.split)})`;
  const counts = await tokenCounts(wh, train, plan.categorical);
  return new Map(plan.categorical.map((c, i) => [c.name, orderVocabulary(counts[i]!)]));
}

/**
 * Token counts of each column over the rows of `from` (a table or subquery), NULLs excluded. One scan for all
 * columns: UNPIVOT turns each row into (column, token) pairs; integers are counted by their decimal form, as
 * TFT vocabularies hold them.
 */
export async function tokenCounts(wh: Warehouse, from: string, columns: readonly Column[]): Promise<TokenCount[][]> {
  const counts = columns.map(() => [] as TokenCount[]);
  if (columns.length === 0) return counts;
  const d = wh.dialect;
  const casts = columns.map((c, i) => `${d.toString(d.ident(c.name))} AS v${i}`).join(', ');
  const on = columns.map((_, i) => `v${i}`).join(', ');
  const result = await wh.query(`SELECT name, value, count(*) AS n FROM (UNPIVOT (SELECT ${casts} FROM ${from}) ON ${on} INTO NAME name VALUE value) GROUP BY ALL`);
  for (const r of result) counts[Number(String(r['name']).slice(1))]!.push({ token: String(r['value']), count: Number(r['n']) });
  return counts;
}
