// Drift knobs of the synthetic generator: how a generated table departs from the learned model, so that drift
// and skew detection can be tested against a known, sized change.
//   scale / shift   a numeric column becomes value * scale + shift (then rounded to the column's resolution),
//                   applied last: only that column moves (trip_miles * 1.3 leaves fare alone);
//   mix             named categories of payment_type / company get exactly these shares (new names are unseen
//                   categories); the other categories share the rest in their learned proportions;
//   missing         each value of the column is additionally set to NULL with this probability;
//   year            every trip starts in this year (months, weekdays and hours keep their mix).
import { z } from 'zod';
import { zodProblems } from '../executor/errors.ts';
import { TAXI_COLUMNS } from './public-data.ts';
import type { Distribution, TaxiTripModel } from './synthetic-model.ts';

export const DRIFT_NUMERIC_COLUMNS = ['trip_seconds', 'trip_miles', 'fare', 'tips', 'pickup_latitude', 'pickup_longitude', 'dropoff_latitude', 'dropoff_longitude'] as const;
export const DRIFT_MIX_COLUMNS = ['payment_type', 'company'] as const;
const COLUMN_NAMES = TAXI_COLUMNS.map(([name]) => name) as [typeof TAXI_COLUMNS[number][0], ...typeof TAXI_COLUMNS[number][0][]];

export const taxiDriftSchema = z.object({
  scale: z.partialRecord(z.enum(DRIFT_NUMERIC_COLUMNS), z.number().positive()).optional(),
  shift: z.partialRecord(z.enum(DRIFT_NUMERIC_COLUMNS), z.number()).optional(),
  mix: z.partialRecord(z.enum(DRIFT_MIX_COLUMNS), z.record(z.string().min(1), z.number().min(0).max(1))).optional(),
  missing: z.partialRecord(z.enum(COLUMN_NAMES), z.number().min(0).max(1)).optional(),
  year: z.int().min(1900).max(2200).optional(),
}).strict();

export type TaxiDrift = z.infer<typeof taxiDriftSchema>;

const round6 = (x: number) => Number(x.toPrecision(6));

export class TaxiDriftError extends Error {
  override name = 'TaxiDriftError';
}

/** Validates a drift description; errors name the knob and the value. */
export function parseTaxiDrift(value: unknown): TaxiDrift {
  const r = taxiDriftSchema.safeParse(value ?? {}, { reportInput: true });
  if (!r.success) throw new TaxiDriftError(zodProblems('drift', r.error, value).join('\n'));
  for (const [column, shares] of Object.entries(r.data.mix ?? {})) {
    const sum = Object.values(shares).reduce((a, b) => a + b, 0);
    if (sum > 1 + 1e-9) throw new TaxiDriftError(`drift.mix.${column}: shares add up to ${round6(sum)}, more than 1`);
  }
  return r.data;
}

/**
 * `key=value` arguments (the CLI's `--drift`) as a drift description: `year=2020`, `scale.trip_miles=1.3`,
 * `shift.fare=2`, `missing.company=0.1`, `mix.payment_type.Mobile=0.2` (the category is everything after the
 * second dot, so names may contain dots and spaces).
 */
export function parseTaxiDriftArgs(args: readonly string[]): TaxiDrift {
  const drift: Record<string, unknown> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq);
    const text = eq < 0 ? '' : arg.slice(eq + 1).trim();
    const value = Number(text);
    if (eq < 0 || text === '' || !Number.isFinite(value)) throw new TaxiDriftError(`--drift ${arg}: expected <knob>=<number> (e.g. scale.trip_miles=1.3)`);
    const [knob, column, ...rest] = key.split('.');
    if (knob === 'year' && column === undefined) drift['year'] = value;
    else if ((knob === 'scale' || knob === 'shift' || knob === 'missing') && column && rest.length === 0) {
      drift[knob] = { ...(drift[knob] as object | undefined), [column]: value };
    } else if (knob === 'mix' && column && rest.length > 0) {
      const mix = (drift['mix'] ?? {}) as Record<string, Record<string, number>>;
      mix[column] = { ...mix[column], [rest.join('.')]: value };
      drift['mix'] = mix;
    } else {
      throw new TaxiDriftError(`--drift ${arg}: unknown knob "${key}" (year, scale.<column>, shift.<column>, missing.<column>, mix.<column>.<category>)`);
    }
  }
  return parseTaxiDrift(drift);
}

/** The model with the drift's distribution changes (mix, year) applied; scale/shift/missing act on the output. */
export function applyTaxiDrift(model: TaxiTripModel, drift: TaxiDrift): TaxiTripModel {
  const out = structuredClone(model);
  if (drift.year !== undefined) {
    const byMonth = new Map<number, number>();
    model.yearMonth.values.forEach((v, i) => byMonth.set(v.month, (byMonth.get(v.month) ?? 0) + model.yearMonth.weights[i]!));
    const months = [...byMonth.keys()].sort((a, b) => a - b);
    out.yearMonth = { values: months.map((month) => ({ year: drift.year!, month })), weights: months.map((m) => byMonth.get(m)!) };
  }
  if (drift.mix?.payment_type) out.payment = remix(model.payment, drift.mix.payment_type, 'payment_type');
  if (drift.mix?.company) out.company = remix(model.company, drift.mix.company, 'company');
  return out;
}

function remix(dist: Distribution<string | null>, shares: Record<string, number>, column: string): Distribution<string | null> {
  const named = Object.keys(shares);
  const sum = named.reduce((a, k) => a + shares[k]!, 0);
  const rest = dist.values.map((v, i) => [v, dist.weights[i]!] as const).filter(([v]) => v === null || !(v in shares));
  const restTotal = rest.reduce((a, [, w]) => a + w, 0);
  if (sum < 1 - 1e-9 && restTotal === 0) {
    throw new TaxiDriftError(`drift.mix.${column}: shares add up to ${round6(sum)} and no other category is left to take the remaining ${round6(1 - sum)}`);
  }
  const scale = restTotal > 0 ? Math.max(0, 1 - sum) / restTotal : 0;
  return {
    values: [...rest.map(([v]) => v), ...named],
    weights: [...rest.map(([, w]) => w * scale), ...named.map((k) => shares[k]!)],
  };
}
