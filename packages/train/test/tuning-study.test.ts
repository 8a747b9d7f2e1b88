// The study runner with in-process trials: the best is the argmin, at most `parallel` trials run at once, failed
// and infeasible trials are recorded and the study goes on, cancellation stops running trials, fine-tuning starts
// from the previous best; plus the fine-tune space and the hypertune metrics file.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fineTuneSpace } from '../src/tuning/fine-tune.ts';
import { parseHypertuneMetrics, readHypertuneMetrics } from '../src/tuning/hypertune.ts';
import { createSampler } from '../src/tuning/samplers.ts';
import type { Params } from '../src/tuning/space.ts';
import { DEFAULT_SEARCH_SPACE } from '../src/tuning/space.ts';
import { spaceFromSpec, studySpecParametersSchema } from '../src/tuning/study-spec.ts';
import type { StudyOptions, Trial } from '../src/tuning/study.ts';
import { bestTrial, runStudy, StudyCancelledError, StudyError } from '../src/tuning/study.ts';
import { InfeasibleTrialError } from '../src/tuning/trial.ts';
import { fakeValLoss } from './tune-fake-trial.ts';

const space = DEFAULT_SEARCH_SPACE;
const objective = { metric: 'val_loss', goal: 'minimize' } as const;
const loss = (p: Params) => fakeValLoss(p['learning_rate']!, p['batch_size']!);
const tick = () => new Promise((r) => setImmediate(r));

function study(overrides: Partial<StudyOptions> = {}): StudyOptions {
  return {
    space, objective, sampler: createSampler('gp'), seed: 3, maxTrials: 10, parallel: 2,
    runTrial: async ({ params }) => { await tick(); return { val_loss: loss(params), val_auc: 0.8, epochs: 4 }; },
    ...overrides,
  };
}

describe('runStudy', () => {
  it('runs maxTrials trials and returns the argmin of the objective as best', async () => {
    const { trials, best } = await runStudy(study());
    expect(trials).toHaveLength(10);
    expect(trials.map((t) => t.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(trials.every((t) => t.state === 'SUCCEEDED' && t.endTime !== undefined)).toBe(true);
    const min = Math.min(...trials.map((t) => t.objective!));
    expect(best.objective).toBe(min);
    expect(best.objective).toBe(loss(best.params));
  });

  it('maximises when the goal says so (the seed\'s stage 2 took the maximum of a minimised val_loss: bug 3)', async () => {
    const trials: Trial[] = [0.5, 0.2, 0.9].map((v, i) => ({ id: String(i + 1), params: {}, state: 'SUCCEEDED', objective: v, startTime: '' }));
    expect(bestTrial(trials, objective)!.id).toBe('2');
    expect(bestTrial(trials, { metric: 'val_auc', goal: 'maximize' })!.id).toBe('3');
    const { best } = await runStudy(study({ objective: { metric: 'val_auc', goal: 'maximize' }, maxTrials: 6, runTrial: async ({ params }) => ({ val_loss: loss(params), val_auc: 1 - loss(params) }) }));
    expect(best.objective).toBe(1 - loss(best.params));
  });

  it('is reproducible for a seed with one trial at a time, and differs across seeds', async () => {
    const params = async (seed: number) => (await runStudy(study({ seed, parallel: 1, maxTrials: 8 }))).trials.map((t) => t.params);
    expect(await params(11)).toEqual(await params(11));
    expect(await params(11)).not.toEqual(await params(12));
  });

  it.each([1, 2, 3])('never runs more than %i trials at once, and uses all of them', async (parallel) => {
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const pending = runStudy(study({
      parallel, maxTrials: 7, sampler: createSampler('tpe'),
      runTrial: async ({ params }) => {
        peak = Math.max(peak, ++running);
        await new Promise<void>((r) => gates.push(r));
        running--;
        return { val_loss: loss(params) };
      },
    }));
    // Release one trial at a time, always the oldest: the scheduler must refill the slot and never exceed it.
    for (let released = 0; released < 7; released++) {
      while (gates.length === 0) await tick();
      await tick();
      expect(running).toBeLessThanOrEqual(parallel);
      gates.shift()!();
    }
    const { trials } = await pending;
    expect(trials).toHaveLength(7);
    expect(peak).toBe(parallel);
  });

  it('records failed and infeasible trials and goes on; the sampler ignores crashes but learns from infeasible points', async () => {
    const seen: Trial[] = [];
    const { trials, best } = await runStudy(study({
      maxTrials: 8,
      runTrial: async ({ id, params }) => {
        if (id === '2') throw new Error('worker crashed');
        if (id === '3') throw new InfeasibleTrialError('val_loss never improved');
        if (id === '4') return { val_loss: Number.NaN };
        if (id === '5') return { val_auc: 0.7 } as never;
        return { val_loss: loss(params) };
      },
      onTrialEnd: (t) => { seen.push(structuredClone(t)); },
    }));
    expect(trials.map((t) => t.state)).toEqual(['SUCCEEDED', 'FAILED', 'INFEASIBLE', 'INFEASIBLE', 'FAILED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(trials[1]!.error).toBe('worker crashed');
    expect(trials[2]!.error).toBe('val_loss never improved');
    expect(trials[3]!.error).toBe('val_loss is NaN');
    expect(trials[4]!.error).toBe('trial 5 reported no val_loss (metrics: {"val_auc":0.7})');
    expect(['1', '6', '7', '8']).toContain(best.id);
    expect(seen.map((t) => t.id).sort()).toEqual(trials.map((t) => t.id).sort());
  });

  it('fails when no trial succeeds, naming the first error', async () => {
    const err = await runStudy(study({ maxTrials: 3, runTrial: async ({ id }) => { throw new Error(`boom ${id}`); } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StudyError);
    expect((err as Error).message).toBe('all 3 trials failed or were infeasible; first error: boom 1');
    expect((err as StudyError).trials.map((t) => t.state)).toEqual(['FAILED', 'FAILED', 'FAILED']);
  });

  it('on cancellation aborts the running trials, records them as CANCELED, starts no more and rejects', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const ended: Trial[] = [];
    const pending = runStudy(study({
      maxTrials: 10, signal: controller.signal,
      runTrial: ({ id }, signal) => {
        started.push(id);
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error(`trial ${id} stopped`)), { once: true }));
      },
      onTrialEnd: (t) => { ended.push(t); },
    }));
    while (started.length < 2) await tick();
    controller.abort(new Error('received SIGTERM'));
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StudyCancelledError);
    expect((err as Error).message).toBe('study cancelled after 2 of 10 trials (received SIGTERM)');
    expect(started).toEqual(['1', '2']);
    expect(ended.map((t) => [t.id, t.state, t.error])).toEqual([['1', 'CANCELED', 'trial 1 stopped'], ['2', 'CANCELED', 'trial 2 stopped']]);
  });

  it('stops at once when recording a trial fails: the study record is part of the result', async () => {
    let runs = 0;
    const err = await runStudy(study({
      maxTrials: 6, parallel: 1,
      runTrial: async ({ params }) => { runs++; return { val_loss: loss(params) }; },
      onTrialEnd: (t) => { if (t.id === '2') throw new Error('database is locked'); },
    })).catch((e: unknown) => e);
    expect((err as Error).message).toBe('database is locked');
    expect(runs).toBe(2);
  });

  it('evaluates the initial points first (fine-tuning starts from the previous best)', async () => {
    const previous = { learning_rate: 0.02, batch_size: 64 };
    const narrow = fineTuneSpace(space, previous);
    const { trials } = await runStudy(study({ space: narrow, initial: [previous], maxTrials: 6 }));
    expect(trials[0]!.params).toEqual(previous);
    for (const t of trials) {
      expect(t.params['learning_rate']).toBeGreaterThanOrEqual(0.01);
      expect(t.params['learning_rate']).toBeLessThanOrEqual(0.04);
      expect([32, 64, 128]).toContain(t.params['batch_size']);
    }
  });

  it('rejects a bad budget', async () => {
    await expect(runStudy(study({ maxTrials: 0 }))).rejects.toThrow('maxTrials: expected an integer >= 1, received 0');
    await expect(runStudy(study({ parallel: 1.5 }))).rejects.toThrow('parallel: expected an integer >= 1, received 1.5');
  });
});

describe('fine-tune space', () => {
  it('narrows lr to x/÷ 2 and batch size to ± one step, clipped to the space', () => {
    expect(fineTuneSpace(space, { learning_rate: 0.01, batch_size: 64 })).toEqual([
      { name: 'learning_rate', type: 'double', min: 0.005, max: 0.02, scale: 'log' },
      { name: 'batch_size', type: 'discrete', values: [32, 64, 128] },
    ]);
    expect(fineTuneSpace(space, { learning_rate: 0.08, batch_size: 16 })).toEqual([
      { name: 'learning_rate', type: 'double', min: 0.04, max: 0.1, scale: 'log' },
      { name: 'batch_size', type: 'discrete', values: [16, 32] },
    ]);
    expect(fineTuneSpace(space, { learning_rate: 0.01, batch_size: 256 }, { factor: 4, steps: 2 })[1]).toEqual({ name: 'batch_size', type: 'discrete', values: [64, 128, 256] });
  });

  it('names the parameter when the previous best does not fit the space', () => {
    expect(() => fineTuneSpace(space, { learning_rate: 0.5, batch_size: 64 })).toThrow('previous_best.learning_rate: 0.5 is outside the search space [0.001, 0.1] (log)');
    expect(() => fineTuneSpace(space, { learning_rate: 0.01, batch_size: 48 })).toThrow('previous_best.batch_size: 48 is outside the search space one of 16, 32, 64, 128, 256');
    expect(() => fineTuneSpace(space, { learning_rate: 0.01 })).toThrow('previous_best.batch_size: missing');
  });
});

describe('Vertex study spec', () => {
  it('reads serialize_parameters output into the search space', () => {
    const spec = studySpecParametersSchema.parse([
      { parameter_id: 'learning_rate', double_value_spec: { min_value: 0.001, max_value: 0.1 }, scale_type: 'UNIT_LOG_SCALE' },
      { parameter_id: 'batch_size', discrete_value_spec: { values: [64, 16, 32] }, scale_type: 'UNIT_LINEAR_SCALE' },
    ]);
    expect(spaceFromSpec(spec)).toEqual([
      { name: 'learning_rate', type: 'double', min: 0.001, max: 0.1, scale: 'log' },
      { name: 'batch_size', type: 'discrete', values: [16, 32, 64] },
    ]);
    expect(() => spaceFromSpec(studySpecParametersSchema.parse([{ parameter_id: 'learning_rate', double_value_spec: { min_value: 0.1, max_value: 0.01 } }]))).toThrow('min must be below max (min 0.1, max 0.01)');
    expect(() => spaceFromSpec(studySpecParametersSchema.parse([{ parameter_id: 'batch_size', discrete_value_spec: { values: [16, 24.5] } }]))).toThrow('batch_size: expected a discrete_value_spec of positive integers');
    expect(studySpecParametersSchema.safeParse([{ parameter_id: 'momentum', double_value_spec: { min_value: 0, max_value: 1 } }]).success).toBe(false);
  });
});

describe('hypertune metrics file', () => {
  it('parses cloudml-hypertune lines (string values, one metric per report) into measurements by step', () => {
    const text = [
      '{"checkpoint_path": "", "global_step": "1", "timestamp": 1.5, "trial": "3", "val_loss": "0.6"}',
      '{"checkpoint_path": "", "global_step": "1", "timestamp": 1.6, "trial": "3", "val_auc": "0.7"}',
      '{"checkpoint_path": "", "global_step": "2", "timestamp": 2.5, "trial": "3", "val_loss": "nan"}',
      '',
    ].join('\n');
    expect(parseHypertuneMetrics(text)).toEqual([{ step: 1, metrics: { val_loss: 0.6, val_auc: 0.7 } }, { step: 2, metrics: { val_loss: Number.NaN } }]);
    expect(() => parseHypertuneMetrics('{"val_loss": "x"}', 'f')).toThrow('f:1: metric "val_loss" is not a number ("x")');
    expect(() => parseHypertuneMetrics('nope', 'f')).toThrow(/^f:1: malformed JSON/);
  });

  it('selects the best measurement (Vertex BEST_MEASUREMENT), maps the untagged default metric, and is absent without a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hypertune-'));
    const file = join(dir, 'output.metrics');
    await writeFile(file, [
      { global_step: '1', val_loss: '0.5' }, { global_step: '1', val_auc: '0.6' },
      { global_step: '2', val_loss: '0.4' }, { global_step: '2', val_auc: '0.7' },
      { global_step: '3', val_loss: '0.45' }, { global_step: '3', val_auc: '0.75' },
    ].map((l) => JSON.stringify(l)).join('\n'));
    expect(await readHypertuneMetrics(file, 'val_loss', 'minimize')).toEqual({ epochs: 2, val_loss: 0.4, val_auc: 0.7 });
    expect(await readHypertuneMetrics(file, 'val_auc', 'maximize')).toEqual({ epochs: 3, val_loss: 0.45, val_auc: 0.75 });
    await writeFile(file, JSON.stringify({ global_step: '4', 'training/hptuning/metric': '0.3' }));
    expect(await readHypertuneMetrics(file, 'val_loss', 'minimize')).toEqual({ epochs: 4, val_loss: 0.3 });
    expect(await readHypertuneMetrics(join(dir, 'none'), 'val_loss', 'minimize')).toBeUndefined();
  });
});
