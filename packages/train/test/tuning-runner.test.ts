// The trial runner: one trial in a worker thread or a child process, with the trial module's result, its error
// (and infeasible flag), a crash, the hypertune file fallback, and cancellation, graceful or forced.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTrialRunner, ISOLATIONS } from '../src/tuning/trial-runner.ts';
import type { TrialRequest } from '../src/tuning/trial.ts';
import { fakeValLoss } from './tune-fake-trial.ts';

const FAKE = resolve(import.meta.dirname, 'tune-fake-trial.ts');
const objective = { metric: 'val_loss', goal: 'minimize' } as const;
const KNOBS = ['TUNE_FAKE_LOG', 'TUNE_FAKE_FAIL', 'TUNE_FAKE_INFEASIBLE', 'TUNE_FAKE_HANG', 'TUNE_FAKE_STUBBORN', 'TUNE_FAKE_EXIT', 'TUNE_FAKE_HYPERTUNE'];
afterEach(() => { for (const k of KNOBS) delete process.env[k]; });

async function request(id: string): Promise<TrialRequest> {
  return {
    trialId: id, hyperparameters: { learning_rate: 0.01, batch_size: 64 }, seed: 1, workDir: await mkdtemp(join(tmpdir(), `trial-${id}-`)),
    dataset: { uri: 'gs://b/dataset', path: '/gcs/b/dataset', metadata: {} }, baseModel: { uri: 'gs://b/model', path: '/gcs/b/model', metadata: {} },
  };
}
const never = () => new AbortController().signal;

describe.each(ISOLATIONS)('trial runner (%s)', (isolation) => {
  const run = createTrialRunner({ module: FAKE, objective, isolation, graceMs: 1500 });

  it('returns the trial module\'s metrics', async () => {
    expect(await run(await request('1'), never())).toEqual({ val_loss: fakeValLoss(0.01, 64), val_auc: 1 - fakeValLoss(0.01, 64), epochs: 3 });
  });

  it('reads the hypertune metrics file when the trial resolves with nothing', async () => {
    process.env['TUNE_FAKE_HYPERTUNE'] = '1';
    expect(await run(await request('2'), never())).toEqual({ epochs: 1, val_loss: fakeValLoss(0.01, 64) / 0.9, val_auc: 0.9 });
  });

  it('rejects with the trial\'s error, keeping its infeasible flag', async () => {
    process.env['TUNE_FAKE_FAIL'] = '3';
    process.env['TUNE_FAKE_INFEASIBLE'] = '4';
    await expect(run(await request('3'), never())).rejects.toMatchObject({ message: 'fake trial 3 crashed', infeasible: false });
    await expect(run(await request('4'), never())).rejects.toMatchObject({ name: 'InfeasibleTrialError', infeasible: true });
  });

  it('rejects when the trial\'s thread or process dies without reporting', async () => {
    process.env['TUNE_FAKE_EXIT'] = '5';
    await expect(run(await request('5'), never())).rejects.toThrow(isolation === 'thread' ? 'trial 5: trial thread exited with code 3 before reporting' : 'trial 5: trial process exited with code 3 before reporting');
  });

  it('cancels: a trial that honours the signal stops, one that ignores it is terminated after the grace period', async () => {
    const log = join(await mkdtemp(join(tmpdir(), 'trial-log-')), 'trials.log');
    Object.assign(process.env, { TUNE_FAKE_LOG: log, TUNE_FAKE_HANG: '6', TUNE_FAKE_STUBBORN: '7' });
    const c6 = new AbortController();
    const c7 = new AbortController();
    const settled = Promise.allSettled([run(await request('6'), c6.signal), run(await request('7'), c7.signal)]);
    // Cancel once both trials run (their workers have started and loaded the module).
    while (!existsSync(log) || readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('start ')).length < 2) await new Promise((r) => setTimeout(r, 20));
    c6.abort(new Error('received SIGTERM'));
    c7.abort(new Error('received SIGTERM'));
    const [r6, r7] = await settled;
    expect(r6).toMatchObject({ status: 'rejected', reason: { message: 'received SIGTERM' } });
    expect(r7).toMatchObject({ status: 'rejected', reason: { message: 'trial 7 did not stop within 1500 ms of cancellation: terminated' } });
    // The honouring trial ran its cleanup (finally) before its worker went; the stubborn one never got there.
    expect(readFileSync(log, 'utf8').split('\n').filter((l) => l.startsWith('end '))).toEqual(['end 6']);
  });

  it('does not start a trial whose study is already cancelled', async () => {
    const c = new AbortController();
    c.abort(new Error('cancelled'));
    await expect(run(await request('8'), c.signal)).rejects.toThrow('cancelled');
  });
});
