// Vertex AI's hypertune contract: trial code (cloudml-hypertune's `report_hyperparameter_tuning_metric`) writes
// JSON lines to the file named by CLOUD_ML_HP_METRIC_FILE (default /tmp/hypertune/output.metrics), each with a
// timestamp, the trial id, `global_step` and one `<metric tag>: "<value>"` (values as strings); the file is
// rewritten with the last 100 reports. Each trial here gets its own file, so parallel trials do not clobber one
// another; the study reads it when the trial function resolves without metrics.
import { readFile } from 'node:fs/promises';
import type { Goal } from './study.ts';
import type { TrialMetrics } from './trial.ts';

export const HYPERTUNE_FILE_ENV = 'CLOUD_ML_HP_METRIC_FILE';
export const HYPERTUNE_TRIAL_ENV = 'CLOUD_ML_TRIAL_ID';
export const DEFAULT_HYPERTUNE_FILE = '/tmp/hypertune/output.metrics';
/** cloudml-hypertune's tag when the caller gives none. */
export const DEFAULT_METRIC_TAG = 'training/hptuning/metric';

const RESERVED = new Set(['timestamp', 'trial', 'global_step', 'checkpoint_path']);

export interface Measurement {
  step: number;
  metrics: Record<string, number>;
}

/** The measurements in a hypertune metrics file, one per global_step (reports at one step merged, later wins). */
export function parseHypertuneMetrics(text: string, file = 'hypertune metrics'): Measurement[] {
  const bySteps = new Map<number, Record<string, number>>();
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch (err) {
      throw new Error(`${file}:${i + 1}: malformed JSON (${(err as Error).message})`);
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${file}:${i + 1}: expected a JSON object`);
    const e = entry as Record<string, unknown>;
    const step = Number(e['global_step'] ?? 0);
    const metrics = bySteps.get(step) ?? {};
    for (const [k, v] of Object.entries(e)) {
      if (RESERVED.has(k)) continue;
      const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
      if (Number.isNaN(x) && !(typeof v === 'string' && v.trim().toLowerCase() === 'nan')) {
        throw new Error(`${file}:${i + 1}: metric "${k}" is not a number (${JSON.stringify(v)})`);
      }
      metrics[k] = x;
    }
    bySteps.set(step, metrics);
  });
  return [...bySteps].sort(([a], [b]) => a - b).map(([step, metrics]) => ({ step, metrics }));
}

/**
 * Trial metrics from a hypertune file, as Vertex's BEST_MEASUREMENT selection: the measurement with the best
 * `metric` (the untagged default counts as `metric`); `epochs` is its global_step unless reported.
 */
export async function readHypertuneMetrics(file: string, metric: string, goal: Goal): Promise<TrialMetrics | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const measurements = parseHypertuneMetrics(text, file).map((m) => {
    const metrics = { ...m.metrics };
    if (metrics[metric] === undefined && metrics[DEFAULT_METRIC_TAG] !== undefined) metrics[metric] = metrics[DEFAULT_METRIC_TAG];
    delete metrics[DEFAULT_METRIC_TAG];
    return { step: m.step, metrics };
  }).filter((m) => m.metrics[metric] !== undefined);
  if (measurements.length === 0) return undefined;
  const better = (a: number, b: number) => (Number.isNaN(b) ? !Number.isNaN(a) : goal === 'minimize' ? a < b : a > b);
  let best = measurements[0]!;
  for (const m of measurements.slice(1)) if (better(m.metrics[metric]!, best.metrics[metric]!)) best = m;
  return { epochs: best.step, ...best.metrics } as TrialMetrics;
}
