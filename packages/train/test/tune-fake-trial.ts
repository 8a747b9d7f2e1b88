// A fake trial module for the tune tests: `trainTrial` with the trainer's contract whose val_loss is a known
// function of the hyperparameters (minimum 0.35 at batch size 32, lr 10^-2.2), so a study's best is checkable.
// Knobs (environment, which trial workers inherit from the component process):
//   TUNE_FAKE_LOG         file to append "start <id>" / "end <id>" lines to (to measure concurrency)
//   TUNE_FAKE_BARRIER     a trial finishes only once this many trials have started (or were cancelled)
//   TUNE_FAKE_FAIL        trial ids (comma-separated) that throw
//   TUNE_FAKE_INFEASIBLE  trial ids that throw an InfeasibleTrialError
//   TUNE_FAKE_NAN         trial ids that report val_loss NaN
//   TUNE_FAKE_HANG        trial ids that run until cancelled
//   TUNE_FAKE_STUBBORN    trial ids that ignore cancellation (never end on their own)
//   TUNE_FAKE_EXIT        trial ids whose thread or process exits (code 3) without reporting
//   TUNE_FAKE_HYPERTUNE   "1": report through the hypertune metrics file (per epoch), resolve with nothing
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { InfeasibleTrialError, type TrialContext, type TrialMetrics } from '../src/tuning/trial.ts';

export function fakeValLoss(learningRate: number, batchSize: number): number {
  const x = Math.log10(learningRate);
  const b = Math.log2(batchSize);
  return 0.35 + 0.08 * (x - (-2.5 + 0.3 * (b - 4))) ** 2 + 0.01 * (b - 5) ** 2;
}

const ids = (name: string) => new Set((process.env[name] ?? '').split(',').filter(Boolean));
const log = process.env['TUNE_FAKE_LOG'];
const record = (line: string) => { if (log) appendFileSync(log, `${line}\n`); };
const started = () => (log ? readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('start ')).length : 0);

async function waitUntil(cond: () => boolean, signal: AbortSignal): Promise<void> {
  while (!cond()) {
    signal.throwIfAborted();
    await sleep(10);
  }
}

export async function trainTrial(ctx: TrialContext): Promise<TrialMetrics | void> {
  const { trialId, hyperparameters: hp, signal } = ctx;
  record(`start ${trialId}`);
  try {
    const barrier = Number(process.env['TUNE_FAKE_BARRIER'] ?? 0);
    if (barrier > 0) await waitUntil(() => started() >= barrier, signal);
    if (ids('TUNE_FAKE_HANG').has(trialId)) await waitUntil(() => false, signal);
    if (ids('TUNE_FAKE_STUBBORN').has(trialId)) await waitUntil(() => false, new AbortController().signal);
    if (ids('TUNE_FAKE_EXIT').has(trialId)) process.exit(3);
    if (ids('TUNE_FAKE_FAIL').has(trialId)) throw new Error(`fake trial ${trialId} crashed`);
    if (ids('TUNE_FAKE_INFEASIBLE').has(trialId)) throw new InfeasibleTrialError(`fake trial ${trialId}: val_loss never improved on the first epoch`);
    const lr = hp['learning_rate'] as number;
    const bs = hp['batch_size'] as number;
    const valLoss = ids('TUNE_FAKE_NAN').has(trialId) ? Number.NaN : fakeValLoss(lr, bs);
    const metrics = { val_loss: valLoss, val_auc: 1 - valLoss, epochs: 3 };
    if (process.env['TUNE_FAKE_HYPERTUNE'] === '1') {
      // As cloudml-hypertune does: the whole file rewritten at each report, one line per report.
      const file = process.env['CLOUD_ML_HP_METRIC_FILE']!;
      const lines = [0.9, 0.5, 0.7].flatMap((f, i) => [
        { timestamp: 1, trial: process.env['CLOUD_ML_TRIAL_ID'], val_loss: String(valLoss / f), global_step: String(i + 1), checkpoint_path: '' },
        { timestamp: 1, trial: process.env['CLOUD_ML_TRIAL_ID'], val_auc: String(f), global_step: String(i + 1), checkpoint_path: '' },
      ]);
      writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      return;
    }
    return metrics;
  } finally {
    record(`end ${trialId}`);
  }
}
