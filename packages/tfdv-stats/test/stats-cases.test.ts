// TFDV's own statistics expectations (shared/conformance/tfdv/cases/stats.*.json, extracted from TFDV's tests):
// each case's input becomes a warehouse table, our statistics are compared with TFDV's rule
// (assertProtoEqual(normalize_numbers=True, relative_tolerance=1e-4)), histograms included where the case checks them.
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromJson, toJson } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckdbWarehouse } from '@formalize/common/warehouse';
import { loadCsv } from '../src/io/csv-loader.ts';
import { DatasetFeatureStatisticsListSchema, FeatureNameStatisticsSchema } from '../src/protos.ts';
import { generateStatistics } from '../src/stats/generate.ts';
import type { StatsOptionsInput } from '../src/stats/options.ts';
import type { CellValue, Json, ListColumn } from './stats-helpers.ts';
import { dropKeys, loadLists, openScratchWarehouse, protoDiff, testTable } from './stats-helpers.ts';

const CASES = '/work/shared/conformance/tfdv/cases';

interface Case {
  id: string;
  call: string;
  params: Record<string, number>;
  inputs: {
    csv?: string;
    record_batches?: Record<string, (CellValue[] | string | null)[]>[];
    examples?: Record<string, Record<string, CellValue[]>>[];
    schema?: { json: { feature: { name: string; type: string; intDomain?: { isCategorical?: boolean } }[] } };
  };
  expected: { statistics?: { json: Json }; feature_statistics?: Record<string, { json: Json }> };
  comparison: string;
}

// Record batches hold Python floats and ints; JSON.parse would make 1.0 an integer, so the inputs are parsed
// keeping the source text of each number (a float is written with a point or an exponent).
const FLOAT = 'float:';
function parseCase(text: string): Case {
  const c = JSON.parse(text) as Case;
  const keepFloats = (_: string, v: unknown, ctx?: { source?: string }) => (typeof v === 'number' && /[.eE]/.test(ctx?.source ?? '') ? `${FLOAT}${ctx!.source}` : v);
  c.inputs = (JSON.parse(text, keepFloats as (k: string, v: unknown) => unknown) as Case).inputs;
  return c;
}

const cases: Case[] = readdirSync(CASES).filter((f) => f.startsWith('stats.')).sort()
  .map((f) => parseCase(readFileSync(join(CASES, f), 'utf8')));

let wh: DuckdbWarehouse;
beforeAll(async () => {
  wh = await openScratchWarehouse();
});
afterAll(async () => {
  await wh.close();
});

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** `linspace(a,b,n) int64` in the e2e cases stands for numpy's integer linspace, one example's value list. */
function expand(cell: CellValue[] | string | null): CellValue[] | null {
  if (typeof cell !== 'string') return cell;
  const m = /^linspace\((\d+),(\d+),(\d+)\) int64$/.exec(cell);
  if (!m) throw new Error(`unknown record batch cell ${cell}`);
  const [a, b, n] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return Array.from({ length: n }, (_, i) => Math.floor(a + ((b - a) * i) / (n - 1)));
}

/** Arrow's type of a record-batch column: float64 for Python floats (and NaN/inf), int64 for ints, else strings. */
function arrowType(values: (CellValue[] | null)[]): string {
  const flat = values.flatMap((v) => v ?? []);
  const float = (x: CellValue) => typeof x === 'string' && (x.startsWith(FLOAT) || /^(NaN|-?Infinity)$/.test(x));
  if (flat.some((x) => typeof x === 'string' && !float(x))) return 'VARCHAR';
  return flat.some(float) ? 'DOUBLE' : 'BIGINT';
}

const unmark = (values: (CellValue[] | null)[]) => values.map((v) => v?.map((x) => (typeof x === 'string' && x.startsWith(FLOAT) ? Number(x.slice(FLOAT.length)) : x)) ?? null);

async function load(c: Case): Promise<void> {
  const ref = testTable(c.id.replaceAll('.', '_'));
  if (c.inputs.csv !== undefined) {
    const path = join(tmpdir(), `${c.id}-${process.pid}.csv`);
    await writeFile(path, c.inputs.csv);
    await loadCsv(wh, ref, path);
    return;
  }
  const columns: ListColumn[] = [];
  if (c.inputs.record_batches) {
    const names = [...new Set(c.inputs.record_batches.flatMap((b) => Object.keys(b)))];
    for (const name of names) {
      const values = c.inputs.record_batches.flatMap((b) => (b[name] ?? []).map(expand));
      columns.push({ name, type: arrowType(values), values: unmark(values) });
    }
  } else {
    // tf.Example: float_list is float32, int64_list int64, bytes_list bytes; an absent feature is missing.
    const examples = c.inputs.examples!;
    const names = [...new Set(examples.flatMap((e) => Object.keys(e)))];
    for (const name of names) {
      const kind = Object.keys(examples.find((e) => e[name])![name]!)[0]!;
      const type = kind === 'float_list' ? 'FLOAT' : kind === 'int64_list' ? 'BIGINT' : 'VARCHAR';
      columns.push({ name, type, values: unmark(examples.map((e) => e[name]?.[kind] ?? null)) });
    }
  }
  await loadLists(wh, ref, columns);
}

function optionsOf(c: Case): StatsOptionsInput {
  const opts: Record<string, unknown> = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [camel(k), v]));
  const categorical = (c.inputs.schema?.json.feature ?? []).filter((f) => f.intDomain?.isCategorical).map((f) => f.name);
  if (categorical.length) opts['categoricalFeatures'] = categorical;
  const allow = /feature_allowlist=\[([^\]]*)\]/.exec(c.call);
  if (allow) opts['featureAllowlist'] = [...allow[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
  return opts as StatsOptionsInput;
}

// check_histograms=False in TFDV's test utilities clears these on both sides.
const HISTOGRAMS = ['histograms', 'numValuesHistogram', 'featureListLengthHistogram'];
// The basic_* cases run BasicStatsGenerator alone, without the top-k/uniques generator.
const TOP_K = ['unique', 'topValues', 'rankHistogram', 'weightedStringStats'];

describe('TFDV statistics cases', () => {
  it('covers all 10 stats cases', () => {
    expect(cases.map((c) => c.id)).toHaveLength(10);
  });

  for (const c of cases) {
    it(c.id, async () => {
      await load(c);
      const { statistics } = await generateStatistics(wh, testTable(c.id.replaceAll('.', '_')), optionsOf(c));
      const checkHistograms = /INCLUDING histograms/.test(c.comparison);
      const basicOnly = /only the basic-stats generator/.test(c.call);
      const clean = (j: Json) => dropKeys(dropKeys(j, checkHistograms ? [] : HISTOGRAMS), basicOnly ? TOP_K : []);
      const ours = statistics.datasets[0]!;
      if (c.expected.feature_statistics) {
        for (const [name, e] of Object.entries(c.expected.feature_statistics)) {
          const f = ours.features.find((x) => x.fieldId.case === 'path' && x.fieldId.value.step.join('.') === name);
          expect(f, name).toBeDefined();
          const expected = toJson(FeatureNameStatisticsSchema, fromJson(FeatureNameStatisticsSchema, e.json)) as Json;
          expect(protoDiff(clean(toJson(FeatureNameStatisticsSchema, f!) as Json), clean(expected)), name).toEqual([]);
        }
      } else {
        const expected = fromJson(DatasetFeatureStatisticsListSchema, c.expected.statistics!.json).datasets[0]!;
        expect(ours.numExamples).toBe(expected.numExamples);
        expect(ours.features.map((f) => f.fieldId.value).map(String).length).toBe(expected.features.length);
        for (const e of expected.features) {
          const name = e.fieldId.case === 'path' ? e.fieldId.value.step.join('.') : String(e.fieldId.value);
          const f = ours.features.find((x) => x.fieldId.case === 'path' && x.fieldId.value.step.join('.') === name);
          expect(f, name).toBeDefined();
          expect(protoDiff(clean(toJson(FeatureNameStatisticsSchema, f!) as Json), clean(toJson(FeatureNameStatisticsSchema, e) as Json)), name).toEqual([]);
        }
      }
    });
  }
});
