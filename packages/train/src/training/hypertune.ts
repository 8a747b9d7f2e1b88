// Metric reporting for hyperparameter tuning, as cloudml-hypertune's `report_hyperparameter_tuning_metric` does
// it (the contract Vertex AI hyperparameter tuning reads, and the tune component's trial runner too): the file
// named by CLOUD_ML_HP_METRIC_FILE (default /tmp/hypertune/output.metrics) is rewritten on every report with the
// last 100 reports, one `json.dumps(entry, sort_keys=True)` line each:
//   {"global_step": "3", "timestamp": 1764576000.25, "trial": "2", "val_loss": "0.4127"}
// with the metric and the step as strings (Python's str of a float and an int). Written to a temp file and
// renamed, so a reader never sees half a file.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export const HYPERTUNE_METRIC_FILE_ENV = 'CLOUD_ML_HP_METRIC_FILE';
export const HYPERTUNE_TRIAL_ENV = 'CLOUD_ML_TRIAL_ID';
export const DEFAULT_HYPERTUNE_METRIC_FILE = '/tmp/hypertune/output.metrics';
const MAX_ENTRIES = 100;

/** Python's repr of a float (what `str(float)` prints): shortest round-trip digits, exponent outside [1e-4, 1e16). */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = x.toExponential().split('e') as [string, string];
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const s = String(x);
  return s.includes('.') ? s : `${s}.0`;
}

/** One JSON value as Python's json.dumps writes it (separators ", " and ": "). */
function pythonJson(entry: Record<string, string | number>): string {
  const keys = Object.keys(entry).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${typeof entry[k] === 'number' ? pythonFloat(entry[k]) : JSON.stringify(entry[k])}`).join(', ')}}`;
}

export class HypertuneReporter {
  readonly file: string;
  private readonly trial: string;
  private readonly entries: string[] = [];
  private readonly now: () => number;

  constructor(env: Record<string, string | undefined> = process.env, now: () => number = Date.now) {
    this.file = env[HYPERTUNE_METRIC_FILE_ENV] || DEFAULT_HYPERTUNE_METRIC_FILE;
    this.trial = env[HYPERTUNE_TRIAL_ENV] ?? '0';
    this.now = now;
  }

  /** report_hyperparameter_tuning_metric(tag, value, global_step). */
  async report(tag: string, value: number, globalStep: number): Promise<void> {
    const entry: Record<string, string | number> = {
      timestamp: this.now() / 1000,
      trial: this.trial,
      [tag]: pythonFloat(value),
      global_step: String(Math.trunc(globalStep) || 0),
    };
    this.entries.push(pythonJson(entry));
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, this.entries.map((l) => `${l}\n`).join(''));
    await rename(tmp, this.file);
  }
}
